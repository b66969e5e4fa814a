/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's cgroup: which hierarchies the host has, where the
 * container's directory is in each, making and removing it, and carrying
 * it from create to later commands through the state file.  Processes
 * (pids, kill, freeze) are in cgroup-procs.c, resources in
 * cgroup-resources.c.
 */
#include "config.h"
#include "cgroup.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
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

const char *hull_cgroup_layout_name(enum hull_cgroup_layout l)
{
	return l == HULL_CGROUP_V2 ? "cgroup v2" : l == HULL_CGROUP_HYBRID ? "hybrid" : "cgroup v1";
}

/* The hierarchies as this process sees them, found once per process (run
 * creates and deletes with one look, cgroup-discover.c); commands after
 * create learn each stored mount point's controllers here. */
static const hull_cgroup *host_hierarchies(hull_error **err)
{
	static hull_cgroup *host;

	if (!host) {
		hull_cgroup *h = xcalloc(1, sizeof(*h));
		if (cg_discover_hierarchies(h, err) < 0) {
			hull_cgroup_free(h);
			return NULL;
		}
		host = h;
	}
	return host;
}

static void copy_hierarchies(hull_cgroup *cg, const hull_cgroup *from)
{
	cg->hier = xcalloc(from->nhier + 1, sizeof(*cg->hier));
	for (size_t i = 0; i < from->nhier; i++) {
		const struct hull_cgroup_hier *f = &from->hier[i];
		struct hull_cgroup_hier *h = &cg->hier[i];

		h->mountpoint = xstrdup(f->mountpoint);
		h->controllers = xstrdup(f->controllers);
		h->v2 = f->v2;
	}
	cg->nhier = from->nhier;
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

/* "a//b/" -> "a/b": one spelling per cgroup, so the same cgroupsPath always
 * lands in the same place.  Refuses ".." and the root cgroup itself. */
static char *normalize_path(const char *p, hull_error **err)
{
	char *out = xmalloc(strlen(p) + 1), *w = out;

	for (const char *s = p; *s; s++) {
		if (*s == '/' && (s[1] == '/' || s[1] == '\0'))
			continue;
		if (s[0] == '.' && s[1] == '.' && (s == p || s[-1] == '/') &&
		    (!s[2] || s[2] == '/')) {
			free(out);
			hull_fail(err, EINVAL, "linux.cgroupsPath: \"%s\" must not contain \"..\"",
				  p);
			return NULL;
		}
		*w++ = *s;
	}
	*w = '\0';
	if (!*out || streq(out, "/")) {
		free(out);
		hull_fail(err, EINVAL,
			  "linux.cgroupsPath: \"%s\" names the root cgroup, which no container can "
			  "have to itself",
			  p);
		return NULL;
	}
	return out;
}

/*
 * A relative cgroupsPath is relative to hull's own cgroup on v1.  On v2
 * it is relative to that cgroup's parent: hull's own cgroup holds hull
 * (and usually its caller), and the kernel enables no controller below a
 * v2 cgroup that holds processes ("no internal processes").  runc places
 * relative paths the same way.
 */
static char *full_path(const hull_cgroup *cg, size_t i, hull_error **err)
{
	const struct hull_cgroup_hier *h = &cg->hier[i];
	const char *p = cg->path;
	cleanup_free char *base = NULL;
	char *slash;

	if (p[0] == '/')
		return xasprintf("%s%s", h->mountpoint, p);
	base = cg_own_path(h->controllers, h->v2, err);
	if (!base)
		return NULL;
	if (h->v2 && (slash = strrchr(base, '/')))
		*slash = '\0';
	/* base is "" for the root, else "/a/b" without a trailing slash. */
	if (streq(base, "/"))
		base[0] = '\0';
	return xasprintf("%s%s/%s", h->mountpoint, base, p);
}

static void note_created(hull_cgroup *cg, const char *dir)
{
	size_t n = strv_len(cg->created);

	cg->created = xrealloc(cg->created, (n + 2) * sizeof(char *));
	cg->created[n] = xstrdup(dir);
	cg->created[n + 1] = NULL;
}

static struct hull_cgroup_fds *fds_at(hull_cgroup *cg, size_t i)
{
	if (!cg->fds) {
		cg->fds = xcalloc(cg->nhier + 1, sizeof(*cg->fds));
		for (size_t k = 0; k < cg->nhier; k++)
			cg->fds[k].parent = cg->fds[k].dir = -1;
	}
	return &cg->fds[i];
}

/* The parent of hierarchy i's container directory, opened once; -1 when it
 * does not exist (yet) or dir is the hierarchy's root. */
static int parent_fd(hull_cgroup *cg, size_t i)
{
	const struct hull_cgroup_hier *h = &cg->hier[i];
	struct hull_cgroup_fds *f = fds_at(cg, i);
	const char *leaf = strrchr(h->dir, '/');

	if (f->parent < 0 && strlen(h->dir) > strlen(h->mountpoint)) {
		cleanup_free char *parent = xstrndup(h->dir, (size_t)(leaf - h->dir));
		f->parent = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return f->parent;
}

/* Notes dir's missing levels, outermost first.  Usually only the leaf can
 * be missing: its parent, opened, settles it.  Else found from the leaf up. */
static void plan_levels(hull_cgroup *cg, size_t i)
{
	const char *mountpoint = cg->hier[i].mountpoint, *dir = cg->hier[i].dir;
	cleanup_free char *p = xstrdup(dir);
	size_t base = strlen(mountpoint), end = strlen(p);
	int pfd = parent_fd(cg, i);
	struct stat sb;

	if (pfd >= 0) {
		if (fstatat(pfd, strrchr(dir, '/') + 1, &sb, 0) < 0)
			note_created(cg, dir);
		return;
	}
	while (end > base) {
		p[end] = '\0';
		if (stat(p, &sb) == 0)
			break;
		end = (size_t)(strrchr(p, '/') - p);
	}
	/* p[0..end) exists: the levels below it are to be made */
	strcpy(p, dir);
	while (end < strlen(dir)) {
		char *slash = strchr(p + end + 1, '/');
		end = slash ? (size_t)(slash - p) : strlen(dir);
		p[end] = '\0';
		note_created(cg, p);
		p[end] = dir[end];
	}
}

void hull_cgroup_plan(hull_cgroup *cg)
{
	for (size_t i = 0; i < cg->nhier; i++)
		plan_levels(cg, i);
}

int hull_cgroup_new(const char *id, const char *cgroups_path, bool systemd, hull_cgroup **out,
		    hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = xcalloc(1, sizeof(*cg));
	cleanup_free char *raw = NULL;
	const hull_cgroup *host;

	cg->layout = hull_cgroup_host_layout();
	cg->created = xcalloc(1, sizeof(char *));
	if (systemd) {
		raw = systemd_path(cgroups_path, id, err);
		if (!raw)
			return -1;
	} else {
		raw = xstrdup(cgroups_path && *cgroups_path ? cgroups_path : id);
	}
	cg->path = normalize_path(raw, err);
	if (!cg->path)
		return -1;
	host = host_hierarchies(err);
	if (!host)
		return -1;
	copy_hierarchies(cg, host);
	for (size_t i = 0; i < cg->nhier; i++)
		if (!(cg->hier[i].dir = full_path(cg, i, err)))
			return -1;
	*out = TAKE_PTR(cg);
	return 0;
}

char *hull_cgroup_path_at(const hull_cgroup *cg, size_t i)
{
	return xstrdup(cg->hier[i].dir);
}

void hull_cgroup_free(hull_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->nhier; i++) {
		free(cg->hier[i].mountpoint);
		free(cg->hier[i].controllers);
		free(cg->hier[i].dir);
	}
	for (size_t i = 0; cg->fds && i < cg->nhier; i++) {
		closep(&cg->fds[i].parent);
		closep(&cg->fds[i].dir);
	}
	free(cg->fds);
	free(cg->hier);
	free(cg->path);
	strv_free(cg->created);
	free(cg);
}

void hull_cgroup_forget_fds(hull_cgroup *cg)
{
	if (cg) {
		free(cg->fds);
		cg->fds = NULL;
	}
}

int hull_cgroup_dir_fd(const hull_cgroup *cg, size_t i)
{
	return cg->fds ? cg->fds[i].dir : -1;
}

void hull_cgroup_freep(hull_cgroup **cg)
{
	hull_cgroup_free(*cg);
}

bool hull_cgroup_has_v2(const hull_cgroup *cg)
{
	for (size_t i = 0; i < cg->nhier; i++)
		if (cg->hier[i].v2)
			return true;
	return false;
}

bool hull_cgroup_was_created(const hull_cgroup *cg, const char *dir)
{
	for (char **c = cg->created; c && *c; c++)
		if (streq(*c, dir))
			return true;
	return false;
}

/* A new v1 cpuset starts with no cpus and no mems, and nothing can join
 * it: give it its parent's.  Through the open directories where there are. */
static int cpuset_inherit(const char *dir, int from_fd, int to_fd, hull_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	cleanup_free char *parent = xstrdup(dir);

	*strrchr(parent, '/') = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *from = xasprintf("%s/%s", parent, files[i]);
		cleanup_free char *to = xasprintf("%s/%s", dir, files[i]);
		cleanup_free char *val = NULL;
		size_t len;

		if (read_file_at(from_fd, from_fd < 0 ? from : files[i], &val, &len, NULL) < 0)
			return hull_fail_errno(err, "read %s", from);
		if (len && write_file_at(to_fd, to_fd < 0 ? to : files[i], val, len, NULL) < 0)
			return hull_fail_errno(err, "write %.*s to %s", (int)strcspn(val, "\n"),
					       val, to);
	}
	return 0;
}

