/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CONTAINER_PRIV_H
#define HULL_CONTAINER_PRIV_H

#include "container.h"
#include "state.h"

/* Shared by spawn.c (create, run) and container.c (the other operations). */

/* The spec state of a container as JSON (hooks' stdin, `hull state`). */
char *hull_state_json(const oci_hull_state *st, enum hull_status status, bool pretty);

/* The poststart / poststop hooks stored in the state: each failure is a
 * warning and the rest still run (runtime.md). */
void hull_run_poststart(const oci_hull_state *st);
void hull_run_poststop(const oci_hull_state *st);

/* Kills what is left (init and the cgroup), removes cgroups and the state
 * dir.  The caller holds the dir's exclusive lock. */
int hull_destroy(hull_store *store, hull_cdir *c, oci_hull_state *st, hull_error **err);

/* Waits up to timeout_ms for pid to be gone; 0 when it is. */
int hull_wait_pid_gone(pid_t pid, uint64_t start_time, int timeout_ms);

/* The user name of uid from /etc/passwd (no NSS modules loaded). */
char *hull_user_name(uid_t uid);

/* Foreground run and exec: wait for pid, forwarding signals to it and
 * relaying a terminal (relay_fd >= 0).  Returns the exit code (128+N for
 * signal N) in *exit_status. */
int hull_wait_forwarding(pid_t pid, int relay_fd, int *exit_status, hull_error **err);

#endif
