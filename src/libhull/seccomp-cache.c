/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "seccomp-cache.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_DIR ".seccomp"
#define MAGIC	  "HULLBPF2"
#define MAX_FILE  (16u << 20)
#define MAX_PROGS 1024

/* The file: this header, the key, nprogs lengths (uint32_t), then the
 * programs' instructions one after the other. */
struct header {
	char magic[8];
	uint64_t key_len;
	uint64_t nprogs;
	uint64_t insns; /* of all programs */
	uint64_t
	    prog_sum; /* of lengths and instructions: catches a damaged file, not a forged one */
};

/* FNV-1a: spreads keys over the slots, sums the program. */
static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Ours and writable by nobody else; st gets what fstat said. */
static bool trusted(int fd, bool dir, struct stat *st)
{
	return fstat(fd, st) == 0 && st->st_uid == geteuid() && !(st->st_mode & 022) &&
	       (dir ? S_ISDIR(st->st_mode) : S_ISREG(st->st_mode));
}

/* The cache directory of root; made on put only.  Never makes root. */
static int open_cache_dir(const char *root, bool create)
{
	cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int fd;

	if (rootfd < 0)
		return -1;
	if (create && mkdirat(rootfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(rootfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !trusted(fd, true, &st)) {
		hull_debug("seccomp cache %s/%s: not ours alone, not used", root, CACHE_DIR);
		close(fd);
		return -1;
	}
	return fd;
}

static void slot_name(char buf[static 16], const void *key, size_t key_len)
{
	snprintf(buf, 16, "%02u.bpf", (unsigned)(fnv1a(key, key_len) % HULL_SECCOMP_CACHE_SLOTS));
}

static void free_progs(struct sock_fprog *progs, size_t n)
{
	for (size_t i = 0; progs && i < n; i++)
		free(progs[i].filter);
	free(progs);
}

/* Cuts the concatenated instructions into programs of the given lengths. */
static struct sock_fprog *split_insns(const struct sock_filter *insns, const uint32_t *lens,
				      size_t n, uint64_t total)
{
	struct sock_fprog *progs = xcalloc(n, sizeof(*progs));
	uint64_t at = 0;

	for (size_t i = 0; i < n; i++) {
		if (lens[i] == 0 || lens[i] > 0xffff || at + lens[i] > total) {
			free_progs(progs, n);
			return NULL;
		}
		progs[i].len = (unsigned short)lens[i];
		progs[i].filter = xmalloc(lens[i] * sizeof(struct sock_filter));
		memcpy(progs[i].filter, insns + at, lens[i] * sizeof(struct sock_filter));
		at += lens[i];
	}
	if (at != total) {
		free_progs(progs, n);
		return NULL;
	}
	return progs;
}

static int read_entry(int fd, const void *key, size_t key_len, struct sock_fprog **progs,
		      size_t *nprogs)
{
	struct header h;
	struct stat st;
	cleanup_free unsigned char *stored_key = NULL, *body = NULL;
	size_t lens_size, insns_size;

	if (!trusted(fd, false, &st) || (uint64_t)st.st_size > MAX_FILE ||
	    read_all(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) || memcmp(h.magic, MAGIC, 8) ||
	    h.key_len != key_len || h.nprogs == 0 || h.nprogs > MAX_PROGS || h.insns == 0 ||
	    h.insns > MAX_FILE / sizeof(struct sock_filter))
		return -1;
	lens_size = (size_t)h.nprogs * sizeof(uint32_t);
	insns_size = (size_t)h.insns * sizeof(struct sock_filter);
	if ((uint64_t)st.st_size != sizeof(h) + key_len + lens_size + insns_size)
		return -1;
	stored_key = xmalloc(key_len);
	body = xmalloc(lens_size + insns_size);
	if (read_all(fd, stored_key, key_len) != (ssize_t)key_len ||
	    memcmp(stored_key, key, key_len) != 0 ||
	    read_all(fd, body, lens_size + insns_size) != (ssize_t)(lens_size + insns_size) ||
	    fnv1a(body, lens_size + insns_size) != h.prog_sum)
		return -1;
	*progs = split_insns((const struct sock_filter *)(body + lens_size), (const uint32_t *)body,
			     (size_t)h.nprogs, h.insns);
	if (!*progs)
		return -1;
	*nprogs = (size_t)h.nprogs;
	return 0;
}

int hull_seccomp_cache_get(const char *root, const void *key, size_t key_len,
			   struct sock_fprog **progs, size_t *nprogs)
{
	cleanup_close int dirfd = -1, fd = -1;
	char name[16];

	if (!root || (dirfd = open_cache_dir(root, false)) < 0)
		return -1;
	slot_name(name, key, key_len);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || read_entry(fd, key, key_len, progs, nprogs) < 0)
		return -1;
	hull_debug("seccomp: compiled program from %s/%s/%s", root, CACHE_DIR, name);
	return 0;
}

void hull_seccomp_cache_put(const char *root, const void *key, size_t key_len,
			    const struct sock_fprog *progs, size_t nprogs)
{
	cleanup_close int dirfd = -1;
	cleanup_free unsigned char *buf = NULL;
	struct header h = {.key_len = key_len, .nprogs = nprogs};
	size_t lens_size = nprogs * sizeof(uint32_t), insns_size, size;
	unsigned char *at;
	hull_error *err = NULL;
	char name[16];

	for (size_t i = 0; i < nprogs; i++)
		h.insns += progs[i].len;
	insns_size = (size_t)h.insns * sizeof(struct sock_filter);
	size = sizeof(h) + key_len + lens_size + insns_size;
	if (!root || nprogs == 0 || nprogs > MAX_PROGS || size > MAX_FILE ||
	    (dirfd = open_cache_dir(root, true)) < 0)
		return;
	memcpy(h.magic, MAGIC, 8);
	buf = xmalloc(size);
	at = buf + sizeof(h) + key_len;
	for (size_t i = 0; i < nprogs; i++) {
		uint32_t len = progs[i].len;
		memcpy(at + i * sizeof(len), &len, sizeof(len));
	}
	at += lens_size;
	for (size_t i = 0; i < nprogs; i++) {
		memcpy(at, progs[i].filter, progs[i].len * sizeof(struct sock_filter));
		at += progs[i].len * sizeof(struct sock_filter);
	}
	h.prog_sum = fnv1a(buf + sizeof(h) + key_len, lens_size + insns_size);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), key, key_len);
	slot_name(name, key, key_len);
	if (write_file_atomic(dirfd, name, buf, size, 0600, &err) < 0) {
		hull_debug("seccomp cache: %s", err->msg);
		hull_error_free(err);
	}
}
