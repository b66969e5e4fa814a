/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_BUNDLE_H
#define HULL_BUNDLE_H

#include <stddef.h>

#include "error.h"
#include "oci_types.h"

#define HULL_OCI_VERSION     "1.3.0"
#define HULL_OCI_VERSION_MIN "1.0.0"

typedef struct hull_bundle {
	char *dir;    /* absolute */
	char *rootfs; /* absolute host path of root.path */
	char *raw;    /* config.json as read */
	size_t raw_len;
	oci_config *cfg;
} hull_bundle;

/* Reads DIR/config.json, parses it and checks what the schema can't:
 * versions, required-on-Linux fields, absolute paths, duplicates.  Every
 * error names "config.json" and the JSON path. */
int hull_bundle_load(const char *dir, hull_bundle **out, hull_error **err);
void hull_bundle_free(hull_bundle *b);
void hull_bundle_freep(hull_bundle **b);
#define cleanup_bundle __attribute__((cleanup(hull_bundle_freep)))

/* The checks alone (fuzzing and tests use them on parsed configs). */
int hull_config_validate(const oci_config *cfg, hull_error **err);
int hull_process_validate(const oci_process *p, const char *where, hull_error **err);

/* "1.0.0" <= v < "1.4.0" (pre-release suffixes allowed). */
int hull_oci_version_check(const char *v, hull_error **err);

#endif
