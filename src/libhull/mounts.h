/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_MOUNTS_H
#define HULL_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "oci_types.h"

/*
 * The mount plan: config.json's mounts turned, in the parent, into a list of
 * typed operations with their flags already parsed, so that bad options
 * fail before anything is created, --debug can print the plan, and the
 * child only executes it.
 */

enum hull_mount_kind {
	HULL_MOUNT_BIND,
	HULL_MOUNT_FS,
	HULL_MOUNT_CGROUP, /* "cgroup"/"cgroup2": follows the host's layout */
};

struct hull_mount {
	enum hull_mount_kind kind;
	size_t index;		     /* in config.json's mounts[] */
	const char *dest;	     /* as configured, absolute in the container */
	char *source;		     /* binds: absolute host path */
	const char *fstype;	     /* NULL for binds */
	unsigned long flags;	     /* MS_* to set */
	unsigned long propagation;   /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC] */
	uint64_t rec_set, rec_clear; /* MOUNT_ATTR_* for the r* options */
	char *data;		     /* filesystem options */
	bool recursive;		     /* rbind */
	bool remount;		     /* binds: flags need a MS_REMOUNT pass */
};

struct hull_mount_plan {
	struct hull_mount *m;
	size_t n;
};

/* Parses one option list (shared with tests and the fuzzer). */
int hull_mount_parse_options(char **opts, size_t n, struct hull_mount *m, const char *where,
			     hull_error **err);

int hull_mount_plan_build(const oci_config *cfg, const char *bundle, struct hull_mount_plan *p,
			  hull_error **err);
void hull_mount_plan_free(struct hull_mount_plan *p);
void hull_mount_plan_debug(const struct hull_mount_plan *p);

/* Child, before pivot_root: performs mounts [from, to) of the plan below
 * rootfd. */
struct hull_cgroup;
int hull_mount_plan_execute(const struct hull_mount_plan *p, size_t from, size_t to, int rootfd,
			    bool in_cgroupns, struct hull_cgroup *cg, hull_error **err);
/* How many of the plan's first mounts are new filesystems without a
 * source path (proc, tmpfs, sysfs, ...): they need neither the container's
 * cgroups (as cgroup mounts, binds from cgroupfs and block devices may). */
size_t hull_mount_plan_fs_prefix(const struct hull_mount_plan *p);

#endif
