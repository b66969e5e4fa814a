/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "state.h"
#include "cgroup.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ID_MAX 255 /* one path component */

int hull_id_validate(const char *id, hull_error **err)
{
	size_t len;

	if (!id || !*id)
		return hull_fail(err, EINVAL, "container ID must not be empty");
	len = strlen(id);
	if (len > ID_MAX)
		return hull_fail(err, EINVAL, "container ID is %zu bytes long (at most %d allowed)",
				 len, ID_MAX);
	/* A leading dot would hide it from list (and .tmp is hull's own). */
	if (id[0] == '.')
		return hull_fail(err, EINVAL,
				 "invalid container ID \"%.64s\": must not start with \".\"", id);
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || c == '.' || c == '+')
			continue;
		return hull_fail(err, EINVAL,
				 "invalid container ID \"%.64s\": only letters, digits and _ + - . "
				 "are allowed",
				 id);
	}
	return 0;
}

int hull_store_open(const char *root, bool create, hull_store **out, hull_error **err)
{
	hull_store *s;
	int fd;

	if (create && mkdir_p(root, 0700, err) < 0)
		return hull_error_prefix(err, "state root");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !create) {
			/* An empty store: nothing was ever created here. */
			s = xcalloc(1, sizeof(*s));
			s->root = xstrdup(root);
			s->rootfd = -1;
			*out = s;
			return 0;
		}
		return hull_fail_errno(err, "open state root %s", root);
	}
	s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(root);
	s->rootfd = fd;
	*out = s;
	return 0;
}

void hull_store_free(hull_store *s)
{
	if (!s)
		return;
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	free(s);
}

void hull_store_freep(hull_store **s)
{
	hull_store_free(*s);
}

void hull_cdir_free(hull_cdir *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->id);
	free(c->path);
	free(c);
}

void hull_cdir_freep(hull_cdir **c)
{
	hull_cdir_free(*c);
}

static hull_cdir *cdir_new(hull_store *s, const char *id, int fd)
{
	hull_cdir *c = xcalloc(1, sizeof(*c));

	c->id = xstrdup(id);
	c->path = xasprintf("%s/%s", s->root, id);
	c->dirfd = fd;
	return c;
}