/* mkdir -p that remembers which levels it made, so destroy removes only
 * those.  The leaf first, beneath its open parent: that usually exists.
 * The leaf is kept open for the files written next. */
static int mkdir_tracked(hull_cgroup *cg, size_t i, bool cpuset, hull_error **err)
{
	const char *mountpoint = cg->hier[i].mountpoint, *dir = cg->hier[i].dir;
	struct hull_cgroup_fds *f = fds_at(cg, i);
	const char *leaf = strrchr(dir, '/') + 1;
	int pfd = parent_fd(cg, i);
	cleanup_free char *p = NULL;
	char *s;

	if (strlen(dir) == strlen(mountpoint))
		return 0;
	if (pfd >= 0 && mkdirat(pfd, leaf, 0755) == 0) {
		note_created(cg, dir);
		f->dir = openat(pfd, leaf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		return cpuset ? cpuset_inherit(dir, pfd, f->dir, err) : 0;
	}
	if (pfd >= 0 && errno == EEXIST) {
		f->dir = openat(pfd, leaf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		return 0;
	}
	if (pfd >= 0 && errno != ENOENT)
		return hull_fail_errno(err, "linux.cgroupsPath: create cgroup %s", dir);
	/* the parent is missing (or was removed since it was opened) */
	p = xstrdup(dir);
	s = p + strlen(mountpoint);
	while (s && *s) {
		char *slash = strchr(s + 1, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) == 0) {
			note_created(cg, p);
			if (cpuset && cpuset_inherit(p, -1, -1, err) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return hull_fail_errno(err, "linux.cgroupsPath: create cgroup %s", p);
		}
		if (slash)
			*slash = '/';
		s = slash;
	}
	return 0;
}

/* Does a non-root v2 cgroup hold processes of its own? */
static bool v2_populated(const char *mountpoint, const char *dir)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir), *data = NULL;

	return !streq(mountpoint, dir) && read_file_at(AT_FDCWD, procs, &data, NULL, NULL) == 0 &&
	       data[0] != '\0';
}

