/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_HOOKS_H
#define HULL_HOOKS_H

#include <stddef.h>

#include "error.h"
#include "oci_types.h"

/*
 * Runs hooks in order: each gets the container state as JSON on stdin and
 * exactly the env its config names (nothing of hull's).  A hook that fails
 * or outlives its timeout is an error naming it (hooks.KIND[i]); whether
 * that error is fatal is the caller's choice (poststart and poststop only
 * warn, as runtime.md says).
 */
int hull_hooks_run(oci_hook **hooks, size_t n, const char *kind, const char *state_json,
		   hull_error **err);

#endif
