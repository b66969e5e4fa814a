/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CONTAINER_H
#define HULL_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* libhull's public entry points: one per runtime operation, called by the
 * CLI (src/NAME.c) or by any program embedding libhull. */

typedef struct hull_context {
	const char *root; /* state root, e.g. /run/hull */
	bool systemd_cgroup;
} hull_context;

struct hull_create_opts {
	const char *id;
	const char *bundle; /* NULL: the current directory */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool detach; /* run only */
};

int hull_container_create(hull_context *ctx, const struct hull_create_opts *o, hull_error **err);
/* run = create + start (+ wait + delete unless detached).  *status is the
 * container's exit status (128+N for signal N). */
int hull_container_run(hull_context *ctx, const struct hull_create_opts *o, int *status,
		       hull_error **err);
int hull_container_start(hull_context *ctx, const char *id, hull_error **err);
int hull_container_kill(hull_context *ctx, const char *id, int sig, bool all, hull_error **err);
int hull_container_delete(hull_context *ctx, const char *id, bool force, hull_error **err);
/* The state JSON (spec state plus rootfs, created and owner). */
int hull_container_state(hull_context *ctx, const char *id, char **json, hull_error **err);

struct hull_list_entry {
	char *id, *status, *bundle, *created, *owner, *rootfs;
	pid_t pid;
};
int hull_container_list(hull_context *ctx, struct hull_list_entry **out, size_t *n,
			hull_error **err);
void hull_list_free(struct hull_list_entry *e, size_t n);

struct hull_exec_opts {
	const char *id;
	const char *process_file; /* --process: a process.json replacing the defaults */
	char **args;		  /* the command, when no --process */
	size_t nargs;
	bool tty, detach, no_new_privs;
	const char *console_socket, *cwd, *user, *pid_file;
	char **env; /* --env NAME=VALUE, added to the container's */
	size_t nenv;
	char **caps; /* --cap CAP_X, added to the container's sets */
	size_t ncaps;
	char **additional_gids;
	size_t ngids;
	int preserve_fds;
};

/* A new process in a created or running container: its namespaces, its
 * cgroup, and (unless overridden) its process attributes.  *status as for
 * run (not set with detach). */
int hull_container_exec(hull_context *ctx, const struct hull_exec_opts *o, int *status,
			hull_error **err);

/* pause (freeze) / resume (thaw) every process of the container. */
int hull_container_pause(hull_context *ctx, const char *id, bool pause, hull_error **err);
/* The host pids of the container's processes. */
int hull_container_pids(hull_context *ctx, const char *id, pid_t **pids, size_t *n,
			hull_error **err);

/* Signal names ("KILL", "SIGKILL") and numbers ("9"). */
int hull_parse_signal(const char *s, int *sig, hull_error **err);

#endif
