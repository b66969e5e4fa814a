/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CAPABILITIES_H
#define HULL_CAPABILITIES_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "oci_types.h"

struct hull_caps {
	bool set; /* process.capabilities present; absent leaves the sets alone */
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* Names to masks.  Every unknown name is reported, in one error; names the
 * running kernel does not know are dropped with a warning. */
int hull_caps_parse(const oci_capabilities *c, const char *where, struct hull_caps *out,
		    hull_error **err);

/* Child, while still privileged: drop what is not in the bounding set. */
int hull_caps_drop_bounding(const struct hull_caps *c, hull_error **err);
/* Child, after the uid change (with keep-caps): the other four sets. */
int hull_caps_apply(const struct hull_caps *c, hull_error **err);

/* The names of all capabilities libcap and the kernel know (features). */
char **hull_caps_known(size_t *n);
/* Whether each of the n caps of want is in our effective set (one capget). */
bool hull_caps_have(const int *want, size_t n);

#endif
