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
};

int hull_seccomp_compile(const oci_seccomp *s, struct hull_seccomp **out, hull_error **err);
void hull_seccomp_free(struct hull_seccomp *s);
/* Returns the notify fd (>= 0) when s->notify, 0 otherwise, -1 on error. */
int hull_seccomp_load(const struct hull_seccomp *s, hull_error **err);

/* For features: the names hull understands. */
extern const char *const hull_seccomp_actions[];
extern const char *const hull_seccomp_operators[];
extern const char *const hull_seccomp_archs[];
extern const char *const hull_seccomp_flags[];

#endif
