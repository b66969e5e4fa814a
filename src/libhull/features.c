/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "features.h"
#include "bundle.h"
#include "capabilities.h"
#include "cgroup.h"
#include "seccomp.h"
#include "utils.h"

#include <stdlib.h>

static char **strv_of(const char *const *v, size_t *n)
{
	size_t len = 0;
	char **out;

	while (v[len])
		len++;
	out = xcalloc(len + 1, sizeof(char *));
	for (size_t i = 0; i < len; i++)
		out[i] = xstrdup(v[i]);
	*n = len;
	return out;
}

static oci_features_enabled *enabled(bool on)
{
	oci_features_enabled *e = xcalloc(1, sizeof(*e));

	e->enabled = on;
	e->enabled_present = true;
	return e;
}

char *hull_features_json(void)
{
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const mount_opts[] = {"async",
						 "atime",
						 "bind",
						 "defaults",
						 "dev",
						 "diratime",
						 "dirsync",
						 "exec",
						 "iversion",
						 "lazytime",
						 "loud",
						 "mand",
						 "noatime",
						 "nodev",
						 "nodiratime",
						 "noexec",
						 "noiversion",
						 "nolazytime",
						 "nomand",
						 "norelatime",
						 "nostrictatime",
						 "nosuid",
						 "nosymfollow",
						 "private",
						 "ratime",
						 "rbind",
						 "rdev",
						 "rdiratime",
						 "relatime",
						 "remount",
						 "rexec",
						 "rnoatime",
						 "rnodev",
						 "rnodiratime",
						 "rnoexec",
						 "rnorelatime",
						 "rnostrictatime",
						 "rnosuid",
						 "rnosymfollow",
						 "ro",
						 "rprivate",
						 "rrelatime",
						 "rro",
						 "rrw",
						 "rshared",
						 "rslave",
						 "rstrictatime",
						 "rsuid",
						 "rsymfollow",
						 "runbindable",
						 "rw",
						 "shared",
						 "silent",
						 "slave",
						 "strictatime",
						 "suid",
						 "sync",
						 "unbindable",
						 NULL};
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
						 "time",   "user", "uts",   NULL};
	oci_features *f = xcalloc(1, sizeof(*f));
	oci_features_linux *l = xcalloc(1, sizeof(*l));
	oci_features_cgroup *cg = xcalloc(1, sizeof(*cg));
	oci_features_seccomp *sc = xcalloc(1, sizeof(*sc));
	oci_features_mount_extensions *mx = xcalloc(1, sizeof(*mx));
	enum hull_cgroup_layout layout = hull_cgroup_host_layout();
	char *perr = NULL, *json;

	f->oci_version_min = xstrdup(HULL_OCI_VERSION_MIN);
	f->oci_version_max = xstrdup(HULL_OCI_VERSION);
	f->hooks = strv_of(hooks, &f->hooks_len);
	f->mount_options = strv_of(mount_opts, &f->mount_options_len);
	f->linux_ = l;
	l->namespaces = strv_of(namespaces, &l->namespaces_len);
	l->capabilities = hull_caps_known(&l->capabilities_len);
	l->cgroup = cg;
	cg->v1 = layout != HULL_CGROUP_V2;
	cg->v2 = layout != HULL_CGROUP_V1;
	cg->v1_present = cg->v2_present = cg->systemd_present = cg->systemd_user_present = true;
	cg->rdma = cg->rdma_present = true;
	l->seccomp = sc;
	sc->enabled = sc->enabled_present = true;
	sc->actions = strv_of(hull_seccomp_actions, &sc->actions_len);
	sc->operators = strv_of(hull_seccomp_operators, &sc->operators_len);
	sc->archs = strv_of(hull_seccomp_archs, &sc->archs_len);
	sc->known_flags = strv_of(hull_seccomp_flags, &sc->known_flags_len);
	sc->supported_flags = strv_of(hull_seccomp_flags, &sc->supported_flags_len);
	l->apparmor = enabled(false);
	l->selinux = enabled(false);
	l->net_devices = enabled(false);
	l->mount_extensions = mx;
	mx->idmap = enabled(false);
	json = oci_features_serialize(f, true, NULL, &perr);
	free(perr);
	oci_features_free(f);
	return json;
}
