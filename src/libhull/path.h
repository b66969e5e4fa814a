/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_PATH_H
#define HULL_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/*
 * Paths inside the container's root filesystem, resolved as if rootfd were
 * "/": an absolute symlink, or "..", never leads out of it.  openat2 with
 * RESOLVE_IN_ROOT does this in the kernel, race-free; on kernels without it
 * a component-by-component walk does the same (HULL_TEST_NO_OPENAT2=1 forces
 * the walk so tests keep it alive).
 */

/* Returns an fd (flags as for open; O_CLOEXEC is added) or -1 with errno. */
int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Makes path exist below rootfd: missing directories are created, and the
 * last component as a directory or (last_is_file) an empty file.  Returns
 * an O_PATH fd to it, or -1 with *err set. */
int hull_mkpath_in_root(int rootfd, const char *path, bool last_is_file, hull_error **err);

/* "/proc/self/fd/N" for mount(2) and friends: the kernel resolves the magic
 * link to exactly the object the fd holds. */
const char *hull_fd_path(int fd, char buf[static 32]);

/*
 * mount(2) onto the object fd holds (hull_bind_self: a bind of it onto
 * itself).  A directory is reached as "." after fchdir(fd) instead: the
 * kernel resolves /proc/self/fd/N through four procfs lookups each time,
 * ~2 us, and a container's setup mounts some thirty times.  Moves the
 * working directory, so only for the container's setup, which uses absolute
 * paths and fds until it enters its root (and then chdirs).
 */
int hull_mount_on(const char *source, int fd, const char *fstype, unsigned long flags,
		  const void *data);
int hull_bind_self(int fd, unsigned long flags);

#endif
