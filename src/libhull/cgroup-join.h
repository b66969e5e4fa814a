/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CGROUP_JOIN_H
#define HULL_CGROUP_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

/*
 * Putting a new process into the container's cgroups without paying an RCU
 * grace period.  A cgroup.procs write by another process takes the global
 * cgroup_threadgroup_rwsem for writing, which costs a grace period (7-17 ms
 * measured here) whenever no other migration happened just before.  Two
 * ways around it, used together:
 *  - cgroup v2: clone3(CLONE_INTO_CGROUP) creates the process in its cgroup
 *    (hull_cgroup_clone with the fd of hull_cgroup_v2_fd);
 *  - cgroup v1: the single-threaded child moves itself by writing "0" to
 *    each hierarchy's tasks file, which the kernel does without the global
 *    lock (hull_cgroup_join_self).
 * Kernels without either fall back to the slow paths transparently.
 */

/* O_PATH fd of the container's directory in the v2 hierarchy, or -1. */
int hull_cgroup_v2_fd(hull_cgroup *cg);

/* fork-like clone with flags; with cgroup_fd >= 0 the child is born in that
 * cgroup, *placed says whether that worked.  Returns as fork does. */
pid_t hull_cgroup_clone(unsigned long flags, int cgroup_fd, bool *placed);

/* Parent: opens the files the child joins through (tasks, or v2's
 * cgroup.procs unless placed), in hierarchy order, into fds (max entries);
 * returns how many.  Opening costs the child half its join time, and the
 * parent has time to spare while the child makes its namespaces; the kernel
 * checks a migration against the opener's credentials (5.16+), ours. */
int hull_cgroup_open_joins(const hull_cgroup *cg, bool v2_placed, int *fds, size_t max,
			   hull_error **err);

/* Child: move ourselves into every hierarchy (v2 too unless placed), through
 * the parent's fds when there are as many as hierarchies to join, else by
 * path. */
int hull_cgroup_join_self(hull_cgroup *cg, bool v2_placed, const int *fds, size_t nfds,
			  hull_error **err);

#endif
