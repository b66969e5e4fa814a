/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_SECCOMP_CACHE_H
#define HULL_SECCOMP_CACHE_H

#include <stddef.h>
#include <linux/filter.h>

/*
 * Compiled seccomp programs, kept in STATE_ROOT/.seccomp.  libseccomp's
 * compiler is super-linear in the filter's size (podman's default profile,
 * one filter, costs ~18 ms), and engines give every container the same
 * profile, so a profile's programs are compiled once per state root.
 *
 * The key is the whole resolved rule set (seccomp.c builds it, with the
 * libseccomp version), stored beside the program and compared byte for
 * byte on every hit: a hash only picks the file, never decides a match.
 * At most HULL_SECCOMP_CACHE_SLOTS files exist; profiles that share a
 * slot replace each other.  Files are trusted only when they are regular,
 * owned by us and writable by nobody else, in a directory of the same.
 * Every failure is a miss: the cache only ever saves time.
 */
#define HULL_SECCOMP_CACHE_SLOTS 32

/* 0 on a hit, with *progs (and each filter) malloc'd; -1 on a miss. */
int hull_seccomp_cache_get(const char *root, const void *key, size_t key_len,
			   struct sock_fprog **progs, size_t *nprogs);
void hull_seccomp_cache_put(const char *root, const void *key, size_t key_len,
			    const struct sock_fprog *progs, size_t nprogs);

#endif