static int lock_fd(int fd, int how)
{
	int r;

	do
		r = flock(fd, how);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Removes the regular files and fifos in a container dir, then the dir. */
static int remove_dir_at(int rootfd, const char *name, hull_error **err)
{
	cleanup_close int fd =
	    openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT ? 0 : hull_fail_errno(err, "open %s", name);
	d = fdopendir(fd);
	if (!d)
		return hull_fail_errno(err, "read %s", name);
	fd = -1; /* owned by d */
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			return hull_fail_errno(err, "remove %s/%s", name, de->d_name);
	}
	if (unlinkat(rootfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hull_fail_errno(err, "remove %s", name);
	return 0;
}

/* A directory left by a create that died: locked by nobody, and either no
 * state at all or one still marked creating.  Its resources go first. */
static int reclaim_stale(hull_store *s, const char *id, hull_error **err)
{
	cleanup_close int fd =
	    openat(s->rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;
	hull_error *lerr = NULL;
	int r;

	if (fd < 0)
		return errno == ENOENT ? 0 : hull_fail_errno(err, "open %s/%s", s->root, id);
	if (lock_fd(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return hull_fail(err, EEXIST, "container \"%s\" already exists", id);
		return hull_fail_errno(err, "lock %s/%s", s->root, id);
	}
	c = cdir_new(s, id, TAKE_FD(fd));
	r = hull_state_load(c, &st, &lerr);
	hull_error_free(lerr);
	if (r == 0 && !st->creating) {
		oci_hull_state_free(st);
		return hull_fail(err, EEXIST, "container \"%s\" already exists", id);
	}
	if (r == 0) {
		/* Half-created: kill what it started, drop its cgroups.  The
		 * pid is saved only with the final state: what the dead create
		 * started is found through its cgroups. */
		cleanup_cgroup hull_cgroup *cg = NULL;
		if (st->pid > 0 && hull_pid_alive(st->pid, st->pid_start_time))
			kill(st->pid, SIGKILL);
		if (st->cgroup_paths && st->cgroup_paths->len &&
		    hull_cgroup_load(st, &cg, NULL) == 0)
			hull_cgroup_kill_all(cg, SIGKILL, NULL);
		hull_cgroup_destroy_from_state(st, NULL);
		oci_hull_state_free(st);
	}
	return remove_dir_at(s->rootfd, id, err);
}

#define TMP_DIR ".tmp" /* ROOT/.tmp/.new-PID-N: creates before their rename */

/* .new-PID-N left by a create killed before its rename: its creator is
 * gone and nobody holds its lock.  They live in ROOT/.tmp, so this scan
 * stays short however many containers the root holds. */
static void remove_stray_temps(int tmpfd)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	int fd = openat(tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		int pid = 0, tfd;
		unsigned n;
		char tail;

		if (sscanf(de->d_name, ".new-%d-%u%c", &pid, &n, &tail) != 2 || pid <= 0 ||
		    pid == (int)getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		tfd = openat(tmpfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (tfd < 0)
			continue;
		if (lock_fd(tfd, LOCK_EX | LOCK_NB) == 0)
			remove_dir_at(tmpfd, de->d_name, NULL);
		close(tfd);
	}
}

static int open_tmp_dir(hull_store *s, hull_error **err)
{
	int fd;

	if (mkdirat(s->rootfd, TMP_DIR, 0700) < 0 && errno != EEXIST)
		return hull_fail_errno(err, "create %s/" TMP_DIR, s->root);
	fd = openat(s->rootfd, TMP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_fail_errno(err, "open %s/" TMP_DIR, s->root);
	return fd;
}

int hull_cdir_reserve(hull_store *s, const char *id, hull_cdir **out, hull_error **err)
{
	static unsigned counter;
	char tmp[64];
	cleanup_close int fd = -1, tmpfd = -1;

	if (hull_id_validate(id, err) < 0)
		return -1;
	if (s->rootfd < 0)
		return hull_fail(err, ENOENT, "state root %s does not exist", s->root);
	tmpfd = open_tmp_dir(s, err);
	if (tmpfd < 0)
		return -1;
	remove_stray_temps(tmpfd);
	snprintf(tmp, sizeof(tmp), ".new-%d-%u", (int)getpid(), counter++);
	if (mkdirat(tmpfd, tmp, 0711) < 0)
		return hull_fail_errno(err, "create %s/" TMP_DIR "/%s", s->root, tmp);
	fd = openat(tmpfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || lock_fd(fd, LOCK_EX) < 0) {
		int saved = errno;
		unlinkat(tmpfd, tmp, AT_REMOVEDIR);
		return hull_fail_sys(err, saved, "lock %s/" TMP_DIR "/%s", s->root, tmp);
	}
	for (int attempt = 0;; attempt++) {
		if (renameat2(tmpfd, tmp, s->rootfd, id, RENAME_NOREPLACE) == 0)
			break;
		if ((errno != EEXIST && errno != ENOTEMPTY) || attempt == 2 ||
		    reclaim_stale(s, id, err) < 0) {
			int saved = errno;
			unlinkat(tmpfd, tmp, AT_REMOVEDIR);
			if (err && *err)
				return -1;
			return hull_fail_sys(err, saved, "create %s/%s", s->root, id);
		}
	}
	*out = cdir_new(s, id, TAKE_FD(fd));
	return 0;
}

int hull_cdir_open(hull_store *s, const char *id, int lock, hull_cdir **out, hull_error **err)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (hull_id_validate(id, err) < 0)
		return -1;
	if (s->rootfd >= 0)
		fd = openat(s->rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (s->rootfd < 0 || errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return hull_fail(err, ENOENT, "container \"%s\" does not exist", id);
		return hull_fail_errno(err, "open %s/%s", s->root, id);
	}
	if (lock && lock_fd(fd, lock) < 0)
		return hull_fail_errno(err, "lock %s/%s", s->root, id);
	/* A delete may have removed it while we waited for the lock (without
	 * one there was no wait: a delete can come at any time anyway). */
	if (lock && fstat(fd, &st) < 0)
		return hull_fail_errno(err, "stat %s/%s", s->root, id);
	if (lock && st.st_nlink == 0)
		return hull_fail(err, ENOENT, "container \"%s\" does not exist", id);
	*out = cdir_new(s, id, TAKE_FD(fd));
	return 0;
}

bool hull_cdir_busy(hull_cdir *c)
{
	cleanup_close int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* A second open file description: our own lock (if any) doesn't count. */
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	return false;
}

int hull_cdir_remove(hull_store *s, hull_cdir *c, hull_error **err)
{
	return remove_dir_at(s->rootfd, c->id, err);
}

int hull_state_load(hull_cdir *c, oci_hull_state **out, hull_error **err)
{
	cleanup_free char *data = NULL, *perr = NULL;
	size_t len;

	if (read_file_at(c->dirfd, HULL_STATE_FILE, &data, &len, err) < 0) {
		if (errno == ENOENT) {
			hull_error_freep(err);
			return hull_fail(err, ENOENT,
					 "container \"%s\" has no state (being created?)", c->id);
		}
		return -1;
	}
	*out = oci_hull_state_parse_data(data, len, HULL_STATE_FILE, &perr);
	if (!*out)
		return hull_fail(err, EINVAL, "%s: %s", c->path, perr);
	return 0;
}

int hull_state_save(hull_cdir *c, const oci_hull_state *st, hull_error **err)
{
	cleanup_free char *perr = NULL, *data = NULL;
	size_t len;

	data = oci_hull_state_serialize(st, false, &len, &perr);
	if (!data)
		return hull_fail(err, EINVAL, "serialize state: %s", perr);
	if (write_file_atomic(c->dirfd, HULL_STATE_FILE, data, len, 0600, err) < 0)
		return hull_error_prefix(err, "%s", c->path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hull_store_list(hull_store *s, char ***ids, size_t *n, hull_error **err)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	size_t cap = 16, count = 0;
	char **v;
	int fd;

	*ids = NULL;
	*n = 0;
	if (s->rootfd < 0)
		return 0;
	fd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return hull_fail_errno(err, "read %s", s->root);
	}
	v = xcalloc(cap, sizeof(*v));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (count + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = xstrdup(de->d_name);
	}
	v[count] = NULL;
	qsort(v, count, sizeof(*v), cmp_str);
	*ids = v;
	*n = count;
	return 0;
}

int hull_pid_start_time(pid_t pid, uint64_t *start, char *state)
{
	char path[64], buf[1024], *p;
	cleanup_close int fd = -1;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	*start = strtoull(p, NULL, 10);
	return 0;
}

bool hull_pid_alive(pid_t pid, uint64_t start_time)
{
	uint64_t st;
	char state;

	if (pid <= 0 || hull_pid_start_time(pid, &st, &state) < 0)
		return false;
	if (state == 'Z' || state == 'X')
		return false;
	return start_time == 0 || st == start_time;
}

const char *hull_status_name(enum hull_status s)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};

	return names[s];
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The init holds exec.fifo's read end until its execve closes it: a fifo
 * nobody holds any more (a start that died after writing it) means the
 * user's process runs.  The state says at which fd (one stat, which keeps
 * list cheap); a state without it has the init's fds searched. */
static bool init_holds(const oci_hull_state *st, const struct stat *fifo)
{
	char path[64];
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	struct stat sb;

	if (st->init_fifo_fd_present) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)st->pid, (int)st->init_fifo_fd);
		if (stat(path, &sb) == 0)
			return same_file(&sb, fifo);
		return errno != ENOENT; /* cannot tell: trust the fifo */
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)st->pid);
	d = opendir(path);
	if (!d)
		return true; /* cannot tell: trust the fifo */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, 0) == 0 && same_file(&sb, fifo))
			return true;
	}
	return false;
}

enum hull_status hull_state_status(hull_cdir *c, const oci_hull_state *st)
{
	struct stat sb;

	if (st->creating)
		return hull_cdir_busy(c) ? HULL_STATUS_CREATING : HULL_STATUS_STOPPED;
	if (!hull_pid_alive(st->pid, st->pid_start_time))
		return HULL_STATUS_STOPPED;
	if (fstatat(c->dirfd, HULL_FIFO_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0 && init_holds(st, &sb))
		return HULL_STATUS_CREATED;
	if (hull_cgroup_is_frozen_from_state(st))
		return HULL_STATUS_PAUSED;
	return HULL_STATUS_RUNNING;
}

char *hull_timestamp_now(void)
{
	char buf[64];

	timestamp_now(buf);
	return xstrdup(buf);
}
