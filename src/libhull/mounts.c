/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "mounts.h"
#include "cgroup.h"
#include "log.h"
#include "path.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROP, OPT_REC_SET, OPT_REC_CLEAR, OPT_BIND, OPT_IGNORE };

/* config.md's table of Linux mount options. */
static const struct mount_opt {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
} mount_opts[] = {
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"bind", OPT_BIND, 0},
    {"defaults", OPT_IGNORE, 0},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"dirsync", OPT_FLAG, MS_DIRSYNC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"iversion", OPT_FLAG, MS_I_VERSION},
    {"lazytime", OPT_FLAG, MS_LAZYTIME},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"mand", OPT_FLAG, MS_MANDLOCK},
    {"noatime", OPT_FLAG, MS_NOATIME},
    {"nodev", OPT_FLAG, MS_NODEV},
    {"nodiratime", OPT_FLAG, MS_NODIRATIME},
    {"noexec", OPT_FLAG, MS_NOEXEC},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"nosuid", OPT_FLAG, MS_NOSUID},
    {"nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW},
    {"private", OPT_PROP, MS_PRIVATE},
    {"rbind", OPT_BIND, MS_REC},
    {"relatime", OPT_FLAG, MS_RELATIME},
    {"remount", OPT_FLAG, MS_REMOUNT},
    {"ro", OPT_FLAG, MS_RDONLY},
    {"rprivate", OPT_PROP, MS_PRIVATE | MS_REC},
    {"rshared", OPT_PROP, MS_SHARED | MS_REC},
    {"rslave", OPT_PROP, MS_SLAVE | MS_REC},
    {"runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"shared", OPT_PROP, MS_SHARED},
    {"silent", OPT_FLAG, MS_SILENT},
    {"slave", OPT_PROP, MS_SLAVE},
    {"strictatime", OPT_FLAG, MS_STRICTATIME},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"sync", OPT_FLAG, MS_SYNCHRONOUS},
    {"unbindable", OPT_PROP, MS_UNBINDABLE},
    /* recursive mount attributes (mount_setattr with AT_RECURSIVE) */
    {"rro", OPT_REC_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", OPT_REC_SET, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_REC_CLEAR, MOUNT_ATTR_RELATIME},
    {"rnoatime", OPT_REC_SET, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_REC_CLEAR, MOUNT_ATTR_NOATIME},
    {"rstrictatime", OPT_REC_SET, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_REC_CLEAR, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    /* runtime extensions other runtimes accept; nothing to do here */
    {"tmpcopyup", OPT_IGNORE, 0},
    {"copy-symlink", OPT_IGNORE, 0},
};

static const struct mount_opt *find_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (streq(mount_opts[i].name, name))
			return &mount_opts[i];
	return NULL;
}

static void append_data(char **data, const char *opt)
{
	char *n = xasprintf("%s%s%s", *data ? *data : "", *data ? "," : "", opt);

	free(*data);
	*data = n;
}

int hull_mount_parse_options(char **opts, size_t n, struct hull_mount *m, const char *where,
			     hull_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const struct mount_opt *o = find_opt(opts[i]);

		if (!o) {
			if (!*opts[i])
				return hull_fail(err, EINVAL, "%s.options[%zu]: empty option",
						 where, i);
			if (streq(opts[i], "idmap") || streq(opts[i], "ridmap"))
				return hull_fail(
				    err, ENOTSUP,
				    "%s.options[%zu]: \"%s\" (id-mapped mounts) is not "
				    "supported yet",
				    where, i, opts[i]);
			append_data(&m->data, opts[i]);
			continue;
		}
		switch (o->kind) {
		case OPT_FLAG:
			m->flags |= o->value;
			break;
		case OPT_CLEAR:
			m->flags &= ~o->value;
			break;
		case OPT_PROP:
			m->propagation = o->value;
			break;
		case OPT_REC_SET:
			m->rec_set |= o->value;
			m->rec_clear &= ~o->value;
			break;
		case OPT_REC_CLEAR:
			m->rec_clear |= o->value;
			m->rec_set &= ~o->value;
			break;
		case OPT_BIND:
			m->kind = HULL_MOUNT_BIND;
			m->recursive = m->recursive || (o->value & MS_REC);
			break;
		case OPT_IGNORE:
			break;
		}
	}
	/* The atime options are one setting: the last one counts, as the
	 * kernel's MOUNT_ATTR__ATIME field says. */
	if ((m->rec_set | m->rec_clear) & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME))
		m->rec_clear |= MOUNT_ATTR__ATIME;
	return 0;
}

