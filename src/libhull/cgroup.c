/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cgroup.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"

enum hull_cgroup_layout hull_cgroup_host_layout(void)
{
	static int cached = -1;
	struct statfs fs;

	if (cached >= 0)
		return (enum hull_cgroup_layout)cached;
	if (statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		cached = HULL_CGROUP_V2;
	else if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		cached = HULL_CGROUP_HYBRID;
	else
		cached = HULL_CGROUP_V1;
	return (enum hull_cgroup_layout)cached;
}

/* Our own cgroup per hierarchy, from /proc/self/cgroup ("ID:controllers:path"). */
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

static void add_hier(hull_cgroup *cg, const char *mnt, char *controllers, bool v2,
		     const char *proc_cgroup)
{
	for (size_t i = 0; i < cg->nhier; i++)
		if (streq(cg->hier[i].mountpoint, mnt) ||
		    (!v2 && !cg->hier[i].v2 && streq(cg->hier[i].controllers, controllers))) {
			free(controllers);
			return;
		}
	cg->hier = xrealloc(cg->hier, (cg->nhier + 1) * sizeof(*cg->hier));
	cg->hier[cg->nhier].mountpoint = xstrdup(mnt);
	cg->hier[cg->nhier].controllers = controllers;
	cg->hier[cg->nhier].own_path = own_path_for(proc_cgroup, controllers, v2);
	cg->hier[cg->nhier].v2 = v2;
	cg->nhier++;
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

static int discover_hierarchies(hull_cgroup *cg, hull_error **err)
{
	cleanup_free char *mi = NULL, *pc = NULL;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, err) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/cgroup", &pc, NULL, err) < 0)
		return -1;
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent major:minor root mountpoint opts [optional...] - fstype source super */
		char *f[6] = {0}, *sep = strstr(line, " - "), *p = line, *fstype, *super;
		int i;

		if (!sep)
			continue;
		for (i = 0; i < 5 && p; i++) {
			f[i] = p;
			p = strchr(p, ' ');
			if (p)
				*p++ = '\0';
		}
		if (i < 5 || !streq(f[3], "/"))
			continue; /* bind mounts of a sub-tree don't count */
		*sep = '\0';
		fstype = sep + 3;
		p = strchr(fstype, ' ');
		if (!p)
			continue;
		*p++ = '\0';
		super = strchr(p, ' ');
		super = super ? super + 1 : (char *)"";
		mountinfo_unescape(f[4]);
		if (streq(fstype, "cgroup2"))
			add_hier(cg, f[4], xstrdup(""), true, pc);
		else if (streq(fstype, "cgroup"))
			add_hier(cg, f[4], v1_controllers(super), false, pc);
	}
	if (cg->nhier == 0)
		return hull_fail(err, ENOENT, "no cgroup hierarchy is mounted");
	return 0;
}

/* systemd's "slice:prefix:name" form, mapped onto plain cgroupfs paths (the
 * D-Bus driver plugs in here later). */
static char *systemd_path(const char *spec, const char *id, hull_error **err)
{
	cleanup_free char *s = xstrdup(spec && *spec ? spec : "system.slice:hull:");
	char *prefix, *name, *slice = s, *path = xstrdup("");

	prefix = strchr(s, ':');
	name = prefix ? strchr(prefix + 1, ':') : NULL;
	if (!prefix || !name) {
		free(path);
		hull_fail(err, EINVAL,
			  "linux.cgroupsPath: \"%s\" is not of the form slice:prefix:name "
			  "(needed with --systemd-cgroup)",
			  spec);
		return NULL;
	}
	*prefix++ = '\0';
	*name++ = '\0';
	if (!*name)
		name = (char *)id;
	if (!*slice)
		slice = (char *)"system.slice";
	/* a-b-c.slice lives at /a.slice/a-b.slice/a-b-c.slice */
	if (!streq(slice, "-.slice")) {
		for (char *dash = slice; (dash = strchr(dash, '-')); dash++) {
			char *n = xasprintf("%s/%.*s.slice", path, (int)(dash - slice), slice);
			free(path);
			path = n;
		}
		char *n = xasprintf("%s/%s", path, slice);
		free(path);
		path = n;
	}
	char *full = xasprintf("%s/%s%s%s.scope", path, prefix, *prefix ? "-" : "", name);
	free(path);
	return full;
}

