/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp rule translation: the input is a linux.seccomp object, put into a
 * minimal config, parsed and compiled to a BPF program with
 * hull_seccomp_compile (nothing is loaded).
 */
#include "config.h"
#include "fuzz-common.h"

#include "seccomp.h"

#include <linux/filter.h>

FUZZ_DEFINE_ROUND_TRIP(config)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_config *cfg = FUZZ_PARSE_IN_CONFIG(
	    "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":",
	    data, size, "}}");

	if (cfg && cfg->linux_ && cfg->linux_->seccomp) {
		struct hull_seccomp *s = NULL;
		hull_error *err = NULL;
		int r = hull_seccomp_compile(cfg->linux_->seccomp, NULL, &s, &err);

		FUZZ_CHECK((r == 0) == (s != NULL), "returned %d with program %p", r, (void *)s);
		if (s) {
			FUZZ_CHECK(s->prog.len > 0 && s->prog.filter, "empty program");
			FUZZ_CHECK(!s->notify, "notify filters are refused");
		}
		fuzz_expect_error_message(r, err);
		hull_seccomp_free(s);
	}
	oci_config_free(cfg);
	return 0;
}
