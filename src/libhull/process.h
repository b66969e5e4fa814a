/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_PROCESS_H
#define HULL_PROCESS_H

#include <stdbool.h>

#include "error.h"
#include "oci_types.h"

/* The process attributes of config.md, applied by the container's first
 * process (and later by exec) right before execve.  Each function names
 * the config field at fault. */

int hull_process_rlimits(const oci_process *p, hull_error **err);
/* oom_score_adj, through the host's /proc (called before pivot_root). */
int hull_process_oom_score(const oci_process *p, hull_error **err);
/* personality, scheduler, ioPriority. */
int hull_process_sched(const oci_process *p, const oci_linux *l, hull_error **err);
/* additionalGids, gid, uid; capabilities survive the switch (keep-caps). */
int hull_process_set_user(const oci_process *p, hull_error **err);
/* args[0] looked up in the container's PATH, so a missing program fails
 * create, not start.  Returns a malloc'd path. */
char *hull_process_find_exec(const oci_process *p, hull_error **err);
/* LSM labels for the next execve: the AppArmor profile (an error when
 * AppArmor is off: a profile that silently does not apply is no
 * confinement) and the SELinux label (ignored when SELinux is off, as
 * runc does).  Written through /proc/thread-self/attr, checked to be
 * procfs. */
bool hull_apparmor_enabled(void);
bool hull_selinux_enabled(void);
int hull_process_lsm(const oci_process *p, hull_error **err);

/* A new session keyring, so the container does not share the host's. */
void hull_process_new_keyring(const char *id);

#endif
