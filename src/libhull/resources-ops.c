/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* update and events: resources of an existing container. */
#include "config.h"
#include "resources-ops.h"
#include "cgroup.h"
#include "state.h"
#include "utils.h"

#include <errno.h>
#include <string.h>
#include <sys/file.h>

int hull_resources_parse(const char *data, size_t len, const char *source, oci_resources **out,
			 hull_error **err)
{
	cleanup_free char *perr = NULL;

	/* a LinuxResources object, as `runc update --resources` reads it */
	*out = oci_resources_parse_data(data, len, source, &perr);
	if (!*out)
		return hull_fail(err, EINVAL, "%s", perr ? perr : "invalid resources");
	return 0;
}

/* The container's cgroup, with the status check each operation needs. */
static int open_cgroup(hull_context *ctx, const char *id, int lock, const char *what,
		       hull_cgroup **cg, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;
	enum hull_status status;
	int r = -1;

	if (hull_store_open(ctx->root, false, &store, err) < 0 ||
	    hull_cdir_open(store, id, lock, &c, err) < 0 || hull_state_load(c, &st, err) < 0)
		goto out;
	status = hull_state_status(c, st);
	if (status == HULL_STATUS_STOPPED || status == HULL_STATUS_CREATING) {
		hull_fail(err, ESRCH, "container \"%s\" is %s: %s", id, hull_status_name(status),
			  what);
		goto out;
	}
	if (!st->cgroup_paths || !st->cgroup_paths->len) {
		hull_fail(err, ENOENT, "container \"%s\" has no cgroup", id);
		goto out;
	}
	r = hull_cgroup_load(st, cg, err);
out:
	oci_hull_state_free(st);
	return r;
}

int hull_container_update(hull_context *ctx, const char *id, const oci_resources *res,
			  hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = NULL;

	if (open_cgroup(ctx, id, LOCK_EX, "nothing to update", &cg, err) < 0)
		return -1;
	return hull_cgroup_apply(cg, res, true, err);
}

int hull_container_stats(hull_context *ctx, const char *id, char **json, uint64_t *oom_kills,
			 hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = NULL;

	if (open_cgroup(ctx, id, LOCK_SH, "no statistics", &cg, err) < 0)
		return -1;
	return hull_cgroup_stats(cg, json, oom_kills, err);
}
