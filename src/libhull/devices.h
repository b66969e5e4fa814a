/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_DEVICES_H
#define HULL_DEVICES_H

#include <stdbool.h>

#include "error.h"
#include "oci_types.h"

/* The default devices of config-linux.md and the /dev symlinks, then
 * linux.devices; all paths resolved inside the rootfs.  In a user namespace
 * (bind_devices) nodes are bind mounts of the host's devices, since mknod is
 * not allowed there. */
int hull_devices_setup(const oci_linux *l, int rootfd, bool bind_devices, hull_error **err);

/* /dev/console as a bind mount of the container's terminal. */
int hull_devices_console(int rootfd, int tty_fd, hull_error **err);

#endif