/* Writes +c to dir's subtree_control for every controller dir has. */
static void v2_enable_at(const char *dir)
{
	cleanup_free char *ctrls = NULL, *have = NULL;
	cleanup_free char *file = xasprintf("%s/cgroup.controllers", dir);
	cleanup_free char *sc = xasprintf("%s/cgroup.subtree_control", dir);
	char *save = NULL;

	if (read_file_at(AT_FDCWD, file, &ctrls, NULL, NULL) < 0 ||
	    read_file_at(AT_FDCWD, sc, &have, NULL, NULL) < 0)
		return;
	for (char *c = strtok_r(ctrls, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "+%s", c);
		if (!cg_word_in(have, c))
			write_file_at(AT_FDCWD, sc, buf, (size_t)n, NULL);
	}
}

/*
 * v2 needs each controller enabled in every ancestor's subtree_control.
 * Controllers are enabled one at a time so one that cannot be does not
 * keep the others off; what is missing in the end is reported by the
 * writer that needs it (cg_v2_require).  An ancestor that holds processes
 * (e.g. the runtime's own cgroup, for a relative cgroupsPath) is left
 * alone, and so is everything below it: the kernel would still take the
 * threaded controllers (cpu, cpuset, pids) there, which turns the new
 * cgroup "domain invalid" and makes it refuse every process.
 */
