/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "namespaces.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int flag;
} ns_table[HULL_NS_COUNT] = {
    [HULL_NS_USER] = {"user", CLONE_NEWUSER},	    [HULL_NS_PID] = {"pid", CLONE_NEWPID},
    [HULL_NS_NET] = {"network", CLONE_NEWNET},	    [HULL_NS_MNT] = {"mount", CLONE_NEWNS},
    [HULL_NS_IPC] = {"ipc", CLONE_NEWIPC},	    [HULL_NS_UTS] = {"uts", CLONE_NEWUTS},
    [HULL_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP}, [HULL_NS_TIME] = {"time", CLONE_NEWTIME},
};

const char *hull_ns_name(enum hull_ns ns)
{
	return ns_table[ns].name;
}

int hull_ns_clone_flag(enum hull_ns ns)
{
	return ns_table[ns].flag;
}

static int ns_by_name(const char *name)
{
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (streq(ns_table[i].name, name))
			return i;
	return -1;
}

static const char *ns_name_by_flag(int flag)
{
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (ns_table[i].flag == flag)
			return ns_table[i].name;
	return "unknown";
}

/* Opens a namespace path and checks that it is one, of the right type. */
static int open_ns_path(const char *path, int want, size_t idx, hull_error **err)
{
	cleanup_close int fd = -1;
	int type;

	if (path[0] != '/')
		return hull_fail(err, EINVAL,
				 "linux.namespaces[%zu].path: \"%s\" must be an absolute path", idx,
				 path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail_errno(err, "linux.namespaces[%zu].path: open %s", idx, path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return hull_fail(err, EINVAL, "linux.namespaces[%zu].path: %s is not a namespace",
				 idx, path);
	if (type != want)
		return hull_fail(err, EINVAL,
				 "linux.namespaces[%zu].path: %s is a %s namespace, not a %s one",
				 idx, path, ns_name_by_flag(type), ns_name_by_flag(want));
	return TAKE_FD(fd);
}

int hull_ns_plan_build(const oci_linux *l, struct hull_ns_plan *p, hull_error **err)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < HULL_NS_COUNT; i++)
		p->join_fd[i] = -1;
	for (size_t i = 0; l && i < l->namespaces_len; i++) {
		const oci_namespace *n = l->namespaces[i];
		int ns = ns_by_name(n->type);

		if (ns < 0)
			return hull_fail(err, EINVAL,
					 "linux.namespaces[%zu].type: unknown type \"%s\"", i,
					 n->type);
		if (p->present[ns]) {
			hull_ns_plan_close(p);
			return hull_fail(err, EINVAL,
					 "linux.namespaces[%zu].type: \"%s\" is listed twice", i,
					 n->type);
		}
		p->present[ns] = true;
		if (n->path && *n->path) {
			p->by_path[ns] = true;
			p->join_fd[ns] = open_ns_path(n->path, ns_table[ns].flag, i, err);
			if (p->join_fd[ns] < 0) {
				hull_ns_plan_close(p);
				return -1;
			}
		}
	}
	if (hull_ns_new(p, HULL_NS_USER))
		p->clone_flags |= CLONE_NEWUSER;
	if (hull_ns_new(p, HULL_NS_PID))
		p->clone_flags |= CLONE_NEWPID;
	for (int i = HULL_NS_NET; i < HULL_NS_COUNT; i++)
		if (hull_ns_new(p, i))
			p->unshare_flags |= ns_table[i].flag;
	return 0;
}

void hull_ns_plan_close(struct hull_ns_plan *p)
{
	for (int i = 0; i < HULL_NS_COUNT; i++) {
		if (p->join_fd[i] >= 0)
			close(p->join_fd[i]);
		p->join_fd[i] = -1;
	}
}

int hull_ns_parent_enter(struct hull_ns_plan *p, int *saved, hull_error **err)
{
	*saved = -1;
	if (p->join_fd[HULL_NS_PID] < 0)
		return 0;
	*saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return hull_fail_errno(err, "open /proc/self/ns/pid");
	if (setns(p->join_fd[HULL_NS_PID], CLONE_NEWPID) < 0) {
		close(*saved);
		*saved = -1;
		return hull_fail_errno(err, "join pid namespace");
	}
	return 0;
}

void hull_ns_parent_restore(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWPID) < 0) {
		/* Only pid_for_children changed; later forks (hooks) would land
		 * in the container's namespace, which is harmless. */
	}
	close(saved);
}

