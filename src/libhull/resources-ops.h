/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_RESOURCES_OPS_H
#define HULL_RESOURCES_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "error.h"
#include "oci_types.h"

/* The operations on a container's resources: update and statistics. */

/* A linux.resources object from JSON (`update --resources`); errors name
 * the field as in config.json ("linux.resources.memory.limit"). */
int hull_resources_parse(const char *data, size_t len, const char *source, oci_resources **out,
			 hull_error **err);

/* Writes the fields present in res to the container's cgroups (the device
 * list is left as it is, as runc does). */
int hull_container_update(hull_context *ctx, const char *id, const oci_resources *res,
			  hull_error **err);

/* The statistics object of `events` (malloc'd JSON) and the OOM kills so
 * far.  Fails with errnum ESRCH when the container is stopped. */
int hull_container_stats(hull_context *ctx, const char *id, char **json, uint64_t *oom_kills,
			 hull_error **err);

#endif