static void mount_clear(struct hull_mount *m)
{
	free(m->source);
	free(m->data);
}

void hull_mount_plan_free(struct hull_mount_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		mount_clear(&p->m[i]);
	free(p->m);
	p->m = NULL;
	p->n = 0;
}

static int plan_one(const oci_mount *cm, size_t idx, const char *bundle, struct hull_mount *m,
		    hull_error **err)
{
	char where[32];

	snprintf(where, sizeof(where), "mounts[%zu]", idx);
	memset(m, 0, sizeof(*m));
	m->index = idx;
	m->dest = cm->destination;
	if (!cm->destination || !*cm->destination)
		return hull_fail(err, EINVAL, "%s.destination: must not be empty", where);
	if (cm->uid_mappings_len || cm->gid_mappings_len)
		return hull_fail(
		    err, ENOTSUP,
		    "%s: uidMappings/gidMappings (id-mapped mounts) are not supported yet", where);
	m->kind = HULL_MOUNT_FS;
	if (cm->type && (streq(cm->type, "bind") || streq(cm->type, "rbind"))) {
		m->kind = HULL_MOUNT_BIND;
		m->recursive = streq(cm->type, "rbind");
	}
	if (hull_mount_parse_options(cm->options, cm->options_len, m, where, err) < 0)
		return -1;
	if (m->kind == HULL_MOUNT_BIND) {
		const char *src = cm->source;
		if (!src || !*src)
			return hull_fail(err, EINVAL, "%s.source: a bind mount needs a source",
					 where);
		/* A relative source is relative to the bundle (config.md). */
		m->source = src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", bundle, src);
		m->remount = (m->flags & ~(MS_REC | MS_REMOUNT)) != 0;
		return 0;
	}
	if (!cm->type || !*cm->type)
		return hull_fail(err, EINVAL, "%s.type: needed unless the mount is a bind mount",
				 where);
	m->fstype = cm->type;
	m->source = xstrdup(cm->source && *cm->source ? cm->source : cm->type);
	if (streq(cm->type, "cgroup") || streq(cm->type, "cgroup2"))
		m->kind = HULL_MOUNT_CGROUP;
	return 0;
}

int hull_mount_plan_build(const oci_config *cfg, const char *bundle, struct hull_mount_plan *p,
			  hull_error **err)
{
	p->n = 0;
	p->m = xcalloc(cfg->mounts_len + 1, sizeof(*p->m));
	for (size_t i = 0; i < cfg->mounts_len; i++) {
		if (plan_one(cfg->mounts[i], i, bundle, &p->m[i], err) < 0) {
			mount_clear(&p->m[i]);
			hull_mount_plan_free(p);
			return -1;
		}
		p->n++;
	}
	return 0;
}

void hull_mount_plan_debug(const struct hull_mount_plan *p)
{
	static const char *const kinds[] = {"bind", "fs", "cgroup"};

	if (hull_log_get_level() < HULL_LOG_DEBUG)
		return;
	for (size_t i = 0; i < p->n; i++) {
		const struct hull_mount *m = &p->m[i];
		hull_debug("mount plan %zu: %s %s -> %s type=%s flags=0x%lx prop=0x%lx "
			   "rec=+0x%llx/-0x%llx "
			   "data=%s%s",
			   i, kinds[m->kind], m->source, m->dest, m->fstype ? m->fstype : "-",
			   m->flags, m->propagation, (unsigned long long)m->rec_set,
			   (unsigned long long)m->rec_clear, m->data ? m->data : "",
			   m->recursive ? " recursive" : "");
	}
}

static int set_recursive_attrs(int fd, const struct hull_mount *m, hull_error **err)
{
	struct mount_attr attr = {.attr_set = m->rec_set, .attr_clr = m->rec_clear};

	if (!m->rec_set && !m->rec_clear)
		return 0;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
	    0)
		return hull_fail_errno(err, "mounts[%zu]: recursive mount attributes on %s",
				       m->index, m->dest);
	return 0;
}