static int write_map(pid_t pid, const char *file, oci_id_mapping **m, size_t n, const char *field,
		     hull_error **err)
{
	char path[64], buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i]->container_id,
				 m[i]->host_id, m[i]->size);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return hull_fail(err, E2BIG, "linux.%s: too many mappings", field);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (write_file_at(AT_FDCWD, path, buf, len, err) < 0)
		return hull_error_prefix(err, "linux.%s", field);
	return 0;
}

int hull_ns_write_id_maps(pid_t pid, const oci_linux *l, hull_error **err)
{
	if (write_map(pid, "uid_map", l->uid_mappings, l->uid_mappings_len, "uidMappings", err) < 0)
		return -1;
	return write_map(pid, "gid_map", l->gid_mappings, l->gid_mappings_len, "gidMappings", err);
}

static int write_time_offsets(const oci_linux *l, hull_error **err)
{
	char buf[512];
	size_t len = 0;

	if (!l->time_offsets)
		return 0;
	for (size_t i = 0; i < l->time_offsets->len; i++) {
		const char *clock = l->time_offsets->keys[i];
		const oci_time_offset *o = l->time_offsets->values[i];
		int w;

		if (!streq(clock, "monotonic") && !streq(clock, "boottime"))
			return hull_fail(err, EINVAL,
					 "linux.timeOffsets[\"%s\"]: only \"monotonic\" and "
					 "\"boottime\" clocks have offsets",
					 clock);
		w = snprintf(buf + len, sizeof(buf) - len, "%s %lld %u\n", clock,
			     (long long)(o->secs_present ? o->secs : 0),
			     o->nanosecs_present ? o->nanosecs : 0);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return hull_fail(err, E2BIG, "linux.timeOffsets: too many entries");
		len += (size_t)w;
	}
	if (len && write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, len, err) < 0)
		return hull_error_prefix(err, "linux.timeOffsets");
	return 0;
}

#define EARLY_NS (CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

bool hull_ns_early_possible(const struct hull_ns_plan *p)
{
	return !(p->clone_flags & CLONE_NEWUSER) && !p->by_path[HULL_NS_USER];
}

int hull_ns_child_setup_early(struct hull_ns_plan *p, hull_error **err)
{
	for (int i = 0; i < HULL_NS_COUNT; i++) {
		if (!(ns_table[i].flag & EARLY_NS) || p->join_fd[i] < 0)
			continue;
		if (setns(p->join_fd[i], ns_table[i].flag) < 0)
			return hull_fail_errno(err, "join %s namespace", ns_table[i].name);
		close(p->join_fd[i]);
		p->join_fd[i] = -1;
	}
	if ((p->unshare_flags & EARLY_NS) && unshare(p->unshare_flags & EARLY_NS) < 0)
		return hull_fail_errno(err, "create namespaces (unshare 0x%x)",
				       p->unshare_flags & EARLY_NS);
	p->unshare_flags &= ~EARLY_NS;
	return 0;
}

int hull_ns_child_unshare_mount_early(struct hull_ns_plan *p, hull_error **err)
{
	if (!(p->unshare_flags & CLONE_NEWNS))
		return 0;
	if (unshare(CLONE_NEWNS) < 0)
		return hull_fail_errno(err, "create the mount namespace");
	p->unshare_flags &= ~CLONE_NEWNS;
	return 1;
}

int hull_ns_child_setup(struct hull_ns_plan *p, const oci_linux *l, hull_error **err)
{
	bool joined_user = p->by_path[HULL_NS_USER];

	for (int i = 0; i < HULL_NS_COUNT; i++) {
		if (i == HULL_NS_PID || p->join_fd[i] < 0)
			continue;
		if (setns(p->join_fd[i], ns_table[i].flag) < 0)
			return hull_fail_errno(err, "join %s namespace", ns_table[i].name);
		close(p->join_fd[i]);
		p->join_fd[i] = -1;
	}
	/* In a user namespace, become its root (if mapped) so that files we
	 * create during setup have an owner the namespace knows. */
	if ((p->clone_flags & CLONE_NEWUSER) || joined_user) {
		if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
			return hull_fail_errno(err, "setresgid(0) in the user namespace");
		if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
			return hull_fail_errno(err, "setresuid(0) in the user namespace");
	}
	if (p->unshare_flags && unshare(p->unshare_flags) < 0)
		return hull_fail_errno(err, "create namespaces (unshare 0x%x)", p->unshare_flags);
	/* A new time namespace applies from the next execve; its offsets must
	 * be in before that. */
	if ((p->unshare_flags & CLONE_NEWTIME) && write_time_offsets(l, err) < 0)
		return -1;
	return 0;
}