static bool path_is_sane(const char *p)
{
	for (const char *s = p; *s; s++)
		if (s[0] == '.' && s[1] == '.' && (s == p || s[-1] == '/') &&
		    (!s[2] || s[2] == '/'))
			return false;
	return true;
}

int hull_cgroup_new(const char *id, const char *cgroups_path, bool systemd, hull_cgroup **out,
		    hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = xcalloc(1, sizeof(*cg));

	cg->layout = hull_cgroup_host_layout();
	if (systemd) {
		cg->path = systemd_path(cgroups_path, id, err);
		if (!cg->path)
			return -1;
	} else if (cgroups_path && *cgroups_path) {
		if (!path_is_sane(cgroups_path))
			return hull_fail(err, EINVAL,
					 "linux.cgroupsPath: \"%s\" must not contain \"..\"",
					 cgroups_path);
		cg->path = xstrdup(cgroups_path);
	} else {
		cg->path = xstrdup(id);
	}
	if (discover_hierarchies(cg, err) < 0)
		return -1;
	cg->created = xcalloc(1, sizeof(char *));
	*out = TAKE_PTR(cg);
	return 0;
}

static char *full_path(const hull_cgroup *cg, size_t i)
{
	const struct hull_cgroup_hier *h = &cg->hier[i];
	const char *p = cg->path;

	if (p[0] == '/')
		return xasprintf("%s%s", h->mountpoint, p);
	if (streq(h->own_path, "/"))
		return xasprintf("%s/%s", h->mountpoint, p);
	return xasprintf("%s%s/%s", h->mountpoint, h->own_path, p);
}

char *hull_cgroup_path_at(const hull_cgroup *cg, size_t i)
{
	return full_path(cg, i);
}

void hull_cgroup_free(hull_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->nhier; i++) {
		free(cg->hier[i].mountpoint);
		free(cg->hier[i].controllers);
		free(cg->hier[i].own_path);
	}
	free(cg->hier);
	free(cg->path);
	strv_free(cg->created);
	free(cg);
}

void hull_cgroup_freep(hull_cgroup **cg)
{
	hull_cgroup_free(*cg);
}

static void note_created(hull_cgroup *cg, const char *dir)
{
	size_t n = strv_len(cg->created);

	cg->created = xrealloc(cg->created, (n + 2) * sizeof(char *));
	cg->created[n] = xstrdup(dir);
	cg->created[n + 1] = NULL;
}

/* mkdir -p that remembers which levels it made, so destroy removes only
 * those. */
/* A new v1 cpuset starts with no cpus and no mems, and nothing can join
 * it: give it its parent's. */
static int cpuset_inherit(const char *dir, hull_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	cleanup_free char *parent = xstrdup(dir);

	*strrchr(parent, '/') = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *from = xasprintf("%s/%s", parent, files[i]);
		cleanup_free char *to = xasprintf("%s/%s", dir, files[i]);
		cleanup_free char *val = NULL;
		size_t len;

		if (read_file_at(AT_FDCWD, from, &val, &len, err) < 0)
			return -1;
		if (len && write_file_at(AT_FDCWD, to, val, len, err) < 0)
			return -1;
	}
	return 0;
}

static int mkdir_tracked(hull_cgroup *cg, const char *mountpoint, const char *dir, bool cpuset,
			 hull_error **err)
{
	cleanup_free char *p = xstrdup(dir);
	char *s = p + strlen(mountpoint);

	while (s && *s) {
		char *slash = strchr(s + 1, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) == 0) {
			note_created(cg, p);
			if (cpuset && cpuset_inherit(p, err) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return hull_fail_errno(err, "create cgroup %s", p);
		}
		if (slash)
			*slash = '/';
		s = slash;
	}
	return 0;
}

