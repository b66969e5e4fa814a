/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state documents: hull's own state.json (read by every command), the
 * OCI state (given to hooks) and the seccomp agent's process state.  The
 * same input goes to all three parsers.
 */
#include "config.h"
#include "fuzz-common.h"

FUZZ_DEFINE_ROUND_TRIP(hull_state)
FUZZ_DEFINE_ROUND_TRIP(state)
FUZZ_DEFINE_ROUND_TRIP(process_state)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_hull_state *st = FUZZ_PARSE(hull_state, data, size);

	/* delete runs the poststop hooks kept in state.json */
	if (st)
		fuzz_check_hooks_strv(st->hooks);
	oci_hull_state_free(st);
	oci_state_free(FUZZ_PARSE(state, data, size));
	oci_process_state_free(FUZZ_PARSE(process_state, data, size));
	return 0;
}
