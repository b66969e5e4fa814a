/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json: parse, round trip, then what create does with a parsed
 * config before it touches the system: hull_config_validate, the mount
 * plan and the capability sets.
 */
#include "config.h"
#include "fuzz-common.h"

#include "bundle.h"
#include "capabilities.h"
#include "mounts.h"

FUZZ_DEFINE_ROUND_TRIP(config)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_config *cfg = FUZZ_PARSE(config, data, size);
	hull_error *err = NULL;
	int r;

	if (!cfg)
		return 0;
	fuzz_check_process_strv(cfg->process);
	fuzz_check_hooks_strv(cfg->hooks);
	r = hull_config_validate(cfg, &err);
	fuzz_expect_error_message(r, err);
	err = NULL;
	if (r == 0) {
		struct hull_mount_plan plan = {0};
		struct hull_caps caps = {0};

		r = hull_mount_plan_build(cfg, "/fuzz/bundle", &plan, &err);
		fuzz_expect_error_message(r, err);
		err = NULL;
		if (r == 0)
			hull_mount_plan_free(&plan);
		if (cfg->process) {
			r = hull_caps_parse(cfg->process->capabilities, "process.capabilities",
					    &caps, &err);
			fuzz_expect_error_message(r, err);
		}
	}
	oci_config_free(cfg);
	return 0;
}