/* v2 needs each controller enabled in every ancestor's subtree_control.
 * Controllers are enabled one at a time so one that cannot be (e.g. in a
 * threaded subtree) does not keep the others off. */
static void v2_enable_controllers(const char *mountpoint, const char *dir)
{
	cleanup_free char *p = xstrdup(dir);
	char *end = p + strlen(mountpoint);

	for (;;) {
		cleanup_free char *ctrls = NULL, *file = NULL, *sc = NULL;
		char *next = strchr(end + 1, '/'), *save = NULL;

		/* p[0..end) is an ancestor of dir */
		*end = '\0';
		file = xasprintf("%s/cgroup.controllers", p);
		sc = xasprintf("%s/cgroup.subtree_control", p);
		if (read_file_at(AT_FDCWD, file, &ctrls, NULL, NULL) == 0)
			for (char *c = strtok_r(ctrls, " \n", &save); c;
			     c = strtok_r(NULL, " \n", &save)) {
				char buf[64];
				int n = snprintf(buf, sizeof(buf), "+%s", c);
				write_file_at(AT_FDCWD, sc, buf, (size_t)n, NULL);
			}
		*end = '/';
		if (!next)
			break;
		end = next;
	}
}

int hull_cgroup_create(hull_cgroup *cg, const oci_resources *res, hull_error **err)
{
	for (size_t i = 0; i < cg->nhier; i++) {
		cleanup_free char *dir = full_path(cg, i);

		bool cpuset = !cg->hier[i].v2 && strstr(cg->hier[i].controllers, "cpuset");

		if (mkdir_tracked(cg, cg->hier[i].mountpoint, dir, cpuset, err) < 0)
			goto fail;
		if (cg->hier[i].v2)
			v2_enable_controllers(cg->hier[i].mountpoint, dir);
	}
	if (res && hull_cgroup_apply(cg, res, false, err) < 0)
		goto fail;
	return 0;
fail:
	hull_cgroup_destroy(cg, NULL);
	return -1;
}

int hull_cgroup_enter(hull_cgroup *cg, pid_t pid, hull_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	for (size_t i = 0; i < cg->nhier; i++) {
		cleanup_free char *dir = full_path(cg, i);
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);

		if (write_file_at(AT_FDCWD, procs, buf, (size_t)n, err) < 0)
			return hull_error_prefix(err, "join cgroup");
	}
	return 0;
}

/* rmdir, deepest first, of dir and whatever the container made below it. */
static int remove_tree(const char *dir)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		remove_tree(sub);
	}
	/* Processes that were just killed leave their cgroup a moment later. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int destroy_created(char **created, hull_error **err)
{
	size_t n = strv_len(created);
	int ret = 0;

	/* deepest first: created[] is in creation order */
	while (n-- > 0) {
		if (remove_tree(created[n]) < 0 && ret == 0)
			ret = hull_fail_errno(err, "remove cgroup %s", created[n]);
	}
	return ret;
}

int hull_cgroup_destroy(hull_cgroup *cg, hull_error **err)
{
	int r = destroy_created(cg->created, err);

	strv_free(cg->created);
	cg->created = xcalloc(1, sizeof(char *));
	return r;
}

