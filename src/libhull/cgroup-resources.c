/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources, written to the controllers.  Interim: only what this
 * increment supports; the rest is refused by name. */
#include "config.h"
#include "cgroup.h"
#include "utils.h"

#include <errno.h>

int hull_cgroup_apply(hull_cgroup *cg, const oci_resources *res, bool update, hull_error **err)
{
	(void)cg;
	(void)update;
	if (res->memory || res->cpu || res->pids || res->block_io || res->hugepage_limits_len ||
	    res->network || res->rdma || res->unified)
		return hull_fail(err, ENOTSUP,
				 "linux.resources: resource limits are not supported yet");
	return 0;
}