static void v2_enable_controllers(const char *mountpoint, const char *dir)
{
	cleanup_free char *p = xstrdup(dir);
	char *end = p + strlen(mountpoint);

	for (;;) {
		char *next = strchr(end + 1, '/');

		/* p[0..end) is an ancestor of dir */
		*end = '\0';
		if (v2_populated(mountpoint, p))
			return;
		v2_enable_at(p);
		*end = '/';
		if (!next)
			break;
		end = next;
	}
}

/* An existing cgroup is only fit for a new container when it is empty and
 * not frozen: otherwise limits and kill --all would hit other processes. */
static int check_reused(const struct hull_cgroup_hier *h, hull_error **err)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", h->dir), *data = NULL;
	cleanup_free char *frozen = NULL, *ffile = NULL;

	if (read_file_at(AT_FDCWD, procs, &data, NULL, NULL) == 0 && data[0])
		return hull_fail(err, EBUSY,
				 "linux.cgroupsPath: cgroup %s already has processes in it (%s)",
				 h->dir, procs);
	ffile = xasprintf("%s/%s", h->dir, h->v2 ? "cgroup.freeze" : "freezer.state");
	if (read_file_at(AT_FDCWD, ffile, &frozen, NULL, NULL) == 0 &&
	    (frozen[0] == '1' || strncmp(frozen, "FROZEN", 6) == 0))
		return hull_fail(err, EBUSY, "linux.cgroupsPath: cgroup %s is frozen (%s)", h->dir,
				 ffile);
	return 0;
}

/* The directories of the v2 (v2) or the v1 hierarchies. */
static int make_dirs(hull_cgroup *cg, bool v2, hull_error **err)
{
	for (size_t i = 0; i < cg->nhier; i++) {
		const struct hull_cgroup_hier *h = &cg->hier[i];
		bool cpuset = !h->v2 && cg_word_in_list(h->controllers, "cpuset");

		if (h->v2 != v2)
			continue;
		if (mkdir_tracked(cg, i, cpuset, err) < 0)
			return -1;
		if (!hull_cgroup_was_created(cg, h->dir) && check_reused(h, err) < 0)
			return -1;
		if (h->v2)
			v2_enable_controllers(h->mountpoint, h->dir);
	}
	return 0;
}

int hull_cgroup_create_v2(hull_cgroup *cg, hull_error **err)
{
	strv_free(cg->created);
	cg->created = xcalloc(1, sizeof(char *));
	return make_dirs(cg, true, err);
}

int hull_cgroup_create_rest(hull_cgroup *cg, const oci_resources *res, hull_error **err)
{
	/* even without linux.resources: the device list is deny-by-default */
	if (make_dirs(cg, false, err) < 0 ||
	    hull_cgroup_apply(cg, res ? res : &(oci_resources){0}, false, err) < 0)
		return -1;
	return 0;
}

int hull_cgroup_enter(hull_cgroup *cg, pid_t pid, hull_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	for (size_t i = 0; i < cg->nhier; i++) {
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", cg->hier[i].dir);

		if (write_file_at(AT_FDCWD, procs, buf, (size_t)n, err) < 0)
			return hull_error_prefix(err, "join cgroup");
	}
	return 0;
}

/* rmdir, deepest first, of dir and whatever the container made below it. */
static int remove_tree(const char *dir)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	/* Usually there is nothing below and nobody inside: one rmdir. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	d = opendir(dir);
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

static bool is_container_dir(const hull_cgroup *cg, const char *dir)
{
	for (size_t i = 0; i < cg->nhier; i++)
		if (streq(cg->hier[i].dir, dir))
			return true;
	return false;
}

/* Deepest first (created[] is in creation order).  The container's own
 * directory goes with whatever the container made below it; an ancestor
 * hull made goes only once it is empty: other containers may live below
 * the same prefix. */
