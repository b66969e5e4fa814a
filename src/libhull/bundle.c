/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "bundle.h"
#include "utils.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_NAME	"config.json"
#define CONFIG_MAX_SIZE (64 << 20)

/* A SemVer numeric identifier: digits, no sign, no leading zero. */
static const char *semver_number(const char *s, int *out)
{
	long n = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && p - s < 9)
		n = n * 10 + (*p++ - '0');
	if (p == s || (*p >= '0' && *p <= '9') || (s[0] == '0' && p - s > 1))
		return NULL;
	*out = (int)n;
	return p;
}

/* MAJOR.MINOR.PATCH, then nothing or a SemVer pre-release/build suffix. */
static int parse_version(const char *v, int *maj, int *min, int *patch)
{
	const char *p = semver_number(v, maj);

	if (!p || *p != '.' || !(p = semver_number(p + 1, min)) || *p != '.' ||
	    !(p = semver_number(p + 1, patch)))
		return -1;
	return *p == '\0' || *p == '-' || *p == '+' ? 0 : -1;
}

int hull_oci_version_check(const char *v, hull_error **err)
{
	int maj, min, patch;

	if (parse_version(v, &maj, &min, &patch) < 0)
		return hull_fail(err, EINVAL,
				 CONFIG_NAME
				 ": ociVersion: expected a version like \"1.2.0\", got \"%.40s\"",
				 v);
	if (maj != 1 || min > 3)
		return hull_fail(err, EINVAL,
				 CONFIG_NAME
				 ": ociVersion: \"%.40s\" is not supported (hull supports "
				 "%s to 1.3.x)",
				 v, HULL_OCI_VERSION_MIN);
	return 0;
}

static int need_absolute(const char *path, const char *where, hull_error **err)
{
	if (!path || path[0] != '/')
		return hull_fail(err, EINVAL,
				 CONFIG_NAME ": %s: expected an absolute path, got \"%.80s\"",
				 where, path ? path : "");
	return 0;
}

int hull_process_validate(const oci_process *p, const char *where, hull_error **err)
{
	if (!p->args_len || !p->args[0] || !*p->args[0])
		return hull_fail(err, EINVAL, "%s.args: at least one argument is required on Linux",
				 where);
	if (p->cwd[0] != '/')
		return hull_fail(err, EINVAL, "%s.cwd: expected an absolute path, got \"%.80s\"",
				 where, p->cwd);
	for (size_t i = 0; i < p->env_len; i++)
		if (!strchr(p->env[i], '='))
			return hull_fail(err, EINVAL,
					 "%s.env[%zu]: expected NAME=VALUE, got \"%.40s\"", where,
					 i, p->env[i]);
	for (size_t i = 0; i < p->rlimits_len; i++)
		for (size_t j = 0; j < i; j++)
			if (streq(p->rlimits[i]->type, p->rlimits[j]->type))
				return hull_fail(err, EINVAL, "%s.rlimits[%zu]: %s is set twice",
						 where, i, p->rlimits[i]->type);
	return 0;
}

static int validate_hooks(oci_hook **h, size_t n, const char *kind, hull_error **err)
{
	for (size_t i = 0; i < n; i++) {
		char where[64];
		snprintf(where, sizeof(where), "hooks.%s[%zu].path", kind, i);
		if (need_absolute(h[i]->path, where, err) < 0)
			return -1;
	}
	return 0;
}

static bool has_ns(const oci_linux *l, const char *type)
{
	for (size_t i = 0; l && i < l->namespaces_len; i++)
		if (streq(l->namespaces[i]->type, type))
			return true;
	return false;
}

/* Which namespace a sysctl belongs to; NULL when it is host-wide. */
static const char *sysctl_namespace(const char *key)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};

	if (strncmp(key, "net.", 4) == 0)
		return "network";
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return "ipc";
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (streq(key, ipc[i]))
			return "ipc";
	if (streq(key, "kernel.hostname") || streq(key, "kernel.domainname"))
		return "uts";
	return NULL;
}

