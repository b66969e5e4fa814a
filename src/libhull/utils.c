/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void strv_free_n(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void strvfreep(char ***v)
{
	strv_free(*v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void oom(void)
{
	static const char msg[] = "hull: out of memory\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s ? s : "");

	if (!r)
		oom();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r)
		oom();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		oom();
	va_end(ap);
	return r;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int write_file_at(int dirfd, const char *path, const char *value, size_t len, hull_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return hull_fail_errno(err, "open %s", path);
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hull_fail_errno(err, "write %.*s to %s", (int)(len > 64 ? 64 : len), value,
				       path);
	if ((size_t)n != len)
		return hull_fail(err, EIO, "short write to %s", path);
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, hull_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t cap = 4096, used = 0;
	cleanup_free char *buf = NULL;

	if (fd < 0)
		return hull_fail_errno(err, "open %s", path);
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;
		if (used + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hull_fail_errno(err, "read %s", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = TAKE_PTR(buf);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, hull_error **err)
{
	cleanup_free char *p = xstrdup(path);

	/* The usual case, an existing directory, costs one syscall. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return hull_fail_errno(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return hull_fail_errno(err, "mkdir %s", p);
	return 0;
}

/* Swap tmp in for an existing name, then drop the old file under tmp.
 * Readers see the old or the new file, as with rename; but a rename that
 * replaces a file makes ext4 (auto_da_alloc) start writeback of the new
 * one, and the unlink at delete then waits for that I/O: ~0.5 ms per state
 * save on a disk-backed /run.  An exchange does not.  -1 when the name
 * does not exist yet or the filesystem cannot exchange: rename then. */
static int replace_by_exchange(int dirfd, const char *tmp, const char *name)
{
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) < 0)
		return -1;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      hull_error **err)
{
	cleanup_free char *tmp = xasprintf(".%s.%d.tmp", name, (int)getpid());
	cleanup_close int fd = -1;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return hull_fail_errno(err, "create %s", tmp);
	if (write_all(fd, data, len) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		return hull_fail_sys(err, saved, "write %s", tmp);
	}
	/* No fsync: rename alone makes the replacement atomic for every
	 * reader and survives any crash of hull; a state dir never needs to
	 * survive a power cut (containers don't), and on a disk-backed /run an
	 * fsync per write would cost milliseconds per create. */
	if (replace_by_exchange(dirfd, tmp, name) == 0)
		return 0;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		return hull_fail_sys(err, saved, "rename %s to %s", tmp, name);
	}
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

#ifdef HULL_FAILPOINTS
#include "failpoint.h"
#include <signal.h>

void hull_failpoint(const char *name)
{
	const char *want = getenv("HULL_FAILPOINT");
	size_t n = strlen(name);

	if (!want || strncmp(want, name, n) != 0)
		return;
	if (!want[n])
		raise(SIGKILL);
	if (streq(want + n, "@pause"))
		nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
}
#endif

/* Days since 1970-01-01 to a proleptic Gregorian date (the usual era
 * arithmetic: 400-year eras of 146097 days, years starting in March). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097; /* day of the era, 0..146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* RFC 3339 in UTC.  By hand: glibc's gmtime_r loads the local time zone
 * (/etc/localtime) first, a file read on every create for nothing. */
void timestamp_now(char buf[static 64])
{
	struct timespec ts;
	long long days, secs, y;
	unsigned m, d;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, 64, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60, ts.tv_nsec);
}

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

void hull_fdset_snapshot(struct hull_fdset *s, int n)
{
	int null_fd = -1;

	s->n = n > 0 ? n : 0;
	s->open = xcalloc((size_t)s->n + 1, 1);
	for (int i = 0; i < s->n; i++) {
		s->open[i] = fcntl(3 + i, F_GETFD) >= 0;
		if (s->open[i])
			continue;
		/* A placeholder in the gap keeps hull's own fds (sync socket,
		 * fifo, ...) above the range; the child closes it. */
		if (null_fd < 0)
			null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd >= 0 && null_fd != 3 + i)
			dup3(null_fd, 3 + i, O_CLOEXEC);
		else if (null_fd == 3 + i)
			null_fd = -1; /* it landed in the gap itself: keep it there */
	}
	if (null_fd >= 0)
		close(null_fd);
}

void hull_fdset_free(struct hull_fdset *s)
{
	free(s->open);
	s->open = NULL;
	s->n = 0;
}

void hull_fdset_pass(const struct hull_fdset *s)
{
	for (int i = 0; i < s->n; i++) {
		int fd = 3 + i, fl;
		if (!s->open[i]) {
			close(fd);
			continue;
		}
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
}

static bool fd_kept(int fd, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

int close_fds_from(int from, const int *keep, size_t nkeep)
{
	int lo = from;

	/* close_range over the gaps between kept fds: no /proc needed. */
	for (;;) {
		int next = INT_MAX;
		for (size_t i = 0; i < nkeep; i++)
			if (keep[i] >= lo && keep[i] < next)
				next = keep[i];
		if (next > lo && syscall(SYS_close_range, (unsigned)lo,
					 next == INT_MAX ? ~0U : (unsigned)(next - 1), 0) < 0)
			return -1;
		if (next == INT_MAX)
			return 0;
		lo = next + 1;
		while (fd_kept(lo, keep, nkeep))
			lo++;
	}
}
