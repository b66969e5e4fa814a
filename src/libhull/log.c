/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1; /* -1: stderr only */
static bool log_as_json;
static enum hull_log_level log_level = HULL_LOG_WARNING;
static void (*log_forward)(int, const char *, void *);
static void *log_forward_data;
/* --debug phases are also placed on one clock from here: the container's
 * process inherits it with the fork, so the parent's and the child's
 * phases line up (who waits for whom). */
static unsigned long long debug_origin;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int hull_log_open(const char *path, bool json, hull_error **err)
{
	log_as_json = json;
	if (!path || !*path)
		return 0;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (log_fd < 0)
		return hull_fail_errno(err, "open log file %s", path);
	/* Out of the low numbers --preserve-fds may name. */
	int high = fcntl(log_fd, F_DUPFD_CLOEXEC, 256);
	if (high >= 0) {
		close(log_fd);
		log_fd = high;
	}
	return 0;
}

void hull_log_set_level(enum hull_log_level level)
{
	log_level = level;
	if (level >= HULL_LOG_DEBUG && !debug_origin)
		debug_origin = now_ns();
}

enum hull_log_level hull_log_get_level(void)
{
	return log_level;
}

bool hull_log_json(void)
{
	return log_as_json;
}

void hull_log_set_forwarder(void (*fwd)(int, const char *, void *), void *data)
{
	log_forward = fwd;
	log_forward_data = data;
}

/* Appends s to buf as a JSON string body (no quotes). */
static size_t json_escape(char *buf, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else if (c == '\t') {
			buf[n++] = '\\';
			buf[n++] = 't';
		} else if (c < 0x20) {
			n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return n;
}

static void format_line(char *line, size_t cap, bool json, enum hull_log_level level,
			const char *msg)
{
	char when[64];
	size_t n;

	timestamp_now(when);
	if (!json) {
		snprintf(line, cap, "%s[%s] %s\n", when, level_names[level], msg);
		return;
	}
	n = (size_t)snprintf(line, cap, "{\"level\":\"%s\",\"msg\":\"", level_names[level]);
	if (n >= cap)
		n = cap - 1;
	n += json_escape(line + n, cap - n - 64, msg);
	snprintf(line + n, cap - n, "\",\"time\":\"%s\"}\n", when);
}

void hull_log_write(enum hull_log_level level, const char *msg)
{
	char line[8192];

	if (log_fd >= 0) {
		format_line(line, sizeof(line), log_as_json, level, msg);
		if (write_all(log_fd, line, strlen(line)) == 0)
			return;
	}
	if (level == HULL_LOG_ERROR)
		snprintf(line, sizeof(line), "hull: %s\n", msg);
	else
		snprintf(line, sizeof(line), "hull: %s: %s\n", level_names[level], msg);
	if (write_all(2, line, strlen(line)) < 0)
		return;
}

void hull_log(enum hull_log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	int saved = errno;

	if (level > log_level) {
		errno = saved;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_forward)
		log_forward((int)level, msg, log_forward_data);
	else
		hull_log_write(level, msg);
	errno = saved;
}

void hull_log_error(const char *prefix, const hull_error *e)
{
	char msg[8192], line[8192];

	snprintf(msg, sizeof(msg), "%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
		 e && e->msg ? e->msg : "unknown error");
	if (log_fd >= 0) {
		format_line(line, sizeof(line), log_as_json, HULL_LOG_ERROR, msg);
		if (write_all(log_fd, line, strlen(line)) < 0) {
			/* stderr below still carries the message */
		}
	}
	if (write_all(2, "hull: ", 6) < 0 || write_all(2, msg, strlen(msg)) < 0 ||
	    write_all(2, "\n", 1) < 0)
		return;
}

void hull_debug_phase(const char *phase, unsigned long long t0)
{
	unsigned long long t;

	if (log_level < HULL_LOG_DEBUG)
		return;
	t = now_ns();
	hull_debug("phase %s: %llu us (%llu-%llu)", phase, (t - t0) / 1000,
		   t0 > debug_origin ? (t0 - debug_origin) / 1000 : 0, (t - debug_origin) / 1000);
}
