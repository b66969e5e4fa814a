/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_NAMESPACES_H
#define HULL_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci_types.h"

enum hull_ns {
	HULL_NS_USER, /* first: joining it first gives rights over the others */
	HULL_NS_PID,
	HULL_NS_NET,
	HULL_NS_MNT,
	HULL_NS_IPC,
	HULL_NS_UTS,
	HULL_NS_CGROUP,
	HULL_NS_TIME,
	HULL_NS_COUNT,
};

/*
 * What linux.namespaces asks for, worked out in the parent before clone:
 * path fds are opened and their types checked there, so a bad path fails
 * before anything is created.  A new user or pid namespace is made by
 * clone itself (so the child is its pid 1 / owner); the others are made by
 * unshare in the child after it joined the paths, the cgroup namespace once
 * the child sits in its cgroup and the time namespace before its offsets are
 * written.
 */
struct hull_ns_plan {
	bool present[HULL_NS_COUNT]; /* listed in the config */
	bool by_path[HULL_NS_COUNT]; /* listed with a path: joined, not made */
	int join_fd[HULL_NS_COUNT];  /* -1 unless still to be joined by path */
	int clone_flags;	     /* CLONE_NEWUSER / CLONE_NEWPID */
	int unshare_flags;	     /* the other new namespaces */
};

const char *hull_ns_name(enum hull_ns ns);
int hull_ns_clone_flag(enum hull_ns ns);

int hull_ns_plan_build(const oci_linux *l, struct hull_ns_plan *p, hull_error **err);
void hull_ns_plan_close(struct hull_ns_plan *p);
static inline bool hull_ns_new(const struct hull_ns_plan *p, enum hull_ns ns)
{
	return p->present[ns] && !p->by_path[ns];
}

/* Before clone: the pid namespace (of children) by path.  *saved gets our
 * own, for hull_ns_parent_restore after clone. */
int hull_ns_parent_enter(struct hull_ns_plan *p, int *saved, hull_error **err);
void hull_ns_parent_restore(int saved);

/* Parent, after clone: the maps of a new user namespace. */
int hull_ns_write_id_maps(pid_t pid, const oci_linux *l, hull_error **err);

/* Child, before its cgroups exist (parallel to the parent creating them):
 * the namespaces whose making neither changes how paths resolve nor
 * belongs in the cgroup namespace: network (the costly one), UTS, IPC.
 * Only without a user namespace, which has to come first.  The netns's
 * kernel memory is then charged to hull's cgroup rather than the
 * container's, as with crun and runc, which also make it before the
 * container joins its cgroups. */
bool hull_ns_early_possible(const struct hull_ns_plan *p);
int hull_ns_child_setup_early(struct hull_ns_plan *p, hull_error **err);
/* Then a new (not joined) mount namespace, for the mounts that need
 * nothing the parent is still making: 1 if made, 0 if there is none. */
int hull_ns_child_unshare_mount_early(struct hull_ns_plan *p, hull_error **err);

/* Child, after SYNC_GO: join by path, then create the rest. */
int hull_ns_child_setup(struct hull_ns_plan *p, const oci_linux *l, hull_error **err);

#endif
