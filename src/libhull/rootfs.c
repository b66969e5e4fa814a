/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "rootfs.h"
#include "path.h"
#include "utils.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static unsigned long propagation_flag(const char *p)
{
	if (!p)
		return 0;
	if (streq(p, "shared") || streq(p, "rshared"))
		return MS_SHARED;
	if (streq(p, "slave") || streq(p, "rslave"))
		return MS_SLAVE;
	if (streq(p, "private") || streq(p, "rprivate"))
		return MS_PRIVATE;
	if (streq(p, "unbindable") || streq(p, "runbindable"))
		return MS_UNBINDABLE;
	return 0;
}

int hull_rootfs_prepare(const oci_config *cfg, const char *rootfs, bool host_ns, hull_error **err)
{
	unsigned long prop = propagation_flag(cfg->linux_ ? cfg->linux_->rootfs_propagation : NULL);
	/* Host mounts may still flow in (slave), nothing of ours flows out;
	 * private or unbindable cut the host off too. */
	unsigned long host = (prop == MS_PRIVATE || prop == MS_UNBINDABLE) ? MS_PRIVATE : MS_SLAVE;
	int fd;

	if (!host_ns && mount(NULL, "/", NULL, host | MS_REC, NULL) < 0)
		return hull_fail_errno(err, "make / %s", host == MS_SLAVE ? "rslave" : "rprivate");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_fail_errno(err, "root.path: bind %s onto itself", rootfs);
	/* In the host's namespace nothing below must reach the host's peers. */
	if (host_ns && mount(NULL, rootfs, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		return hull_fail_errno(err, "root.path: make %s private", rootfs);
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail_errno(err, "root.path: open %s", rootfs);
	return fd;
}

/* /dev/null, verified to be the real one, to cover masked files. */
static int open_dev_null(hull_error **err)
{
	struct stat st;
	int fd = open("/dev/null", O_PATH | O_CLOEXEC);

	if (fd < 0)
		return hull_fail_errno(err, "open /dev/null");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return hull_fail(err, EINVAL, "/dev/null is not the null device");
	}
	return fd;
}

int hull_rootfs_mask_paths(const oci_linux *l, int rootfd, hull_error **err)
{
	cleanup_close int null_fd = -1;
	char src[32], dst[32];

	for (size_t i = 0; l && i < l->masked_paths_len; i++) {
		const char *p = l->masked_paths[i];
		cleanup_close int fd = -1;
		struct stat st;

		if (p[0] != '/')
			return hull_fail(err, EINVAL,
					 "linux.maskedPaths[%zu]: \"%s\" is not absolute", i, p);
		fd = hull_open_in_root(rootfd, p, O_PATH | O_NOFOLLOW, 0);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return hull_fail_errno(err, "linux.maskedPaths[%zu]: open %s", i, p);
		}
		if (fstat(fd, &st) < 0)
			return hull_fail_errno(err, "linux.maskedPaths[%zu]: stat %s", i, p);
		if (S_ISDIR(st.st_mode)) {
			if (hull_mount_on("tmpfs", fd, "tmpfs", MS_RDONLY, "size=0k,mode=0755") < 0)
				return hull_fail_errno(err, "linux.maskedPaths[%zu]: mask %s", i,
						       p);
			continue;
		}
		if (null_fd < 0 && (null_fd = open_dev_null(err)) < 0)
			return -1;
		if (mount(hull_fd_path(null_fd, src), hull_fd_path(fd, dst), NULL, MS_BIND, NULL) <
		    0)
			return hull_fail_errno(err, "linux.maskedPaths[%zu]: mask %s", i, p);
	}
	return 0;
}

/* The flags a bind remount has to keep (the kernel refuses to drop
 * locked ones and would clear the rest). */
static unsigned long mount_flags_of(int fd)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

int hull_rootfs_readonly_paths(const oci_linux *l, int rootfd, hull_error **err)
{
	for (size_t i = 0; l && i < l->readonly_paths_len; i++) {
		const char *p = l->readonly_paths[i];
		cleanup_close int fd = -1, mfd = -1;

		if (p[0] != '/')
			return hull_fail(err, EINVAL,
					 "linux.readonlyPaths[%zu]: \"%s\" is not absolute", i, p);
		fd = hull_open_in_root(rootfd, p, O_PATH | O_NOFOLLOW, 0);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return hull_fail_errno(err, "linux.readonlyPaths[%zu]: open %s", i, p);
		}
		if (hull_bind_self(fd, MS_BIND | MS_REC) < 0)
			return hull_fail_errno(err, "linux.readonlyPaths[%zu]: bind %s", i, p);
		mfd = hull_open_in_root(rootfd, p, O_PATH | O_NOFOLLOW, 0);
		if (mfd < 0)
			return hull_fail_errno(err, "linux.readonlyPaths[%zu]: reopen %s", i, p);
		if (hull_mount_on(NULL, mfd, NULL,
				  MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(mfd), NULL) < 0)
			return hull_fail_errno(err, "linux.readonlyPaths[%zu]: make %s read-only",
					       i, p);
	}
	return 0;
}

