/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.json (exec --process): parse, round trip, hull_process_validate
 * and the capability sets, as exec does.
 */
#include "config.h"
#include "fuzz-common.h"

#include "bundle.h"
#include "capabilities.h"

FUZZ_DEFINE_ROUND_TRIP(process)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_process *p = FUZZ_PARSE(process, data, size);
	hull_error *err = NULL;
	struct hull_caps caps = {0};
	int r;

	if (!p)
		return 0;
	fuzz_check_process_strv(p);
	r = hull_process_validate(p, "--process: process", &err);
	fuzz_expect_error_message(r, err);
	err = NULL;
	r = hull_caps_parse(p->capabilities, "process.capabilities", &caps, &err);
	fuzz_expect_error_message(r, err);
	oci_process_free(p);
	return 0;
}
