/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_UTILS_H
#define HULL_UTILS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "error.h"

/* Cleanup helpers: every early return frees and closes.  Hand ownership
 * on with TAKE_PTR / TAKE_FD. */
static inline void freep(void *p)
{
	free(*(void **)p);
}
void closep(int *fd);
void fclosep(FILE **f);
void closedirp(DIR **d);
void strvfreep(char ***v);

#define cleanup_free	 __attribute__((cleanup(freep)))
#define cleanup_close	 __attribute__((cleanup(closep)))
#define cleanup_fclose	 __attribute__((cleanup(fclosep)))
#define cleanup_closedir __attribute__((cleanup(closedirp)))
#define cleanup_strv	 __attribute__((cleanup(strvfreep)))

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b)   (strcmp((a), (b)) == 0)

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void strv_free(char **v);
/* Frees a counted array of strings (the generated types' []string). */
void strv_free_n(char **v, size_t n);
size_t strv_len(char *const *v);

/* Retrying, complete I/O: return 0 or -1 with errno set. */
int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* Writes a small value to an existing file (sysfs, procfs, cgroupfs) with
 * one write(2), as those files need.  dirfd may be AT_FDCWD. */
int write_file_at(int dirfd, const char *path, const char *value, size_t len, hull_error **err);
/* Reads a whole (small or procfs) file into a NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, hull_error **err);

/* Creates path (and its parents) with mode; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, hull_error **err);

/* Atomically replaces dirfd/name with data: temp file, then rename. */
int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      hull_error **err);

/* Parses a decimal integer with range check; 0 or -1 (errno EINVAL/ERANGE). */
int parse_long(const char *s, long min, long max, long *out);

/* Now as RFC 3339 in UTC with nanoseconds ("2026-12-01T18:00:00.123456789Z"). */
void timestamp_now(char buf[static 64]);

/* Monotonic time in nanoseconds, for --debug phase timings. */
unsigned long long now_ns(void);

/* --preserve-fds N: which of the caller's fds 3..3+N-1 were open when hull
 * started the operation, so that only those reach the container (an fd
 * hull opened later in a gap of that range must not). */
struct hull_fdset {
	int n;
	unsigned char *open; /* open[i]: fd 3+i */
};
void hull_fdset_snapshot(struct hull_fdset *s, int n);
void hull_fdset_free(struct hull_fdset *s);
/* In the child right before execve: the recorded fds lose O_CLOEXEC, any
 * other fd of the range is closed. */
void hull_fdset_pass(const struct hull_fdset *s);

/* Closes every fd >= from except those in keep[] (sorted not required). */
int close_fds_from(int from, const int *keep, size_t nkeep);

#endif
