/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount option parsing and the mount plan: the input is a config's mounts
 * array, put into a minimal config; hull_mount_plan_build (which runs
 * hull_mount_parse_options on every mount) turns it into the plan that the
 * child would execute, and --debug prints it (into /dev/null here).
 */
#include "config.h"
/* debug logging on: hull_mount_plan_debug runs too */
#define FUZZ_CUSTOM_INIT
#include "fuzz-common.h"

#include "mounts.h"

#include <linux/mount.h>

FUZZ_DEFINE_ROUND_TRIP(config)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	hull_error *err = NULL;

	if (hull_log_open("/dev/null", true, &err) < 0)
		abort();
	hull_log_set_level(HULL_LOG_DEBUG);
	return 0;
}

static void check_plan(const oci_config *cfg, const struct hull_mount_plan *p)
{
	FUZZ_CHECK(p->n == cfg->mounts_len, "%zu mounts planned for %zu", p->n, cfg->mounts_len);
	for (size_t i = 0; i < p->n; i++) {
		const struct hull_mount *m = &p->m[i];

		FUZZ_CHECK(m->index == i, "mount %zu has index %zu", i, m->index);
		FUZZ_CHECK(m->dest && *m->dest, "mount %zu: empty destination", i);
		FUZZ_CHECK(m->source && *m->source, "mount %zu: no source", i);
		if (m->kind == HULL_MOUNT_BIND)
			FUZZ_CHECK(m->source[0] == '/' && !m->fstype,
				   "bind %zu: source \"%s\" not absolute", i, m->source);
		else
			FUZZ_CHECK(m->fstype && *m->fstype, "mount %zu: no filesystem type", i);
		FUZZ_CHECK(!(m->rec_set & m->rec_clear & ~(uint64_t)MOUNT_ATTR__ATIME),
			   "mount %zu: attributes 0x%llx both set and cleared", i,
			   (unsigned long long)(m->rec_set & m->rec_clear));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_config *cfg = FUZZ_PARSE_IN_CONFIG(
	    "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{},\"mounts\":",
	    data, size, "}");
	struct hull_mount_plan plan = {0};
	hull_error *err = NULL;
	int r;

	if (!cfg)
		return 0;
	r = hull_mount_plan_build(cfg, "/fuzz/bundle", &plan, &err);
	fuzz_expect_error_message(r, err);
	if (r == 0) {
		check_plan(cfg, &plan);
		hull_mount_plan_debug(&plan);
		hull_mount_plan_free(&plan);
	}
	/* The options of each mount on their own, as the tests use them. */
	for (size_t i = 0; i < cfg->mounts_len; i++) {
		struct hull_mount m = {0};

		err = NULL;
		r = hull_mount_parse_options(cfg->mounts[i]->options, cfg->mounts[i]->options_len,
					     &m, "mounts[0]", &err);
		fuzz_expect_error_message(r, err);
		free(m.data);
	}
	oci_config_free(cfg);
	return 0;
}