static int destroy_created(const hull_cgroup *cg, hull_error **err)
{
	size_t n = strv_len(cg->created);
	int ret = 0;

	while (n-- > 0) {
		const char *dir = cg->created[n];
		if (is_container_dir(cg, dir)) {
			if (remove_tree(dir) < 0 && ret == 0)
				ret = hull_fail_errno(err, "remove cgroup %s", dir);
		} else if (rmdir(dir) < 0 && errno != ENOENT && errno != EBUSY &&
			   errno != ENOTEMPTY && ret == 0) {
			ret = hull_fail_errno(err, "remove cgroup %s", dir);
		}
	}
	return ret;
}

int hull_cgroup_destroy(hull_cgroup *cg, hull_error **err)
{
	int r = destroy_created(cg, err);

	strv_free(cg->created);
	cg->created = xcalloc(1, sizeof(char *));
	return r;
}

/* Is controller among the root's cgroup.controllers of a v2 hierarchy? */
static bool v2_has_controller(const struct hull_cgroup_hier *h, const char *controller)
{
	cleanup_free char *file = xasprintf("%s/cgroup.controllers", h->mountpoint);
	cleanup_free char *ctrls = NULL;

	return read_file_at(AT_FDCWD, file, &ctrls, NULL, NULL) == 0 &&
	       cg_word_in(ctrls, controller);
}

const char *hull_cgroup_dir(hull_cgroup *cg, const char *controller, bool *v2)
{
	for (size_t i = 0; i < cg->nhier; i++) {
		const struct hull_cgroup_hier *h = &cg->hier[i];
		bool match;

		if (!controller)
			match = true;
		else if (!h->v2)
			match = *controller && cg_word_in_list(h->controllers, controller);
		else
			match = !*controller || v2_has_controller(h, controller);
		if (match) {
			if (v2)
				*v2 = h->v2;
			return h->dir;
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
		m->values[i] = xstrdup(cg->hier[i].dir);
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

bool hull_cgroup_saved_in(const hull_cgroup *cg, const oci_hull_state *st)
{
	if (strv_len(cg->created) != st->cgroups_created_len)
		return false;
	for (size_t i = 0; i < st->cgroups_created_len; i++)
		if (!streq(cg->created[i], st->cgroups_created[i]))
			return false;
	return true;
}

/* A mount point that is no longer mounted: judge it by its name. */
static void guess_hier(struct hull_cgroup_hier *h, const char *mnt)
{
	struct statfs fs;
	const char *base = strrchr(mnt, '/') ? strrchr(mnt, '/') + 1 : mnt;

	h->v2 = statfs(mnt, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
	h->controllers = xstrdup(h->v2 ? "" : streq(base, "systemd") ? "name=systemd" : base);
}

/* A cgroup rebuilt from state: the stored directory per hierarchy, so later
 * commands act on exactly the cgroups create made. */
int hull_cgroup_load(const oci_hull_state *st, hull_cgroup **out, hull_error **err)
{
	hull_cgroup *cg = xcalloc(1, sizeof(*cg));
	static const hull_cgroup none;
	const hull_cgroup *host = host_hierarchies(NULL);
	size_t n = st->cgroup_paths ? st->cgroup_paths->len : 0;

	if (!host)
		host = &none;
	cg->layout = hull_cgroup_host_layout();
	cg->path = xstrdup("");
	cg->hier = xcalloc(n + 1, sizeof(*cg->hier));
	for (size_t i = 0; i < n; i++) {
		struct hull_cgroup_hier *h = &cg->hier[cg->nhier++];
		const char *mnt = st->cgroup_paths->keys[i];
		const struct hull_cgroup_hier *known = NULL;

		for (size_t j = 0; j < host->nhier && !known; j++)
			if (streq(host->hier[j].mountpoint, mnt))
				known = &host->hier[j];
		h->mountpoint = xstrdup(mnt);
		h->dir = xstrdup(st->cgroup_paths->values[i]);
		if (known) {
			h->v2 = known->v2;
			h->controllers = xstrdup(known->controllers);
		} else {
			guess_hier(h, mnt);
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
