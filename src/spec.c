/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "oci_types.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *bundle = ".";
static bool rootless;

static const struct cli_opt spec_opts[] = {
    {"bundle", 'b', CLI_STRING, &bundle, "DIR", "where to write config.json (default: current)"},
    {"rootless", 0, CLI_BOOL, &rootless, NULL, "a config for a container run by a normal user"},
    {0},
};

/* The default container: a shell in a busybox-style rootfs, with the
 * namespaces, mounts and masked paths a container is expected to have. */
static const char default_config[] =
    "{\"ociVersion\":\"" HULL_SPEC_VERSION "\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/"
    "bin\",\"TERM=xterm\"],"
    "\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"hull\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]}"
    ","
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
    "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
    "\"/sys/firmware\",\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "\"/proc/sysrq-trigger\"]}}";

static oci_id_mapping **one_mapping(unsigned host)
{
	oci_id_mapping **m = xcalloc(1, sizeof(*m));

	m[0] = xcalloc(1, sizeof(**m));
	m[0]->container_id = 0;
	m[0]->host_id = host;
	m[0]->size = 1;
	m[0]->container_id_present = m[0]->host_id_present = m[0]->size_present = true;
	return m;
}

/* runc's rootless adjustments: a user namespace mapping us to root, no
 * cgroup limits, sysfs bound from the host, no gid= for devpts. */
static void make_rootless(oci_config *c)
{
	oci_linux *l = c->linux_;
	oci_namespace *user = xcalloc(1, sizeof(*user));

	user->type = xstrdup("user");
	l->namespaces = xrealloc(l->namespaces, (l->namespaces_len + 1) * sizeof(*l->namespaces));
	l->namespaces[l->namespaces_len++] = user;
	for (size_t i = 0; i < l->namespaces_len; i++)
		if (streq(l->namespaces[i]->type, "network") ||
		    streq(l->namespaces[i]->type, "cgroup")) {
			oci_namespace_free(l->namespaces[i]);
			memmove(&l->namespaces[i], &l->namespaces[i + 1],
				(l->namespaces_len - i - 1) * sizeof(*l->namespaces));
			l->namespaces_len--;
			i--;
		}
	l->uid_mappings = one_mapping(getuid());
	l->uid_mappings_len = 1;
	l->gid_mappings = one_mapping(getgid());
	l->gid_mappings_len = 1;
	oci_resources_free(l->resources);
	l->resources = NULL;
	for (size_t i = 0; i < c->mounts_len; i++) {
		oci_mount *m = c->mounts[i];
		if (streq(m->destination, "/sys")) {
			free(m->type);
			free(m->source);
			m->type = xstrdup("none");
			m->source = xstrdup("/sys");
			strv_free_n(m->options, m->options_len);
			m->options = xcalloc(4, sizeof(char *));
			m->options[0] = xstrdup("rbind");
			m->options[1] = xstrdup("nosuid");
			m->options[2] = xstrdup("noexec");
			m->options[3] = xstrdup("nodev");
			m->options_len = 4;
		}
		for (size_t o = 0; o < m->options_len; o++)
			if (strncmp(m->options[o], "gid=", 4) == 0) {
				free(m->options[o]);
				memmove(&m->options[o], &m->options[o + 1],
					(m->options_len - o - 1) * sizeof(char *));
				m->options_len--;
				o--;
			}
	}
	for (size_t i = 0; i < c->mounts_len; i++)
		if (streq(c->mounts[i]->destination, "/sys/fs/cgroup")) {
			oci_mount_free(c->mounts[i]);
			memmove(&c->mounts[i], &c->mounts[i + 1],
				(c->mounts_len - i - 1) * sizeof(void *));
			c->mounts_len--;
			break;
		}
}

static int run_spec(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	cleanup_free char *perr = NULL, *json = NULL;
	char **pos;
	cleanup_close int dirfd = -1, fd = -1;
	oci_config *c;
	size_t len;
	int n;

	(void)ctx;
	if (cli_parse(&cmd_spec, spec_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n)
		return cli_usage_error(&cmd_spec, "takes no arguments");
	c = oci_config_parse_data(default_config, sizeof(default_config) - 1, "default config",
				  &perr);
	if (!c) {
		hull_fail(&err, EINVAL, "%s", perr);
		return cli_fail(err);
	}
	if (rootless)
		make_rootless(c);
	json = oci_config_serialize(c, true, &len, &perr);
	oci_config_free(c);
	if (!json) {
		hull_fail(&err, EINVAL, "%s", perr);
		return cli_fail(err);
	}
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hull_fail_errno(&err, "spec: bundle %s", bundle);
		return cli_fail(err);
	}
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		hull_fail_errno(&err, "spec: create %s/config.json%s", bundle,
				errno == EEXIST ? " (remove it first)" : "");
		return cli_fail(err);
	}
	if (write_all(fd, json, len) < 0 || write_all(fd, "\n", 1) < 0) {
		hull_fail_errno(&err, "spec: write %s/config.json", bundle);
		return cli_fail(err);
	}
	return 0;
}

const struct cli_cmd cmd_spec = {"spec", "", "Write a default config.json for a new bundle.",
				 run_spec};
