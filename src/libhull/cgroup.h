/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CGROUP_H
#define HULL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci_types.h"

/*
 * One cgroup interface for three host layouts.  The container's cgroup path
 * is the same in every mounted hierarchy; each resource is written to the
 * hierarchy that holds its controller, through the v1 or the v2 writer
 * (cgroup-v1.c, cgroup-v2.c).  On a hybrid host that means e.g. memory in
 * /sys/fs/cgroup/memory (v1) and hugetlb in /sys/fs/cgroup/unified (v2).
 * cgroup-resources.c decides which; cgroup-devices.c does the device list
 * (v1 files or a v2 BPF program), cgroup-stats.c reads the statistics.
 */

enum hull_cgroup_layout {
	HULL_CGROUP_V1,
	HULL_CGROUP_V2,
	HULL_CGROUP_HYBRID,
};

struct hull_cgroup_hier {
	char *mountpoint;  /* /sys/fs/cgroup/memory */
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for v2 */
	char *dir;	   /* the container's cgroup: mountpoint + path */
	bool v2;
};

/* A hierarchy's directories a create opened: the container's cgroup and
 * its parent (-1 when not open).  Its files are then reached with one
 * lookup instead of a walk from /sys through three mounts and kernfs
 * (~5 us each; a create on v1 made ~40). */
struct hull_cgroup_fds {
	int parent, dir;
};

typedef struct hull_cgroup {
	enum hull_cgroup_layout layout;
	struct hull_cgroup_hier *hier;
	size_t nhier;
	char *path;	/* the container's path below each hierarchy's root */
	char **created; /* directories hull made, outermost first (NULL-terminated) */
	/* linux.devices, borrowed from the config during create: the runtime
	 * makes these nodes, so the device cgroup lets it mknod them. */
	oci_device **device_nodes;
	size_t ndevice_nodes;
	bool device_nodes_set;	     /* unset: mknod of any node is allowed (runc's way) */
	struct hull_cgroup_fds *fds; /* one per hierarchy, or NULL: none open */
} hull_cgroup;

enum hull_cgroup_layout hull_cgroup_host_layout(void);
const char *hull_cgroup_layout_name(enum hull_cgroup_layout l);

/* Works out where the container's cgroup lives; touches nothing. */
int hull_cgroup_new(const char *id, const char *cgroups_path, bool systemd, hull_cgroup **out,
		    hull_error **err);
void hull_cgroup_free(hull_cgroup *cg);
/* Notes the levels create will make (those missing now), for the state
 * saved before they exist: delete --force then cleans up after a crash in
 * the middle.  Create replaces the list with what it really made. */
void hull_cgroup_plan(hull_cgroup *cg);
/* Whether a v2 hierarchy is among the container's (clone3 goes into it). */
bool hull_cgroup_has_v2(const hull_cgroup *cg);
void hull_cgroup_freep(hull_cgroup **cg);
/* For a cloned child, whose copies of the open directories were closed
 * with every other inherited fd: drops the numbers without closing them. */
void hull_cgroup_forget_fds(hull_cgroup *cg);
/* The open container directory of hierarchy i, or -1. */
int hull_cgroup_dir_fd(const hull_cgroup *cg, size_t i);
#define cleanup_cgroup __attribute__((cleanup(hull_cgroup_freep)))

/* Call before hull_cgroup_create_rest with linux.devices (borrowed, may be
 * empty): only those nodes, besides the default devices, may be made. */
void hull_cgroup_set_device_nodes(hull_cgroup *cg, oci_device **devices, size_t n);

/* mkdir in every hierarchy, then the resources; in two halves, so the
 * container process can be cloned (into the v2 cgroup) in between and make
 * its costly namespaces while the v1 hierarchies are being set up: the v2
 * directory first, then the v1 directories and every resource.  An
 * existing cgroup that already holds processes or is frozen is refused
 * (config-linux.md "fit for purpose").  When either fails, the caller
 * removes what was made with hull_cgroup_destroy, once the process that
 * may be inside (placed there by clone3) is gone. */
int hull_cgroup_create_v2(hull_cgroup *cg, hull_error **err);
int hull_cgroup_create_rest(hull_cgroup *cg, const oci_resources *res, hull_error **err);
int hull_cgroup_enter(hull_cgroup *cg, pid_t pid, hull_error **err);
/* Removes what hull created (and what the container made below it). */
int hull_cgroup_destroy(hull_cgroup *cg, hull_error **err);

/* The container's directory in the hierarchy holding controller (NULL: the
 * first hierarchy; "": the v2 tree), owned by cg.  NULL if not mounted.
 * For v2 "holding" means listed in the root's cgroup.controllers. */
const char *hull_cgroup_dir(hull_cgroup *cg, const char *controller, bool *v2);

/* The container's directory in hierarchy i (malloc'd). */
char *hull_cgroup_path_at(const hull_cgroup *cg, size_t i);

void hull_cgroup_save(const hull_cgroup *cg, oci_hull_state *st);
/* Does st already list exactly the levels cg made? */
bool hull_cgroup_saved_in(const hull_cgroup *cg, const oci_hull_state *st);
int hull_cgroup_load(const oci_hull_state *st, hull_cgroup **out, hull_error **err);
int hull_cgroup_destroy_from_state(const oci_hull_state *st, hull_error **err);
bool hull_cgroup_is_frozen_from_state(const oci_hull_state *st);

/* Every process of the container, its sub-cgroups included. */
int hull_cgroup_pids(hull_cgroup *cg, pid_t **pids, size_t *n, hull_error **err);
int hull_cgroup_kill_all(hull_cgroup *cg, int sig, hull_error **err);
int hull_cgroup_freeze(hull_cgroup *cg, bool freeze, hull_error **err);
bool hull_cgroup_is_frozen(hull_cgroup *cg);

/* linux.resources, written to the controllers (create and update).  Error
 * messages name the field ("linux.resources.memory.limit") and the file. */
int hull_cgroup_apply(hull_cgroup *cg, const oci_resources *res, bool update, hull_error **err);

/* The container's statistics as the JSON object of `events` ("data"), and
 * the number of OOM kills so far (for the "oom" event). */
int hull_cgroup_stats(hull_cgroup *cg, char **json, uint64_t *oom_kills, hull_error **err);

#endif
