/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_ROOTFS_H
#define HULL_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci_types.h"

/* Child: stop propagation towards the host, make the rootfs a mount point
 * and return an O_PATH fd on it.  Without a mount namespace of its own
 * (host_ns) the container's mounts live in the runtime's namespace: they
 * all hang below one private bind of the rootfs, which delete detaches. */
int hull_rootfs_prepare(const oci_config *cfg, const char *rootfs, bool host_ns, hull_error **err);

/* maskedPaths and readonlyPaths, resolved inside the rootfs. */
int hull_rootfs_mask_paths(const oci_linux *l, int rootfd, hull_error **err);
int hull_rootfs_readonly_paths(const oci_linux *l, int rootfd, hull_error **err);

enum hull_root_switch {
	HULL_ROOT_PIVOT,  /* pivot_root, the old root detached */
	HULL_ROOT_MOVE,	  /* --no-pivot: MS_MOVE onto / and chroot */
	HULL_ROOT_CHROOT, /* no mount namespace: chroot only, the host's / stays */
};
/* With oldroot set, pivot hands back an O_PATH fd of the old root, still
 * attached, for hull_rootfs_detach_for; else it detaches it itself. */
int hull_rootfs_switch(const char *rootfs, enum hull_root_switch how, int *oldroot,
		       hull_error **err);

/* Parent: detach the old root (fd passed by the child pid) from inside the
 * child's mount namespace, then come back to our own namespace, root and
 * cwd.  Lets the grace period the detach waits for pass while the child
 * goes on setting up. */
int hull_rootfs_detach_for(pid_t pid, int oldroot, hull_error **err);

/* delete of a container without a mount namespace: detach its rootfs bind
 * (and with it every mount below). */
void hull_rootfs_detach(const char *rootfs);

/* After pivot: root.readonly and linux.rootfsPropagation. */
int hull_rootfs_finish(const oci_config *cfg, hull_error **err);

/* linux.sysctl, written through the host's procfs before pivot_root, so a
 * container's own /proc can't redirect the writes. */
int hull_rootfs_sysctl(const oci_linux *l, hull_error **err);

#endif
