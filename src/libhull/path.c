/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "path.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_DEPTH    256
#define MAX_SYMLINKS 40

const char *hull_fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

int hull_mount_on(const char *source, int fd, const char *fstype, unsigned long flags,
		  const void *data)
{
	char target[32];

	if (fchdir(fd) == 0)
		return mount(source, ".", fstype, flags, data);
	/* not a directory (a file, a device node), or not searchable */
	return mount(source, hull_fd_path(fd, target), fstype, flags, data);
}

int hull_bind_self(int fd, unsigned long flags)
{
	char path[32];

	if (fchdir(fd) == 0)
		return mount(".", ".", NULL, flags, NULL);
	hull_fd_path(fd, path);
	return mount(path, path, NULL, flags, NULL);
}

static bool openat2_disabled(void)
{
	static int disabled = -1;

	if (disabled < 0) {
		const char *e = getenv("HULL_TEST_NO_OPENAT2");
		disabled = e && *e && !streq(e, "0");
	}
	return disabled;
}

/* The walk: a stack of directory fds from the root, so ".." pops and
 * never climbs above rootfd. */
static int walk_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	int stack[MAX_DEPTH];
	int depth = 0, links = 0, result = -1, saved;
	char *buf = xstrdup(path), *rest = buf, *comp;

	stack[0] = dup(rootfd);
	if (stack[0] < 0)
		goto out;
	for (;;) {
		struct stat st;
		int fd;
		bool last;

		while (*rest == '/')
			rest++;
		if (!*rest) {
			/* the path names the directory we stand in */
			if (flags & O_PATH)
				result = TAKE_FD(stack[depth]);
			else
				result = openat(stack[depth], ".", flags | O_CLOEXEC, mode);
			goto out_stack;
		}
		comp = rest;
		rest = strchr(rest, '/');
		if (rest)
			*rest++ = '\0';
		else
			rest = comp + strlen(comp);
		last = !*rest || strspn(rest, "/") == strlen(rest);
		if (streq(comp, "."))
			continue;
		if (streq(comp, "..")) {
			if (depth > 0)
				close(stack[depth--]);
			continue;
		}
		fd = openat(stack[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT && last && (flags & O_CREAT))
				result = openat(stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC,
						mode);
			goto out_stack;
		}
		if (fstat(fd, &st) < 0) {
			close(fd);
			goto out_stack;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n < 0 || ++links > MAX_SYMLINKS) {
				errno = n < 0 ? errno : ELOOP;
				goto out_stack;
			}
			target[n] = '\0';
			char *nb = xasprintf("%s/%s", target, rest);
			free(buf);
			buf = rest = nb;
			if (target[0] == '/')
				while (depth > 0)
					close(stack[depth--]);
			continue;
		}
		if (last) {
			if (flags & O_PATH) {
				result = fd;
			} else {
				result = openat(stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC,
						mode);
				close(fd);
			}
			goto out_stack;
		}
		if (!S_ISDIR(st.st_mode) || depth + 1 >= MAX_DEPTH) {
			close(fd);
			errno = S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
			goto out_stack;
		}
		stack[++depth] = fd;
	}
out_stack:
	saved = errno;
	for (int i = 0; i <= depth; i++)
		if (stack[i] >= 0)
			close(stack[i]);
	errno = saved;
out:
	saved = errno;
	free(buf);
	errno = saved;
	return result;
}

int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	static bool no_openat2;
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? mode : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path;
	long fd;

	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	if (!no_openat2 && !openat2_disabled()) {
		do
			fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		while (fd < 0 && errno == EAGAIN);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		/* ENOSYS: old kernel; EPERM: a seccomp filter of an outer
		 * container refusing it.  Walk from now on. */
		no_openat2 = true;
	}
	return walk_in_root(rootfd, rel, flags, mode);
}

/* A dangling symlink on the way: its target, resolved like any other path
 * inside the root, is what gets created (as the kernel would, had the
 * rootfs been "/"). */
static char *follow_dangling(int parent, const char *name, const char *prefix, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	cleanup_free char *dir = NULL;

	if (n <= 0)
		return NULL;
	target[n] = '\0';
	if (target[0] == '/')
		return xasprintf("%s%s%s", target, *rest ? "/" : "", rest);
	dir = xstrdup(prefix);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		dir[0] = '\0';
	return xasprintf("%s/%s%s%s", dir, target, *rest ? "/" : "", rest);
}

/* p does not exist: the deepest ancestor that does, and in *rest where
 * the missing part begins.  Usually the parent: one lookup, not a walk. */
static int open_existing_ancestor(int rootfd, char *p, char **rest)
{
	char *cut = p + strlen(p);

	for (;;) {
		int fd;

		while (cut > p && cut[-1] == '/')
			cut--;
		while (cut > p && cut[-1] != '/')
			cut--;
		if (cut == p) {
			*rest = p;
			return hull_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
		}
		cut[-1] = '\0';
		fd = hull_open_in_root(rootfd, p, O_PATH, 0);
		cut[-1] = '/';
		if (fd >= 0 || errno != ENOENT) {
			*rest = cut;
			return fd;
		}
		cut--;
	}
}

/* What we just created as parent/name, opened without following anything:
 * if a symlink was swapped in meanwhile this fails (ELOOP), and the caller
 * resolves the path from the root instead, inside it. */
static int open_created(int parent, const char *name)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	if (openat2_disabled()) {
		errno = ENOSYS;
		return -1;
	}
	return (int)syscall(SYS_openat2, parent, name, &how, sizeof(how));
}

static int create_entry(int parent, const char *name, bool file)
{
	int r;

	if (!file)
		return mkdirat(parent, name, 0755);
	r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (r >= 0)
		close(r);
	return r < 0 ? -1 : 0;
}

int hull_mkpath_in_root(int rootfd, const char *path, bool last_is_file, hull_error **err)
{
	cleanup_free char *p = xstrdup(path);
	int links = 0;

	for (;;) {
		cleanup_close int parent = -1;
		char *end = NULL, *restart = NULL, *comp;
		int fd = hull_open_in_root(rootfd, p, O_PATH, 0);

		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return hull_fail_errno(err, "open %s in the container", path);
		parent = open_existing_ancestor(rootfd, p, &comp);
		if (parent < 0)
			return hull_fail_errno(err, "open %s in the container", path);
		/* Down from there, creating each missing component. */
		while (*comp) {
			bool last;
			int next = -1;

			while (*comp == '/')
				comp++;
			if (!*comp)
				break;
			end = strchr(comp, '/');
			if (end)
				*end = '\0';
			last = !end || !end[1 + strspn(end + 1, "/")];
			if (create_entry(parent, comp, last && last_is_file) == 0) {
				next = open_created(parent, comp);
			} else if (errno != EEXIST) {
				return hull_fail_errno(err, "create %s in the container", p);
			} else if (++links <= MAX_SYMLINKS &&
				   (restart =
					follow_dangling(parent, comp, p, end ? end + 1 : ""))) {
				break;
			}
			/* "." and "..", a symlink, or another process first */
			if (next < 0)
				next = hull_open_in_root(rootfd, p, O_PATH, 0);
			if (next < 0)
				return hull_fail_errno(err, "open %s in the container", p);
			close(parent);
			parent = next;
			if (!end)
				return TAKE_FD(parent);
			*end = '/';
			comp = end + 1;
		}
		if (!restart)
			return TAKE_FD(parent);
		free(p);
		p = restart;
	}
}