const char *hull_cgroup_dir(hull_cgroup *cg, const char *controller, bool *v2)
{
	static char *last;

	for (size_t i = 0; i < cg->nhier; i++) {
		const struct hull_cgroup_hier *h = &cg->hier[i];
		bool match = !controller;

		if (controller && !h->v2) {
			cleanup_free char *c = xasprintf(",%s,", h->controllers);
			cleanup_free char *want = xasprintf(",%s,", controller);
			match = strstr(c, want) != NULL;
		} else if (controller && h->v2) {
			cleanup_free char *file = xasprintf("%s/cgroup.controllers", h->mountpoint);
			cleanup_free char *ctrls = NULL;
			if (!*controller)
				match = true;
			else if (read_file_at(AT_FDCWD, file, &ctrls, NULL, NULL) == 0) {
				cleanup_free char *c = xasprintf(" %s ", ctrls);
				cleanup_free char *want = xasprintf(" %s ", controller);
				for (char *q = c; *q; q++)
					if (*q == '\n')
						*q = ' ';
				match = strstr(c, want) != NULL;
			}
		}
		if (match) {
			free(last);
			last = full_path(cg, i);
			if (v2)
				*v2 = h->v2;
			return last;
		}
	}
	return NULL;
}

void hull_cgroup_save(const hull_cgroup *cg, oci_hull_state *st)
{
	oci_string_map *m = xcalloc(1, sizeof(*m));

	m->keys = xcalloc(cg->nhier + 1, sizeof(char *));
	m->values = xcalloc(cg->nhier + 1, sizeof(char *));
	for (size_t i = 0; i < cg->nhier; i++) {
		m->keys[i] = xstrdup(cg->hier[i].mountpoint);
		m->values[i] = full_path(cg, i);
	}
	m->len = cg->nhier;
	oci_string_map_free(st->cgroup_paths);
	st->cgroup_paths = m;
	strv_free_n(st->cgroups_created, st->cgroups_created_len);
	st->cgroups_created_len = strv_len(cg->created);
	st->cgroups_created = xcalloc(st->cgroups_created_len + 1, sizeof(char *));
	for (size_t i = 0; i < st->cgroups_created_len; i++)
		st->cgroups_created[i] = xstrdup(cg->created[i]);
}

/* A cgroup rebuilt from state: one "hierarchy" per stored path, so later
 * commands never re-read mountinfo. */
