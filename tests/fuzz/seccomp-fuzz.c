/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp rule translation: the input is a linux.seccomp object, put into a
 * minimal config, parsed and compiled to a BPF program with
 * hull_seccomp_compile (nothing is loaded).  Every 16th program also goes
 * through the compiled-program cache (seccomp-cache.h) in a private state
 * root, and what comes back must be the same program.
 */
#include "config.h"
#include "fuzz-common.h"

#include "seccomp.h"

#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char cache_dir[] = "/tmp/hull-fuzz-seccomp.XXXXXX";

static void remove_cache(void)
{
	char cmd[sizeof(cache_dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "seccomp-fuzz: could not remove %s\n", cache_dir);
}

static const char *cache_root(void)
{
	static bool made;

	if (!made && mkdtemp(cache_dir)) {
		made = true;
		atexit(remove_cache);
	}
	return made ? cache_dir : NULL;
}

/* Store s, compile the same profile again: a hit, and the same program. */
static void check_cache(const oci_seccomp *profile, const struct hull_seccomp *s)
{
	const char *root = cache_root();
	struct hull_seccomp *again = NULL;
	hull_error *err = NULL;

	if (!root)
		return;
	hull_seccomp_remember(s, root);
	FUZZ_CHECK(hull_seccomp_compile(profile, root, &again, &err) == 0,
		   "compiles once, not twice: %s", err ? err->msg : "?");
	FUZZ_CHECK(!again->key, "the second compile was not a cache hit");
	FUZZ_CHECK(again->prog.len == s->prog.len &&
		       memcmp(again->prog.filter, s->prog.filter,
			      s->prog.len * sizeof(struct sock_filter)) == 0,
		   "the cache gave back another program");
	hull_seccomp_free(again);
}

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
		static unsigned n;

		if (s) {
			FUZZ_CHECK(s->prog.len > 0 && s->prog.filter, "empty program");
			FUZZ_CHECK(!s->notify, "notify filters are refused");
			FUZZ_CHECK(s->key && s->key_len, "a fresh compile has its cache key");
			if (n++ % 16 == 0)
				check_cache(cfg->linux_->seccomp, s);
		}
		fuzz_expect_error_message(r, err);
		hull_seccomp_free(s);
	}
	oci_config_free(cfg);
	return 0;
}
