/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which cgroup hierarchies this process sees, and its own cgroup in each.
 * Reading mountinfo costs in proportion to every mount of the host (~0.5 ms
 * with 500 mounts here, more with overlay's long options), so where the
 * kernel can list the mounts below /sys/fs/cgroup (listmount and statmount,
 * Linux 6.8; the v1 controllers need statmount's options, 6.10) only those
 * are looked at.  Otherwise, or when none is there, mountinfo.
 */
#include "config.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_statmount
#define SYS_statmount 457
#endif
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#define MNT_ID_UNIQUE 0x4000U /* STATX_MNT_ID_UNIQUE */

enum {
	SM_SB_BASIC = 0x1,
	SM_MNT_ROOT = 0x8,
	SM_MNT_POINT = 0x10,
	SM_MNT_OPTS = 0x80,
};

struct mnt_req {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};

/* struct statmount up to what is read here; its strings start at 512. */
struct mnt_status {
	uint32_t size, mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	uint32_t mnt_root, mnt_point;
	uint8_t unread[400];
	char str[];
};
_Static_assert(offsetof(struct mnt_status, str) == 512, "statmount strings at 512");

/* Our own cgroup in a hierarchy, from /proc/self/cgroup ("ID:controllers:path"). */
static char *own_path_for(const char *proc_cgroup, const char *controllers, bool v2)
{
	const char *line = proc_cgroup;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t clen;

		if (!end)
			end = line + strlen(line);
		if (c1 && c2 && c2 < end) {
			clen = (size_t)(c2 - c1 - 1);
			if ((v2 && clen == 0 && line[0] == '0') ||
			    (!v2 && clen == strlen(controllers) &&
			     strncmp(c1 + 1, controllers, clen) == 0))
				return xasprintf("%.*s", (int)(end - c2 - 1), c2 + 1);
		}
		line = *end ? end + 1 : NULL;
	}
	return xstrdup("/");
}

/* Read only for a relative cgroupsPath: the kernel shows /proc/self/cgroup
 * under cgroup_mutex, which the teardown of earlier containers' cgroups
 * holds (~100 us per create, more in a loop of them). */
char *cg_own_path(const char *controllers, bool v2, hull_error **err)
{
	static char *proc_cgroup;

	if (!proc_cgroup &&
	    read_file_at(AT_FDCWD, "/proc/self/cgroup", &proc_cgroup, NULL, err) < 0)
		return NULL;
	return own_path_for(proc_cgroup, controllers, v2);
}

/* The cgroup controllers of a v1 mount are among its super options. */
static char *v1_controllers(const char *super_opts)
{
	static const char *const known[] = {
	    "cpuset",  "cpu",	     "cpuacct",	 "blkio",   "memory", "devices", "freezer",
	    "net_cls", "perf_event", "net_prio", "hugetlb", "pids",   "rdma",	 "misc"};
	cleanup_free char *opts = xstrdup(super_opts);
	char *out = xstrdup(""), *save = NULL;

	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool keep = strncmp(o, "name=", 5) == 0;
		for (size_t i = 0; !keep && i < ARRAY_SIZE(known); i++)
			keep = streq(o, known[i]);
		if (keep) {
			char *n = xasprintf("%s%s%s", out, *out ? "," : "", o);
			free(out);
			out = n;
		}
	}
	return out;
}

static void add_hier(hull_cgroup *cg, const char *mnt, char *controllers, bool v2)
{
	struct hull_cgroup_hier *h;

	/* The same hierarchy mounted twice counts once (the first mount). */
	for (size_t i = 0; i < cg->nhier; i++)
		if (streq(cg->hier[i].mountpoint, mnt) || (v2 && cg->hier[i].v2) ||
		    (!v2 && !cg->hier[i].v2 && streq(cg->hier[i].controllers, controllers))) {
			free(controllers);
			return;
		}
	cg->hier = xrealloc(cg->hier, (cg->nhier + 1) * sizeof(*cg->hier));
	h = &cg->hier[cg->nhier++];
	memset(h, 0, sizeof(*h));
	h->mountpoint = xstrdup(mnt);
	h->controllers = controllers;
	h->v2 = v2;
}

