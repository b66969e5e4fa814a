/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "devices.h"
#include "path.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
	const char *target, *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},	{"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
    {"pts/ptmx", "/dev/ptmx"},
};

/* The directory of the last node made, kept open: the nodes mostly share
 * /dev, and resolving it again for each costs a lookup. */
struct parent_dir {
	char *path;
	int fd;
};

static void parent_dir_clear(struct parent_dir *d)
{
	free(d->path);
	d->path = NULL;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Splits "/a/b/c" into an fd on "/a/b" (created if needed) and "c". */
static int open_parent(int rootfd, const char *path, const char **name, struct parent_dir *d,
		       hull_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (!slash || !slash[1])
		return hull_fail(err, EINVAL, "%s: not a file path", path);
	*name = path + (slash - dir) + 1;
	*slash = '\0';
	if (d->path && streq(d->path, dir))
		return d->fd;
	parent_dir_clear(d);
	d->fd = hull_mkpath_in_root(rootfd, *dir ? dir : "/", false, err);
	if (d->fd >= 0)
		d->path = TAKE_PTR(dir);
	return d->fd;
}

/* An existing node must be the device asked for (config-linux.md). */
static int check_existing(int dirfd, const char *name, const char *path, mode_t type, dev_t dev,
			  hull_error **err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_fail_errno(err, "stat %s", path);
	if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != dev))
		return hull_fail(err, EEXIST, "%s exists and is not the requested device", path);
	return 1;
}

/* The host's node for a device: udev's /dev/char|block/M:m, else the
 * same path on the host if it is that device. */
static char *host_device(const char *path, mode_t type, dev_t dev, hull_error **err)
{
	char *p =
	    xasprintf("/dev/%s/%u:%u", type == S_IFBLK ? "block" : "char", major(dev), minor(dev));
	struct stat st;

	if (stat(p, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
		return p;
	free(p);
	if (stat(path, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
		return xstrdup(path);
	hull_fail(err, ENOENT, "%s: no host node for device %u:%u to bind in a user namespace",
		  path, major(dev), minor(dev));
	return NULL;
}

static int make_node(int rootfd, struct parent_dir *d, const char *path, mode_t type, dev_t dev,
		     mode_t perm, uid_t uid, gid_t gid, bool bind, hull_error **err)
{
	const char *name;
	int dirfd = open_parent(rootfd, path, &name, d, err);

	if (dirfd < 0)
		return -1;
	if (bind) {
		cleanup_close int dst = -1;
		cleanup_free char *host = NULL;
		char target[32];
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return hull_fail_errno(err, "create %s", path);
		if (fd >= 0)
			close(fd);
		dst = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (dst < 0)
			return hull_fail_errno(err, "open %s", path);
		host = host_device(path, type, dev, err);
		if (!host)
			return -1;
		if (mount(host, hull_fd_path(dst, target), NULL, MS_BIND, NULL) < 0)
			return hull_fail_errno(err, "bind %s on %s", host, path);
		return 0;
	}
	/* With the umask cleared (hull_devices_setup) a new node has its mode
	 * exactly; only one that was there already needs a chmod. */
	if (mknodat(dirfd, name, type | perm, dev) < 0) {
		if (errno != EEXIST)
			return hull_fail_errno(err, "mknod %s", path);
		if (check_existing(dirfd, name, path, type, dev, err) < 0)
			return -1;
		if (fchmodat(dirfd, name, perm, 0) < 0)
			return hull_fail_errno(err, "chmod %s", path);
	}
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_fail_errno(err, "chown %s", path);
	return 0;
}

static int make_link(int rootfd, struct parent_dir *d, const char *target, const char *link,
		     hull_error **err)
{
	const char *name;
	int dirfd = open_parent(rootfd, link, &name, d, err);

	if (dirfd < 0)
		return -1;
	if (symlinkat(target, dirfd, name) < 0 && errno != EEXIST)
		return hull_fail_errno(err, "symlink %s -> %s", link, target);
	return 0;
}

static mode_t device_type(const char *t)
{
	switch (t[0]) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR; /* c and u */
	}
}

static int make_all(const oci_linux *l, int rootfd, struct parent_dir *d, bool bind_devices,
		    hull_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		/* linux.devices may define the same path: it wins. */
		bool overridden = false;
		for (size_t j = 0; l && j < l->devices_len; j++)
			overridden =
			    overridden || streq(l->devices[j]->path, default_devices[i].path);
		if (overridden)
			continue;
		if (make_node(rootfd, d, default_devices[i].path, S_IFCHR,
			      makedev(default_devices[i].major, default_devices[i].minor), 0666, 0,
			      0, bind_devices, err) < 0)
			return hull_error_prefix(err, "default devices");
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_links); i++)
		if (make_link(rootfd, d, default_links[i].target, default_links[i].link, err) < 0)
			return -1;
	for (size_t i = 0; l && i < l->devices_len; i++) {
		const oci_device *dev = l->devices[i];
		mode_t type = device_type(dev->type);

		if (dev->path[0] != '/')
			return hull_fail(err, EINVAL,
					 "linux.devices[%zu].path: \"%s\" is not absolute", i,
					 dev->path);
		if (type != S_IFIFO && (!dev->major_present || !dev->minor_present))
			return hull_fail(
			    err, EINVAL,
			    "linux.devices[%zu]: major and minor are required for type %s", i,
			    dev->type);
		if (make_node(rootfd, d, dev->path, type,
			      type == S_IFIFO ? 0
					      : makedev((unsigned)dev->major, (unsigned)dev->minor),
			      dev->file_mode_present ? (dev->file_mode & 07777) : 0666,
			      dev->uid_present ? dev->uid : 0, dev->gid_present ? dev->gid : 0,
			      bind_devices && type != S_IFIFO, err) < 0)
			return hull_error_prefix(err, "linux.devices[%zu]", i);
	}
	return 0;
}

int hull_devices_setup(const oci_linux *l, int rootfd, bool bind_devices, hull_error **err)
{
	struct parent_dir d = {.path = NULL, .fd = -1};
	mode_t saved = umask(0);
	int r = make_all(l, rootfd, &d, bind_devices, err);

	umask(saved);
	parent_dir_clear(&d);
	return r;
}

int hull_devices_console(int rootfd, int tty_fd, hull_error **err)
{
	cleanup_close int dst = hull_mkpath_in_root(rootfd, "/dev/console", true, err);
	char src[32], dstp[32];

	if (dst < 0)
		return -1;
	if (mount(hull_fd_path(tty_fd, src), hull_fd_path(dst, dstp), NULL, MS_BIND, NULL) < 0)
		return hull_fail_errno(err, "bind the terminal on /dev/console");
	return 0;
}
