/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_HOOKS_H
#define HULL_HOOKS_H

#include <stddef.h>

#include "error.h"
#include "oci_types.h"

/*
 * Runs hooks in order: each gets the container state as JSON on stdin and
 * exactly the env its config names (nothing of hull's).  A hook that fails
 * or outlives its timeout is an error naming it (hooks.KIND[i]) and stops
 * the list; hull_hooks_run_all (poststart, poststop: runtime.md says warn
 * and go on) logs a warning per failure and runs the rest.
 */
int hull_hooks_run(oci_hook **hooks, size_t n, const char *kind, const char *state_json,
		   hull_error **err);
void hull_hooks_run_all(oci_hook **hooks, size_t n, const char *kind, const char *state_json);

#endif
