/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp rule translation: the input is a linux.seccomp object, put into a
 * minimal config, parsed and compiled to a BPF program with
 * hull_seccomp_compile (nothing is loaded).  Every 16th program also goes
 * through the compiled-program cache (seccomp-cache.h) in a private state
 * root, and what comes back must be the same program.
 *
 * A profile that allows by default may be compiled as several filters
 * (seccomp.h).  Every profile is also compiled as one filter and as one
 * filter per syscall, and all three must give the same answer, as the
 * kernel combines filters (bpf-eval.h), for syscalls, arguments and
 * architectures drawn from the profile itself and at random.
 */
#include "config.h"
#include "fuzz-common.h"

#include "bpf-eval.h"
#include "seccomp.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>
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
	FUZZ_CHECK(again->nprogs == s->nprogs, "the cache gave back %zu programs, not %zu",
		   again->nprogs, s->nprogs);
	for (size_t i = 0; i < s->nprogs; i++)
		FUZZ_CHECK(again->progs[i].len == s->progs[i].len &&
			       memcmp(again->progs[i].filter, s->progs[i].filter,
				      s->progs[i].len * sizeof(struct sock_filter)) == 0,
			   "the cache gave back another program %zu", i);
	hull_seccomp_free(again);
}

/* xorshift64*, seeded by the input: the same input draws the same samples. */
static uint64_t draw(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ULL;
}

/* A value an argument comparison of the profile names, near it, or noise. */
static uint64_t draw_arg(const oci_seccomp *p, uint64_t *st)
{
	uint64_t r = draw(st);

	for (size_t i = 0; i < p->syscalls_len && r % 4 != 0; i++) {
		const oci_syscall *sc = p->syscalls[(r >> 8) % p->syscalls_len];
		if (sc->args_len) {
			const oci_syscall_arg *a = sc->args[(r >> 16) % sc->args_len];
			uint64_t v = (r >> 24) % 2 ? a->value : a->value_two;
			return v + (uint64_t)((int)((r >> 32) % 3) - 1);
		}
		r = draw(st);
	}
	return draw(st);
}

static void draw_sample(const oci_seccomp *p, uint64_t *st, struct seccomp_data *d)
{
	uint64_t r = draw(st);
	uint32_t arch = r % 8 == 0   ? SCMP_ARCH_X86
			: r % 8 == 1 ? (uint32_t)draw(st)
				     : seccomp_arch_native();
	int nr = (int)(draw(st) % 512);

	if (p->syscalls_len && (r >> 8) % 5 != 0) {
		const oci_syscall *sc = p->syscalls[(r >> 16) % p->syscalls_len];
		if (sc->names_len) {
			const char *name = sc->names[(r >> 24) % sc->names_len];
			int n = seccomp_syscall_resolve_name_arch(arch, name);
			if (n >= 0)
				nr = n;
		}
	}
	if (arch == AUDIT_ARCH_X86_64 && (r >> 40) % 16 == 0)
		nr |= 0x40000000; /* the x32 ABI */
	memset(d, 0, sizeof(*d));
	d->nr = nr;
	d->arch = arch;
	for (int i = 0; i < 6; i++)
		d->args[i] = draw_arg(p, st);
}

/* One filter, one per syscall, and hull's own split: the same answers. */
static void check_split(const oci_seccomp *p, const struct hull_seccomp *s, const uint8_t *data,
			size_t size)
{
	struct hull_seccomp *whole = NULL, *each = NULL;
	hull_error *err = NULL;
	uint64_t st = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < size; i++)
		st = (st ^ data[i]) * 1099511628211ULL;
	st |= 1;
	FUZZ_CHECK(hull_seccomp_compile_split(p, 0, &whole, &err) == 0, "whole: %s",
		   err ? err->msg : "?");
	FUZZ_CHECK(hull_seccomp_compile_split(p, 1, &each, &err) == 0, "split: %s",
		   err ? err->msg : "?");
	FUZZ_CHECK(whole->nprogs == 1, "split at 0 rules gave %zu filters", whole->nprogs);
	for (int i = 0; i < 256; i++) {
		struct seccomp_data d;
		uint32_t a, b, c;

		draw_sample(p, &st, &d);
		FUZZ_CHECK(bpf_eval_all(whole->progs, whole->nprogs, &d, &a), "whole filter fails");
		FUZZ_CHECK(bpf_eval_all(each->progs, each->nprogs, &d, &b), "split filters fail");
		FUZZ_CHECK(bpf_eval_all(s->progs, s->nprogs, &d, &c), "hull's filters fail");
		FUZZ_CHECK(a == b && a == c,
			   "nr %d arch 0x%x args %llx %llx: one filter says 0x%x, one per syscall "
			   "(%zu) 0x%x, hull's (%zu) 0x%x",
			   d.nr, d.arch, (unsigned long long)d.args[0],
			   (unsigned long long)d.args[1], a, each->nprogs, b, s->nprogs, c);
	}
	hull_seccomp_free(whole);
	hull_seccomp_free(each);
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
			FUZZ_CHECK(s->nprogs > 0, "no program");
			for (size_t i = 0; i < s->nprogs; i++)
				FUZZ_CHECK(s->progs[i].len > 0 && s->progs[i].filter,
					   "empty program %zu", i);
			FUZZ_CHECK(!s->notify, "notify filters are refused");
			FUZZ_CHECK(s->key && s->key_len, "a fresh compile has its cache key");
			if (n++ % 16 == 0)
				check_cache(cfg->linux_->seccomp, s);
			check_split(cfg->linux_->seccomp, s, data, size);
		}
		fuzz_expect_error_message(r, err);
		hull_seccomp_free(s);
	}
	oci_config_free(cfg);
	return 0;
}
