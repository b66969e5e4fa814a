/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "resctrl.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RDT "linux.intelRdt"

/* The mount point of the first resctrl filesystem in mountinfo. */
static char *resctrl_mount(void)
{
	cleanup_free char *mi = NULL;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, NULL) < 0)
		return NULL;
	for (char *l = strtok_r(mi, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(l, " - "), mnt[4096];
		if (sep && strncmp(sep + 3, "resctrl ", 8) == 0 &&
		    sscanf(l, "%*s %*s %*s %*s %4095s", mnt) == 1)
			return xstrdup(mnt);
	}
	return NULL;
}

int hull_resctrl_check(const oci_intel_rdt *rdt, hull_error **err)
{
	cleanup_free char *mnt = NULL;

	if (!rdt)
		return 0;
	mnt = resctrl_mount();
	if (!mnt)
		return hull_fail(err, ENOTSUP,
				 RDT
				 ": no resctrl filesystem is mounted (needs an Intel RDT or AMD "
				 "QoS CPU, CONFIG_X86_CPU_RESCTRL and mount -t resctrl resctrl "
				 "/sys/fs/resctrl)");
	if (rdt->mem_bw_schema && strncmp(rdt->mem_bw_schema, "MB:", 3) != 0)
		return hull_fail(err, EINVAL, RDT ".memBwSchema: must start with \"MB:\"");
	return 0;
}

static int write_schemata(const char *dir, const oci_intel_rdt *rdt, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/schemata", dir), *l3 = NULL;

	/* l3CacheSchema without its MB: lines when memBwSchema says them */
	if (rdt->l3_cache_schema) {
		char *save = NULL, *copy = xstrdup(rdt->l3_cache_schema);
		l3 = xstrdup("");
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (rdt->mem_bw_schema && strncmp(l, "MB:", 3) == 0)
				continue;
			char *n = xasprintf("%s%s\n", l3, l);
			free(l3);
			l3 = n;
		}
		free(copy);
		if (*l3 && write_file_at(AT_FDCWD, file, l3, strlen(l3), err) < 0)
			return hull_error_prefix(err, RDT ".l3CacheSchema");
	}
	if (rdt->mem_bw_schema &&
	    write_file_at(AT_FDCWD, file, rdt->mem_bw_schema, strlen(rdt->mem_bw_schema), err) < 0)
		return hull_error_prefix(err, RDT ".memBwSchema");
	for (size_t i = 0; i < rdt->schemata_len; i++)
		if (write_file_at(AT_FDCWD, file, rdt->schemata[i], strlen(rdt->schemata[i]), err) <
		    0)
			return hull_error_prefix(err, RDT ".schemata[%zu]", i);
	return 0;
}

int hull_resctrl_enter(const oci_intel_rdt *rdt, const char *id, pid_t pid, char **created,
		       hull_error **err)
{
	cleanup_free char *mnt = resctrl_mount(), *dir = NULL, *tasks = NULL;
	bool schemata = rdt->l3_cache_schema || rdt->mem_bw_schema || rdt->schemata_len;
	const char *clos = rdt->clos_id ? rdt->clos_id : id;
	char buf[32];
	int n;

	*created = NULL;
	if (hull_resctrl_check(rdt, err) < 0)
		return -1;
	if (!*clos || strchr(clos, '/') || streq(clos, ".") || streq(clos, ".."))
		return hull_fail(err, EINVAL, RDT ".closID: \"%s\" is not a directory name", clos);
	dir = xasprintf("%s/%s", mnt, clos);
	if (schemata || !rdt->clos_id) {
		if (mkdir(dir, 0755) == 0)
			*created = xstrdup(dir);
		else if (errno != EEXIST)
			return hull_fail_errno(err, RDT ": create %s", dir);
	} else if (access(dir, F_OK) < 0) {
		return hull_fail(err, ENOENT, RDT ".closID: no pre-configured group %s", dir);
	}
	if (schemata && write_schemata(dir, rdt, err) < 0)
		return -1;
	tasks = xasprintf("%s/tasks", dir);
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_file_at(AT_FDCWD, tasks, buf, (size_t)n, err) < 0)
		return hull_error_prefix(err, RDT);
	return 0;
}

void hull_resctrl_remove(const char *dir)
{
	/* EBUSY only if someone else's tasks are in it: then it stays. */
	if (dir && *dir && rmdir(dir) < 0 && errno != ENOENT)
		return;
}