static int validate_linux(const oci_config *cfg, hull_error **err)
{
	const oci_linux *l = cfg->linux_;
	bool userns = has_ns(l, "user");

	for (size_t i = 0; i < l->namespaces_len; i++) {
		char where[64];
		if (!l->namespaces[i]->path)
			continue;
		snprintf(where, sizeof(where), "linux.namespaces[%zu].path", i);
		if (need_absolute(l->namespaces[i]->path, where, err) < 0)
			return -1;
	}
	if ((l->uid_mappings_len || l->gid_mappings_len) && !userns)
		return hull_fail(err, EINVAL,
				 CONFIG_NAME
				 ": linux.uidMappings: mappings need a user namespace in "
				 "linux.namespaces");
	if (l->time_offsets && l->time_offsets->len && !has_ns(l, "time"))
		return hull_fail(err, EINVAL,
				 CONFIG_NAME ": linux.timeOffsets: offsets need a time namespace");
	if (cfg->hostname && *cfg->hostname && !has_ns(l, "uts"))
		return hull_fail(err, EINVAL,
				 CONFIG_NAME ": hostname: setting it needs a uts namespace");
	if (cfg->domainname && *cfg->domainname && !has_ns(l, "uts"))
		return hull_fail(err, EINVAL,
				 CONFIG_NAME ": domainname: setting it needs a uts namespace");
	for (size_t i = 0; l->sysctl && i < l->sysctl->len; i++) {
		const char *key = l->sysctl->keys[i], *ns = sysctl_namespace(key);
		if (!ns)
			return hull_fail(err, EINVAL,
					 CONFIG_NAME
					 ": linux.sysctl[\"%s\"]: not a namespaced sysctl; "
					 "setting it would change the host",
					 key);
		if (!has_ns(l, ns))
			return hull_fail(err, EINVAL,
					 CONFIG_NAME ": linux.sysctl[\"%s\"]: needs a %s namespace",
					 key, ns);
	}
	for (size_t i = 0; i < l->devices_len; i++) {
		char where[64];
		snprintf(where, sizeof(where), "linux.devices[%zu].path", i);
		if (need_absolute(l->devices[i]->path, where, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < l->masked_paths_len; i++) {
		char where[64];
		snprintf(where, sizeof(where), "linux.maskedPaths[%zu]", i);
		if (need_absolute(l->masked_paths[i], where, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < l->readonly_paths_len; i++) {
		char where[64];
		snprintf(where, sizeof(where), "linux.readonlyPaths[%zu]", i);
		if (need_absolute(l->readonly_paths[i], where, err) < 0)
			return -1;
	}
	return 0;
}

int hull_config_validate(const oci_config *cfg, hull_error **err)
{
	if (hull_oci_version_check(cfg->oci_version, err) < 0)
		return -1;
	if (!cfg->root)
		return hull_fail(err, EINVAL, CONFIG_NAME ": root: required on Linux");
	if (!*cfg->root->path)
		return hull_fail(err, EINVAL, CONFIG_NAME ": root.path: must not be empty");
	if (!cfg->linux_)
		return hull_fail(err, EINVAL, CONFIG_NAME ": linux: required on Linux");
	if (cfg->process && hull_process_validate(cfg->process, CONFIG_NAME ": process", err) < 0)
		return -1;
	if (cfg->hooks) {
		const oci_hooks *h = cfg->hooks;
		if (validate_hooks(h->prestart, h->prestart_len, "prestart", err) < 0 ||
		    validate_hooks(h->create_runtime, h->create_runtime_len, "createRuntime", err) <
			0 ||
		    validate_hooks(h->create_container, h->create_container_len, "createContainer",
				   err) < 0 ||
		    validate_hooks(h->start_container, h->start_container_len, "startContainer",
				   err) < 0 ||
		    validate_hooks(h->poststart, h->poststart_len, "poststart", err) < 0 ||
		    validate_hooks(h->poststop, h->poststop_len, "poststop", err) < 0)
			return -1;
	}
	return validate_linux(cfg, err);
}

void hull_bundle_free(hull_bundle *b)
{
	if (!b)
		return;
	free(b->dir);
	free(b->rootfs);
	free(b->raw);
	oci_config_free(b->cfg);
	free(b);
}

void hull_bundle_freep(hull_bundle **b)
{
	hull_bundle_free(*b);
}

static int resolve_rootfs(hull_bundle *b, hull_error **err)
{
	const char *p = b->cfg->root->path;
	cleanup_free char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", b->dir, p);
	char real[PATH_MAX];
	struct stat st;

	/* The rootfs is the bundle author's to choose, symlink included; what
	 * matters is that it is a directory and everything after this point
	 * resolves inside it. */
	if (!realpath(joined, real))
		return hull_fail_errno(err, CONFIG_NAME ": root.path: %s", joined);
	if (stat(real, &st) < 0)
		return hull_fail_errno(err, CONFIG_NAME ": root.path: %s", real);
	if (!S_ISDIR(st.st_mode))
		return hull_fail(err, ENOTDIR,
				 CONFIG_NAME ": root.path: \"%s\" (%s) is not a directory", p,
				 real);
	b->rootfs = xstrdup(real);
	return 0;
}

int hull_bundle_load(const char *dir, hull_bundle **out, hull_error **err)
{
	cleanup_bundle hull_bundle *b = xcalloc(1, sizeof(*b));
	cleanup_free char *path = NULL, *perr = NULL;
	char real[PATH_MAX];

	if (!realpath(dir && *dir ? dir : ".", real))
		return hull_fail_errno(err, "bundle %s", dir && *dir ? dir : ".");
	b->dir = xstrdup(real);
	path = xasprintf("%s/" CONFIG_NAME, b->dir);
	b->raw = oci_read_file(path, CONFIG_MAX_SIZE, &b->raw_len, &perr);
	if (!b->raw)
		return hull_fail(err, EINVAL, "%s", perr);
	b->cfg = oci_config_parse_data(b->raw, b->raw_len, CONFIG_NAME, &perr);
	if (!b->cfg)
		return hull_fail(err, EINVAL, "%s", perr);
	if (hull_config_validate(b->cfg, err) < 0 || resolve_rootfs(b, err) < 0)
		return -1;
	*out = TAKE_PTR(b);
	return 0;
}