/* Unescapes the octal \040 style of mountinfo fields in place. */
static void mountinfo_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* One mountinfo line: a cgroup or cgroup2 mount of a hierarchy's root. */
static void parse_mountinfo_line(hull_cgroup *cg, char *line)
{
	/* id parent major:minor root mountpoint opts [optional...] - fstype source super */
	char *f[5] = {0}, *sep = strstr(line, " - "), *p = line, *fstype, *super;
	int i;

	if (!sep)
		return;
	for (i = 0; i < 5 && p; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
	}
	if (i < 5 || !f[4] || !streq(f[3], "/"))
		return; /* bind mounts of a sub-tree don't count */
	*sep = '\0';
	fstype = sep + 3;
	p = strchr(fstype, ' ');
	if (!p)
		return;
	*p++ = '\0';
	super = strchr(p, ' ');
	super = super ? super + 1 : (char *)"";
	mountinfo_unescape(f[4]);
	if (streq(fstype, "cgroup2"))
		add_hier(cg, f[4], xstrdup(""), true);
	else if (streq(fstype, "cgroup"))
		add_hier(cg, f[4], v1_controllers(super), false);
}

static int from_mountinfo(hull_cgroup *cg, hull_error **err)
{
	cleanup_free char *mi = NULL;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, err) < 0)
		return -1;
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_mountinfo_line(cg, line);
	return 0;
}

/* One mount's hierarchy, if it is a cgroup mount of a hierarchy's root:
 * -1 if statmount cannot tell (the caller falls back to mountinfo). */
static int add_mount(hull_cgroup *cg, uint64_t id)
{
	union {
		struct mnt_status s;
		char buf[8192]; /* EOVERFLOW past that: mountinfo then */
	} u;
	const unsigned want = SM_SB_BASIC | SM_MNT_ROOT | SM_MNT_POINT | SM_MNT_OPTS;
	struct mnt_req req = {.size = 24, .mnt_id = id, .param = want};
	const struct mnt_status *s = &u.s;
	bool v2;

	if (syscall(SYS_statmount, &req, &u, sizeof(u), 0) < 0)
		return -1;
	if (!(s->mask & SM_SB_BASIC))
		return -1;
	if (s->sb_magic != CGROUP_SUPER_MAGIC && s->sb_magic != CGROUP2_SUPER_MAGIC)
		return 0;
	v2 = s->sb_magic == CGROUP2_SUPER_MAGIC;
	/* a v1 mount without options: a kernel before 6.10 */
	if ((s->mask & (SM_MNT_ROOT | SM_MNT_POINT)) != (SM_MNT_ROOT | SM_MNT_POINT) ||
	    (!v2 && !(s->mask & SM_MNT_OPTS)))
		return -1;
	if (!streq(s->str + s->mnt_root, "/"))
		return 0; /* bind mounts of a sub-tree don't count */
	add_hier(cg, s->str + s->mnt_point, v2 ? xstrdup("") : v1_controllers(s->str + s->mnt_opts),
		 v2);
	return 0;
}

/* /sys/fs/cgroup itself if it is cgroup2, else the mounts on it. */
static int from_listmount(hull_cgroup *cg)
{
	struct statx sx;
	struct mnt_req req = {.size = 24};
	uint64_t ids[64];
	long n;

	if (statx(AT_FDCWD, "/sys/fs/cgroup", AT_NO_AUTOMOUNT, MNT_ID_UNIQUE, &sx) < 0 ||
	    !(sx.stx_mask & MNT_ID_UNIQUE) || add_mount(cg, sx.stx_mnt_id) < 0)
		return -1;
	if (cg->nhier)
		return 0;
	req.mnt_id = sx.stx_mnt_id;
	n = syscall(SYS_listmount, &req, ids, ARRAY_SIZE(ids), 0);
	if (n < 0 || (size_t)n == ARRAY_SIZE(ids))
		return -1; /* a full list may have more: mountinfo has them all */
	for (long i = 0; i < n; i++)
		if (add_mount(cg, ids[i]) < 0)
			return -1;
	return 0;
}

static void debug_hierarchies(const hull_cgroup *cg, const char *how)
{
	if (hull_log_get_level() < HULL_LOG_DEBUG)
		return;
	for (size_t i = 0; i < cg->nhier; i++)
		hull_debug("cgroup hierarchy (%s): %s %s", how, cg->hier[i].mountpoint,
			   cg->hier[i].v2 ? "cgroup2" : cg->hier[i].controllers);
}

int cg_discover_hierarchies(hull_cgroup *cg, hull_error **err)
{
	cleanup_cgroup hull_cgroup *listed = xcalloc(1, sizeof(*listed));
	const char *how = "listmount";

	/* what listmount found is kept only if it found all (cg is empty) */
	if (from_listmount(listed) == 0 && listed->nhier > 0) {
		cg->hier = TAKE_PTR(listed->hier);
		cg->nhier = listed->nhier;
		listed->nhier = 0;
	} else {
		how = "mountinfo";
		if (from_mountinfo(cg, err) < 0)
			return -1;
	}
	if (cg->nhier == 0)
		return hull_fail(err, ENOENT, "no cgroup hierarchy is mounted");
	debug_hierarchies(cg, how);
	return 0;
}