/* The object an fd refers to, re-opened after a mount so later steps act
 * on the new mount, not on what it covers. */
static int reopen_in_root(int rootfd, const char *dest, hull_error **err)
{
	int fd = hull_open_in_root(rootfd, dest, O_PATH, 0);

	if (fd < 0)
		return hull_fail_errno(err, "reopen %s after mounting", dest);
	return fd;
}

static int do_bind(const struct hull_mount *m, int rootfd, hull_error **err)
{
	cleanup_close int dfd = -1, mfd = -1;
	struct stat st;
	unsigned long flags = MS_BIND | (m->recursive ? MS_REC : 0);

	if (stat(m->source, &st) < 0)
		return hull_fail_errno(err, "mounts[%zu].source: %s", m->index, m->source);
	dfd = hull_mkpath_in_root(rootfd, m->dest, !S_ISDIR(st.st_mode), err);
	if (dfd < 0)
		return hull_error_prefix(err, "mounts[%zu].destination", m->index);
	if (hull_mount_on(m->source, dfd, NULL, flags, NULL) < 0)
		return hull_fail_errno(err, "mounts[%zu]: bind %s on %s", m->index, m->source,
				       m->dest);
	mfd = reopen_in_root(rootfd, m->dest, err);
	if (mfd < 0)
		return -1;
	if (m->remount &&
	    hull_mount_on(NULL, mfd, NULL,
			  MS_BIND | MS_REMOUNT | (m->flags & ~(MS_REC | MS_REMOUNT)), NULL) < 0)
		return hull_fail_errno(err, "mounts[%zu]: remount %s with its options", m->index,
				       m->dest);
	if (set_recursive_attrs(mfd, m, err) < 0)
		return -1;
	if (m->propagation && hull_mount_on(NULL, mfd, NULL, m->propagation, NULL) < 0)
		return hull_fail_errno(err, "mounts[%zu]: propagation of %s", m->index, m->dest);
	return 0;
}

/* A new filesystem on the directory dfd refers to; dest names it in errors. */
static int mount_fs_on(const struct hull_mount *m, int dfd, const char *fstype, const char *dest,
		       const char *data, hull_error **err)
{

	if (hull_mount_on(m->source, dfd, fstype, m->flags & ~MS_REC, data) < 0)
		return hull_fail_errno(err, "mounts[%zu]: mount %s (%s) on %s%s%s", m->index,
				       m->source, fstype, dest, data ? " with " : "",
				       data ? data : "");
	return 0;
}

static int do_fs(const struct hull_mount *m, int rootfd, const char *fstype, const char *dest,
		 const char *data, hull_error **err)
{
	cleanup_close int dfd = -1, mfd = -1;

	dfd = hull_mkpath_in_root(rootfd, dest, false, err);
	if (dfd < 0)
		return hull_error_prefix(err, "mounts[%zu].destination", m->index);
	if (mount_fs_on(m, dfd, fstype, dest, data, err) < 0)
		return -1;
	if (!m->propagation && !m->rec_set && !m->rec_clear)
		return 0;
	mfd = reopen_in_root(rootfd, dest, err);
	if (mfd < 0 || set_recursive_attrs(mfd, m, err) < 0)
		return -1;
	if (m->propagation && hull_mount_on(NULL, mfd, NULL, m->propagation, NULL) < 0)
		return hull_fail_errno(err, "mounts[%zu]: propagation of %s", m->index, dest);
	return 0;
}

