/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_INIT_H
#define HULL_INIT_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>

#include "bundle.h"
#include "capabilities.h"
#include "cgroup.h"
#include "mounts.h"
#include "namespaces.h"
#include "seccomp.h"
#include "utils.h"

/*
 * Everything the container's first process needs, worked out by the parent
 * before clone.  clone without CLONE_VM gives the child a copy of this
 * memory, so it is simply read there; nothing is serialised and hull is
 * never re-executed.
 */
struct hull_init {
	const char *id;
	bool run_mode;	  /* run: wait for SYNC_START; create: for exec.fifo */
	bool run_at_once; /* run, nothing to do between ready and start: no SYNC_START */
	bool no_pivot, no_new_keyring;
	int preserve_fds;
	struct hull_fdset preserved; /* which of 3..3+preserve_fds-1 the caller had open */
	hull_bundle *bundle;
	struct hull_ns_plan ns;
	struct hull_mount_plan mounts;
	struct hull_caps caps;
	struct hull_seccomp *seccomp;
	hull_cgroup *cg;
	int sync_fd;	      /* the child's end */
	int fifo_fd;	      /* create: read end of exec.fifo, O_NONBLOCK */
	int console_fd;	      /* connected console socket, or -1 */
	bool v2_placed;	      /* clone3 put us in the v2 cgroup already */
	bool early_ns;	      /* make network, UTS, IPC namespaces before SYNC_GO */
	bool parent_detaches; /* pivot_root: the parent detaches the old root (SYNC_DETACH) */
	sigset_t sigmask;     /* what the child restores */
	bool cpus_spread;     /* we run off the parent's CPU until SYNC_GO (spawn.c) */
	cpu_set_t cpus;	      /* our affinity to restore then, before anything else runs */
	cpu_set_t cpus_away;  /* cpus without the parent's CPU at clone */
};

/* The child side of the protocol in sync.h.  Never returns. */
void hull_init_main(struct hull_init *in) __attribute__((noreturn));

#endif
