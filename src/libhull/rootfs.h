/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_ROOTFS_H
#define HULL_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "oci_types.h"

/* Child, in its new mount namespace: stop propagation towards the host,
 * make the rootfs a mount point and return an O_PATH fd on it. */
int hull_rootfs_prepare(const oci_config *cfg, const char *rootfs, hull_error **err);

/* maskedPaths and readonlyPaths, resolved inside the rootfs. */
int hull_rootfs_mask_paths(const oci_linux *l, int rootfd, hull_error **err);
int hull_rootfs_readonly_paths(const oci_linux *l, int rootfd, hull_error **err);

/* pivot_root (or, with no_pivot, MS_MOVE + chroot) into rootfs. */
int hull_rootfs_pivot(const char *rootfs, bool no_pivot, hull_error **err);

/* After pivot: root.readonly and linux.rootfsPropagation. */
int hull_rootfs_finish(const oci_config *cfg, hull_error **err);

/* linux.sysctl, written through the host's procfs before pivot_root, so a
 * container's own /proc can't redirect the writes. */
int hull_rootfs_sysctl(const oci_linux *l, hull_error **err);

#endif
