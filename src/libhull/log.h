/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_LOG_H
#define HULL_LOG_H

#include <stdbool.h>

#include "error.h"

enum hull_log_level {
	HULL_LOG_ERROR = 0,
	HULL_LOG_WARNING,
	HULL_LOG_INFO,
	HULL_LOG_DEBUG,
};

/*
 * Where log lines go.  By default: stderr, as text.  With --log FILE the
 * lines go to FILE (text, or JSON lines {"level","msg","time"} as
 * containerd's shim reads them); the final error is written to the log and
 * to stderr, so both the engine and a human see it.
 */
int hull_log_open(const char *path, bool json, hull_error **err);
void hull_log_set_level(enum hull_log_level level);
enum hull_log_level hull_log_get_level(void);
bool hull_log_json(void);
/* The fd log lines go to (for the container's init, which forwards its
 * lines to the parent instead once it has a sync socket). */
void hull_log_set_forwarder(void (*fwd)(int level, const char *msg, void *data), void *data);

void hull_log(enum hull_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define hull_warn(...)	hull_log(HULL_LOG_WARNING, __VA_ARGS__)
#define hull_info(...)	hull_log(HULL_LOG_INFO, __VA_ARGS__)
#define hull_debug(...) hull_log(HULL_LOG_DEBUG, __VA_ARGS__)

/* Writes one line at an explicit level, bypassing the forwarder (used by the
 * parent for lines its child forwarded). */
void hull_log_write(enum hull_log_level level, const char *msg);

/* The top-level error report: once, to the log and to stderr. */
void hull_log_error(const char *prefix, const hull_error *e);

/* --debug phase timing: hull_debug_phase("mounts", t0) logs the time since
 * t0 (from now_ns()) when the level is debug, and when the phase began and
 * ended in us since --debug was set: "phase mounts: 180 us (1439-1619)". */
void hull_debug_phase(const char *phase, unsigned long long t0);

#endif
