/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_SECCOMP_H
#define HULL_SECCOMP_H

#include <stdbool.h>
#include <linux/filter.h>

#include "error.h"
#include "oci_types.h"

/*
 * linux.seccomp is compiled in the parent (libseccomp, then exported as
 * BPF), so the child only hands the programs to the kernel, as late as
 * possible before execve.
 *
 * Usually one program.  libseccomp's code generator is super-linear in
 * the size of a filter (100 syscalls with 10 rules each: 67 ms, ten
 * times 10 with 10: 10 x 0.2 ms), so a large profile that allows by
 * default is compiled as several filters, each holding all the rules of
 * some syscalls and allowing everything else.  The kernel runs every
 * filter and takes the most restrictive answer; allow is the least, so
 * for any syscall the answer is the one filter that has its rules, as
 * if it were one filter.  Syscalls libseccomp multiplexes on some
 * architectures (the socketcall and ipc families) stay in one filter.
 */
struct hull_seccomp {
	struct sock_fprog *progs; /* loaded in this order */
	size_t nprogs;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	bool notify;	    /* uses SCMP_ACT_NOTIFY: a listener fd comes back */
	unsigned char *key; /* set when compiled, not taken from the cache */
	size_t key_len;
};

/* Rules per filter above which a default-allow profile is split. */
#define HULL_SECCOMP_SPLIT_RULES 128

/* cache_root: the state root whose compiled-program cache to use
 * (seccomp-cache.h), or NULL for none. */
int hull_seccomp_compile(const oci_seccomp *s, const char *cache_root, struct hull_seccomp **out,
			 hull_error **err);
/* The same without the cache, splitting at split_rules rules per filter
 * (0: never): for tests that compare split and whole programs. */
int hull_seccomp_compile_split(const oci_seccomp *s, size_t split_rules, struct hull_seccomp **out,
			       hull_error **err);
/* Puts a freshly compiled program into cache_root's cache; called once
 * the container (or exec) it was compiled for has started, so a failed
 * create leaves nothing behind. */
void hull_seccomp_remember(const struct hull_seccomp *s, const char *cache_root);
void hull_seccomp_free(struct hull_seccomp *s);
/* Returns the notify fd (>= 0) when s->notify, 0 otherwise, -1 on error. */
int hull_seccomp_load(const struct hull_seccomp *s, hull_error **err);

/* For features: the names hull understands. */
extern const char *const hull_seccomp_actions[];
extern const char *const hull_seccomp_operators[];
extern const char *const hull_seccomp_archs[];
extern const char *const hull_seccomp_flags[];

#endif