/* One v1 hierarchy (or the v2 tree of a hybrid host) in the cgroup tmpfs. */
static int mount_hierarchy(const struct hull_mount *m, struct hull_mount *sub, int rootfd,
			   int tmpfs_fd, bool cgroupns, hull_cgroup *cg, size_t i, hull_error **err)
{
	const struct hull_cgroup_hier *h = &cg->hier[i];
	const char *name = strrchr(h->mountpoint, '/') + 1;
	unsigned long ro = m->flags & MS_RDONLY;
	cleanup_free char *dest = xasprintf("%s/%s", m->dest, name);
	cleanup_free char *dir = NULL;
	cleanup_close int dfd = -1;

	if (!*name || streq(name, ".") || streq(name, ".."))
		return hull_fail(err, EINVAL, "mounts[%zu]: cgroup hierarchy at %s has no name",
				 m->index, h->mountpoint);
	if (mkdirat(tmpfs_fd, name, 0755) < 0)
		return hull_fail_errno(err, "mounts[%zu]: mkdir %s", m->index, dest);
	dfd = openat(tmpfs_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return hull_fail_errno(err, "mounts[%zu]: open %s", m->index, dest);
	sub->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | ro;
	if (cgroupns) {
		sub->source = (char *)"cgroup";
		return mount_fs_on(sub, dfd, h->v2 ? "cgroup2" : "cgroup", dest,
				   h->v2 ? NULL : h->controllers, err);
	}
	dir = hull_cgroup_path_at(cg, i);
	sub->source = dir;
	sub->dest = dest;
	sub->remount = true;
	sub->recursive = false;
	int r = do_bind(sub, rootfd, err);
	sub->dest = m->dest;
	return r;
}

/*
 * A "cgroup" mount follows the host: cgroup2 on a v2 host; on v1 and hybrid
 * hosts a tmpfs with one directory per hierarchy, each a fresh cgroup mount
 * (inside a cgroup namespace the kernel shows the container's cgroup as the
 * root) or, without one, a bind of the container's own cgroup directory.
 */
static int do_cgroup(const struct hull_mount *m, int rootfd, bool cgroupns, hull_cgroup *cg,
		     hull_error **err)
{
	struct hull_mount sub = *m;
	unsigned long ro = m->flags & MS_RDONLY;

	if (!cg || cg->layout == HULL_CGROUP_V2) {
		if (!cg || cgroupns)
			return do_fs(m, rootfd, "cgroup2", m->dest, m->data, err);
		sub.source = (char *)hull_cgroup_dir(cg, "", NULL);
		sub.flags |= MS_BIND | MS_REC;
		sub.recursive = true;
		sub.remount = true;
		return do_bind(&sub, rootfd, err);
	}
	sub.source = (char *)"tmpfs";
	sub.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	sub.propagation = 0;
	sub.rec_set = sub.rec_clear = 0;
	if (do_fs(&sub, rootfd, "tmpfs", m->dest, "mode=755", err) < 0)
		return -1;
	/* The tmpfs is ours and empty: its directories are made and opened
	 * beneath it, not looked up again from the root. */
	cleanup_close int tmpfs_fd = reopen_in_root(rootfd, m->dest, err);
	if (tmpfs_fd < 0)
		return -1;
	for (size_t i = 0; i < cg->nhier; i++) {
		if (mount_hierarchy(m, &sub, rootfd, tmpfs_fd, cgroupns, cg, i, err) < 0)
			return -1;
	}
	if (ro) {
		/* the tmpfs itself goes read-only last */
		if (hull_mount_on(NULL, tmpfs_fd, NULL,
				  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
				      MS_NOEXEC,
				  NULL) < 0)
			return hull_fail_errno(err, "mounts[%zu]: read-only %s", m->index, m->dest);
	}
	return 0;
}

size_t hull_mount_plan_fs_prefix(const struct hull_mount_plan *p)
{
	size_t n = 0;

	/* a source path may be a block device, which the device cgroup
	 * would have to allow */
	while (n < p->n && p->m[n].kind == HULL_MOUNT_FS && p->m[n].source[0] != '/')
		n++;
	return n;
}

int hull_mount_plan_execute(const struct hull_mount_plan *p, size_t from, size_t to, int rootfd,
			    bool in_cgroupns, struct hull_cgroup *cg, hull_error **err)
{
	for (size_t i = from; i < to && i < p->n; i++) {
		const struct hull_mount *m = &p->m[i];
		int r;

		switch (m->kind) {
		case HULL_MOUNT_BIND:
			r = do_bind(m, rootfd, err);
			break;
		case HULL_MOUNT_CGROUP:
			r = do_cgroup(m, rootfd, in_cgroupns, cg, err);
			break;
		default:
			r = do_fs(m, rootfd, m->fstype, m->dest, m->data, err);
			break;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}
