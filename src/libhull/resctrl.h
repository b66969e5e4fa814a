/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_RESCTRL_H
#define HULL_RESCTRL_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci_types.h"

/*
 * linux.intelRdt (config-linux.md "IntelRdt"): the container's process goes
 * into the tasks file of a resctrl group.  Without a mounted resctrl
 * filesystem a set intelRdt is an error (the spec's MUST); an unset one
 * touches nothing.
 */

/* Before anything is made: is resctrl there?  (NULL rdt: nothing to do.) */
int hull_resctrl_check(const oci_intel_rdt *rdt, hull_error **err);

/* The group (closID, else the container ID; made when schemata are given
 * and it does not exist: then *created is its directory, for delete), its
 * schemata, then pid. */
int hull_resctrl_enter(const oci_intel_rdt *rdt, const char *id, pid_t pid, char **created,
		       hull_error **err);
/* delete: the group hull made (its tasks are gone with the container). */
void hull_resctrl_remove(const char *dir);

#endif