/* From the old root's own fd, "." is the old root (not the new one under
 * it): made rslave so its detaching does not reach the host, then
 * detached.  Leaves the cwd on the detached old root. */
static int detach_old_root(int oldroot, hull_error **err)
{
	unsigned long long t = now_ns();

	if (fchdir(oldroot) < 0)
		return hull_fail_errno(err, "fchdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hull_fail_errno(err, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return hull_fail_errno(err, "detach the old root");
	hull_debug_phase("detach", t);
	return 0;
}

int hull_rootfs_switch(const char *rootfs, enum hull_root_switch how, int *oldroot_out,
		       hull_error **err)
{
	cleanup_close int oldroot = -1;

	if (chdir(rootfs) < 0)
		return hull_fail_errno(err, "chdir %s", rootfs);
	if (how == HULL_ROOT_MOVE && mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return hull_fail_errno(err, "move %s to /", rootfs);
	if (how != HULL_ROOT_PIVOT) {
		if (chroot(".") < 0)
			return hull_fail_errno(err, "chroot %s", rootfs);
		return chdir("/") < 0 ? hull_fail_errno(err, "chdir /") : 0;
	}
	oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return hull_fail_errno(err, "open /");
	/* pivot_root(".", "."): the old root ends up stacked on the new one,
	 * no put_old directory needed. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return hull_fail_errno(err, "pivot_root %s", rootfs);
	if (oldroot_out)
		*oldroot_out = TAKE_FD(oldroot);
	else if (detach_old_root(oldroot, err) < 0)
		return -1;
	return chdir("/") < 0 ? hull_fail_errno(err, "chdir /") : 0;
}

/* Back into our own mount namespace, which puts root and cwd on its root:
 * then to the root and cwd we had (hull may run chrooted). */
static int return_home(int ns, int root, int cwd)
{
	return setns(ns, CLONE_NEWNS) < 0 || fchdir(root) < 0 || chroot(".") < 0 || fchdir(cwd) < 0
		   ? -1
		   : 0;
}

int hull_rootfs_detach_for(pid_t pid, int oldroot, hull_error **err)
{
	char path[64];
	cleanup_close int own = -1, theirs = -1, root = -1, cwd = -1;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	own = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	theirs = open(path, O_RDONLY | O_CLOEXEC);
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (own < 0 || theirs < 0 || root < 0 || cwd < 0)
		return hull_fail_errno(err, "open the mount namespaces");
	if (setns(theirs, CLONE_NEWNS) < 0)
		return hull_fail_errno(err, "enter the container's mount namespace");
	r = detach_old_root(oldroot, err);
	/* Going on in the container's namespace or under another root would
	 * misdirect every path we use later: the one failure that ends us. */
	if (return_home(own, root, cwd) < 0) {
		fprintf(stderr, "hull: return from the container's mount namespace: %s\n",
			strerror(errno));
		abort();
	}
	return r;
}

void hull_rootfs_detach(const char *rootfs)
{
	/* EINVAL: not a mount point (any more); nothing to do. */
	if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return;
}

int hull_rootfs_finish(const oci_config *cfg, hull_error **err)
{
	const char *prop = cfg->linux_ ? cfg->linux_->rootfs_propagation : NULL;
	unsigned long flag = propagation_flag(prop);

	/* Recursive: runtimetest's linux_rootfs_propagation binds "/" with
	 * its submounts and expects them all to follow the setting. */
	if (flag && mount(NULL, "/", NULL, flag | MS_REC, NULL) < 0)
		return hull_fail_errno(err, "linux.rootfsPropagation: make / %s", prop);
	if (cfg->root && cfg->root->readonly_present && cfg->root->readonly) {
		cleanup_close int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hull_fail_errno(err, "root.readonly: open /");
		if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(fd),
			  NULL) < 0)
			return hull_fail_errno(err, "root.readonly: remount / read-only");
	}
	return 0;
}

int hull_rootfs_sysctl(const oci_linux *l, hull_error **err)
{
	if (!l || !l->sysctl)
		return 0;
	for (size_t i = 0; i < l->sysctl->len; i++) {
		const char *key = l->sysctl->keys[i];
		const char *val = l->sysctl->values[i];
		cleanup_free char *path = xasprintf("/proc/sys/%s", key);

		for (char *c = path + strlen("/proc/sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
		if (strstr(key, "..") || strchr(key, '/'))
			return hull_fail(err, EINVAL, "linux.sysctl[\"%s\"]: not a sysctl name",
					 key);
		if (write_file_at(AT_FDCWD, path, val, strlen(val), err) < 0)
			return hull_error_prefix(err, "linux.sysctl[\"%s\"]", key);
	}
	return 0;
}
