/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_STATE_H
#define HULL_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci_types.h"

/*
 * The state store: ROOT/ID/ holds state.json (what later commands need),
 * config.json (the config as create read it, for exec and poststop hooks)
 * and, while the container is created but not started, exec.fifo.
 *
 * Every operation on an ID holds a flock on the ROOT/ID directory itself.
 * create makes the directory under a temporary name, locks it and renames it
 * into place with RENAME_NOREPLACE, so of N concurrent creates exactly one
 * wins and nobody ever sees an unlocked, half-made directory.
 */

#define HULL_STATE_FILE	 "state.json"
#define HULL_CONFIG_FILE "config.json"
#define HULL_FIFO_FILE	 "exec.fifo"

typedef struct hull_store {
	char *root;
	int rootfd;
} hull_store;

typedef struct hull_cdir {
	char *id;
	char *path; /* ROOT/ID */
	int dirfd;  /* O_DIRECTORY, holds the flock */
} hull_cdir;

int hull_id_validate(const char *id, hull_error **err);

int hull_store_open(const char *root, bool create, hull_store **out, hull_error **err);
void hull_store_free(hull_store *s);
void hull_store_freep(hull_store **s);
#define cleanup_store __attribute__((cleanup(hull_store_freep)))

/* create: a new, exclusively locked directory for id. */
int hull_cdir_reserve(hull_store *s, const char *id, hull_cdir **out, hull_error **err);
/* Any other operation: lock is LOCK_SH, LOCK_EX or 0 (no lock). */
int hull_cdir_open(hull_store *s, const char *id, int lock, hull_cdir **out, hull_error **err);
/* Removes the directory and what is in it (the caller holds LOCK_EX). */
int hull_cdir_remove(hull_store *s, hull_cdir *c, hull_error **err);
void hull_cdir_free(hull_cdir *c);
void hull_cdir_freep(hull_cdir **c);
#define cleanup_cdir __attribute__((cleanup(hull_cdir_freep)))
/* Is another process (a create in progress) holding the directory's lock? */
bool hull_cdir_busy(hull_cdir *c);

int hull_state_load(hull_cdir *c, oci_hull_state **out, hull_error **err);
int hull_state_save(hull_cdir *c, const oci_hull_state *st, hull_error **err);

/* Sorted IDs of the directories in the store (temporary ones skipped). */
int hull_store_list(hull_store *s, char ***ids, size_t *n, hull_error **err);

/* Process liveness that survives pid reuse: start time from /proc/PID/stat. */
int hull_pid_start_time(pid_t pid, uint64_t *start, char *state);
bool hull_pid_alive(pid_t pid, uint64_t start_time);

enum hull_status {
	HULL_STATUS_CREATING,
	HULL_STATUS_CREATED,
	HULL_STATUS_RUNNING,
	HULL_STATUS_PAUSED,
	HULL_STATUS_STOPPED,
};
const char *hull_status_name(enum hull_status s);
/* Status from the stored state and the live system. */
enum hull_status hull_state_status(hull_cdir *c, const oci_hull_state *st);

/* The current time as RFC 3339 with nanoseconds, UTC (malloc'd). */
char *hull_timestamp_now(void);

#endif