int hull_cgroup_load(const oci_hull_state *st, hull_cgroup **out, hull_error **err)
{
	hull_cgroup *cg = xcalloc(1, sizeof(*cg));
	struct statfs fs;

	cg->layout = hull_cgroup_host_layout();
	cg->path = xstrdup("/");
	if (st->cgroup_paths) {
		cg->hier = xcalloc(st->cgroup_paths->len + 1, sizeof(*cg->hier));
		for (size_t i = 0; i < st->cgroup_paths->len; i++) {
			struct hull_cgroup_hier *h = &cg->hier[cg->nhier++];
			const char *mnt = st->cgroup_paths->keys[i];
			/* mountpoint := the stored full path; path "/" appends nothing */
			h->mountpoint = xstrdup(st->cgroup_paths->values[i]);
			h->v2 = statfs(mnt, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
			h->controllers = xstrdup(h->v2 ? "" : strrchr(mnt, '/') + 1);
			h->own_path = xstrdup("/");
		}
	}
	cg->created = xcalloc(st->cgroups_created_len + 1, sizeof(char *));
	for (size_t i = 0; i < st->cgroups_created_len; i++)
		cg->created[i] = xstrdup(st->cgroups_created[i]);
	*out = cg;
	(void)err;
	return 0;
}

int hull_cgroup_destroy_from_state(const oci_hull_state *st, hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = NULL;

	if (hull_cgroup_load(st, &cg, err) < 0)
		return -1;
	return hull_cgroup_destroy(cg, err);
}

static int read_pids(const char *dir, pid_t **pids, size_t *n, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/cgroup.procs", dir), *data = NULL;
	size_t cap = 16, count = 0;
	pid_t *v;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, file, &data, NULL, err) < 0)
		return -1;
	v = xcalloc(cap, sizeof(*v));
	for (char *t = strtok_r(data, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (count == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = (pid_t)atoi(t);
	}
	*pids = v;
	*n = count;
	return 0;
}

int hull_cgroup_pids(hull_cgroup *cg, pid_t **pids, size_t *n, hull_error **err)
{
	/* pids or freezer hold every process; any hierarchy does. */
	const char *dir = hull_cgroup_dir(cg, "pids", NULL);

	if (!dir)
		dir = hull_cgroup_dir(cg, NULL, NULL);
	if (!dir)
		return hull_fail(err, ENOENT, "container has no cgroup");
	return read_pids(dir, pids, n, err);
}

int hull_cgroup_kill_all(hull_cgroup *cg, int sig, hull_error **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "", &v2);

	if (sig == SIGKILL && dir && v2) {
		cleanup_free char *kill_file = xasprintf("%s/cgroup.kill", dir);
		if (access(kill_file, F_OK) == 0 &&
		    write_file_at(AT_FDCWD, kill_file, "1", 1, NULL) == 0)
			return 0;
	}
	/* Freeze first so nothing forks between reading the list and killing. */
	bool froze = hull_cgroup_freeze(cg, true, NULL) == 0;
	if (hull_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return hull_fail_errno(err, "kill %d", (int)pids[i]);
	if (froze)
		hull_cgroup_freeze(cg, false, NULL);
	return 0;
}

static int freezer_v1(const char *dir, bool freeze, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/freezer.state", dir);
	const char *want = freeze ? "FROZEN" : "THAWED";

	for (int i = 0; i < 1000; i++) {
		cleanup_free char *cur = NULL;
		if (write_file_at(AT_FDCWD, file, want, strlen(want), err) < 0)
			return -1;
		if (read_file_at(AT_FDCWD, file, &cur, NULL, err) < 0)
			return -1;
		if (strncmp(cur, want, strlen(want)) == 0)
			return 0;
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return hull_fail(err, EBUSY, "%s: the cgroup did not reach %s", file, want);
}

static int freezer_v2(const char *dir, bool freeze, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/cgroup.freeze", dir);
	cleanup_free char *events = xasprintf("%s/cgroup.events", dir);

	if (write_file_at(AT_FDCWD, file, freeze ? "1" : "0", 1, err) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *ev = NULL;
		const char *f;
		if (read_file_at(AT_FDCWD, events, &ev, NULL, err) < 0)
			return -1;
		f = strstr(ev, "frozen ");
		if (f && f[7] == (freeze ? '1' : '0'))
			return 0;
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return hull_fail(err, EBUSY, "%s: the cgroup did not %s", file, freeze ? "freeze" : "thaw");
}

int hull_cgroup_freeze(hull_cgroup *cg, bool freeze, hull_error **err)
{
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "freezer", &v2);

	if (dir)
		return freezer_v1(dir, freeze, err);
	if (cg->layout == HULL_CGROUP_V2 && (dir = hull_cgroup_dir(cg, "", &v2)))
		return freezer_v2(dir, freeze, err);
	return hull_fail(err, ENOTSUP, "no freezer: neither a v1 freezer hierarchy nor cgroup v2");
}

bool hull_cgroup_is_frozen(hull_cgroup *cg)
{
	cleanup_free char *data = NULL, *file = NULL;
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "freezer", &v2);

	if (dir) {
		file = xasprintf("%s/freezer.state", dir);
		return read_file_at(AT_FDCWD, file, &data, NULL, NULL) == 0 &&
		       strncmp(data, "FROZEN", 6) == 0;
	}
	if (cg->layout == HULL_CGROUP_V2 && (dir = hull_cgroup_dir(cg, "", &v2))) {
		file = xasprintf("%s/cgroup.freeze", dir);
		return read_file_at(AT_FDCWD, file, &data, NULL, NULL) == 0 && data[0] == '1';
	}
	return false;
}

bool hull_cgroup_is_frozen_from_state(const oci_hull_state *st)
{
	cleanup_cgroup hull_cgroup *cg = NULL;

	if (!st->cgroup_paths || hull_cgroup_load(st, &cg, NULL) < 0)
		return false;
	return hull_cgroup_is_frozen(cg);
}
