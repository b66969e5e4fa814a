/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_SECCOMP_H
#define HULL_SECCOMP_H

#include <stdbool.h>
#include <linux/filter.h>

#include "error.h"
#include "oci_types.h"

/*
 * linux.seccomp is compiled in the parent (libseccomp, then exported as a
 * BPF program), so the child only hands the program to the kernel, as late
 * as possible before execve.
 */
struct hull_seccomp {
	struct sock_fprog prog;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	bool notify;	    /* uses SCMP_ACT_NOTIFY: a listener fd comes back */
	unsigned char *key; /* set when compiled, not taken from the cache */
	size_t key_len;
};

/* cache_root: the state root whose compiled-program cache to use
 * (seccomp-cache.h), or NULL for none. */
int hull_seccomp_compile(const oci_seccomp *s, const char *cache_root, struct hull_seccomp **out,
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
