/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of libocispec: parsing every field, round trips, the exact error
 * messages, file checks, the other root documents, gen.py's table checks and
 * the speed of a 1 MB config.json.  Prints TAP; exits 0 when all pass.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci_types.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif
#ifndef PYTHON3
#define PYTHON3 "python3"
#endif
#ifndef GEN_PY
#define GEN_PY "libocispec/gen.py"
#endif

/* ------------------------------------------------------------------------ */
/* A tiny TAP harness */

static int test_num, tests_failed;
static int case_failures;
static char case_msg[2048];
static char tmpdir[64];

static void check_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_fail(int line, const char *fmt, ...)
{
	if (case_failures++)
		return;
	int n = snprintf(case_msg, sizeof case_msg, "line %d: ", line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(case_msg + n, sizeof case_msg - (size_t)n, fmt, ap);
	va_end(ap);
}

static void check_str(int line, const char *expr, const char *got, const char *want)
{
	if (!got && !want)
		return;
	if (!got || !want || strcmp(got, want) != 0)
		check_fail(line, "%s is %s%s%s, expected %s%s%s", expr, got ? "\"" : "",
			   got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
			   want ? want : "NULL", want ? "\"" : "");
}

static void check_int(int line, const char *expr, int64_t got, int64_t want)
{
	if (got != want)
		check_fail(line, "%s is %" PRId64 ", expected %" PRId64, expr, got, want);
}

static void check_uint(int line, const char *expr, uint64_t got, uint64_t want)
{
	if (got != want)
		check_fail(line, "%s is %" PRIu64 ", expected %" PRIu64, expr, got, want);
}

/* v[0..n) equals the NULL-terminated want */
static void check_strv(int line, const char *expr, char *const *v, size_t n,
		       const char *const *want)
{
	size_t wn = 0;
	while (want[wn])
		wn++;
	if (!v) {
		check_fail(line, "%s is NULL", expr);
		return;
	}
	if (n != wn) {
		check_fail(line, "%s has %zu elements, expected %zu", expr, n, wn);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!v[i] || strcmp(v[i], want[i]) != 0) {
			check_fail(line, "%s[%zu] is \"%s\", expected \"%s\"", expr, i,
				   v[i] ? v[i] : "NULL", want[i]);
			return;
		}
}

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			check_fail(__LINE__, "%s", #c);                                            \
	} while (0)
/* Stops the test function when c is false (what follows would crash). */
#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			check_fail(__LINE__, "%s", #c);                                            \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#define CHECK_STR(a, b)	 check_str(__LINE__, #a, (a), (b))
#define CHECK_INT(a, b)	 check_int(__LINE__, #a, (int64_t)(a), (int64_t)(b))
#define CHECK_UINT(a, b) check_uint(__LINE__, #a, (uint64_t)(a), (uint64_t)(b))
#define CHECK_STRV(v, ...)                                                                         \
	check_strv(__LINE__, #v, (v), v##_len, (const char *const[]){__VA_ARGS__, NULL})
#define CHECK_EMPTY(v) CHECK((v) != NULL && v##_len == 0)
/* an integer or bool member and its _present flag */
#define CHECK_NUM(m, want)                                                                         \
	do {                                                                                       \
		CHECK(m##_present);                                                                \
		CHECK_INT(m, want);                                                                \
	} while (0)
#define CHECK_UNUM(m, want)                                                                        \
	do {                                                                                       \
		CHECK(m##_present);                                                                \
		CHECK_UINT(m, want);                                                               \
	} while (0)

static void report(const char *name)
{
	test_num++;
	if (case_failures) {
		printf("not ok %d - %s\n# %s\n", test_num, name, case_msg);
		tests_failed++;
	} else {
		printf("ok %d - %s\n", test_num, name);
	}
	fflush(stdout);
	case_failures = 0;
	case_msg[0] = '\0';
}

static void run(const char *name, void (*fn)(void))
{
	fn();
	report(name);
}

static const char *data_path(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", TEST_DATA_DIR, name);
	return buf;
}

static const char *tmp_path(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static oci_config *parse_config(const char *json, char **err)
{
	return oci_config_parse_data(json, strlen(json), "config.json", err);
}

/* ------------------------------------------------------------------------ */
/* full-config.json: every field of config.md and config-linux.md */

static void check_full_process(const oci_process *p)
{
	CHECK_NUM(p->terminal, true);
	REQUIRE(p->console_size);
	CHECK_UNUM(p->console_size->height, 24);
	CHECK_UNUM(p->console_size->width, 80);
	REQUIRE(p->user);
	CHECK_UNUM(p->user->uid, 1000);
	CHECK_UNUM(p->user->gid, 1001);
	CHECK_UNUM(p->user->umask, 18);
	REQUIRE(p->user->additional_gids && p->user->additional_gids_len == 3);
	CHECK_UINT(p->user->additional_gids[0], 5);
	CHECK_UINT(p->user->additional_gids[1], 6);
	CHECK_UINT(p->user->additional_gids[2], 4294967295u);
	CHECK_STR(p->user->username, "alice");
	CHECK_STRV(p->args, "/bin/sh", "-c", "echo \"hi\" \\ there");
	CHECK_STR(p->command_line, "sh -c echo");
	CHECK_STRV(p->env, "PATH=/usr/bin:/bin", "TERM=xterm", "NAME=caf\xc3\xa9 \xe2\x98\x83");
	CHECK_STR(p->cwd, "/home/alice");
	REQUIRE(p->capabilities);
	CHECK_STRV(p->capabilities->bounding, "CAP_CHOWN", "CAP_KILL");
	CHECK_STRV(p->capabilities->effective, "CAP_KILL");
	CHECK_EMPTY(p->capabilities->inheritable);
	CHECK_STRV(p->capabilities->permitted, "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW");
	CHECK_STRV(p->capabilities->ambient, "CAP_NET_BIND_SERVICE");
	REQUIRE(p->rlimits && p->rlimits_len == 2);
	CHECK_STR(p->rlimits[0]->type, "RLIMIT_NOFILE");
	CHECK_UNUM(p->rlimits[0]->hard, 1024);
	CHECK_UNUM(p->rlimits[0]->soft, 512);
	CHECK_STR(p->rlimits[1]->type, "RLIMIT_CORE");
	CHECK_UNUM(p->rlimits[1]->hard, UINT64_MAX);
	CHECK_UNUM(p->rlimits[1]->soft, 0);
	CHECK_NUM(p->no_new_privileges, true);
	CHECK_STR(p->apparmor_profile, "hull-default");
	CHECK_NUM(p->oom_score_adj, -999);
	REQUIRE(p->scheduler);
	CHECK_STR(p->scheduler->policy, "SCHED_DEADLINE");
	CHECK_NUM(p->scheduler->nice, -20);
	CHECK_NUM(p->scheduler->priority, 0);
	CHECK_STRV(p->scheduler->flags, "SCHED_FLAG_RESET_ON_FORK");
	CHECK_UNUM(p->scheduler->runtime, 100000);
	CHECK_UNUM(p->scheduler->deadline, 200000);
	CHECK_UNUM(p->scheduler->period, 300000);
	CHECK_STR(p->selinux_label, "system_u:system_r:container_t:s0");
	REQUIRE(p->io_priority);
	CHECK_STR(p->io_priority->class, "IOPRIO_CLASS_BE");
	CHECK_NUM(p->io_priority->priority, 7);
	REQUIRE(p->exec_cpu_affinity);
	CHECK_STR(p->exec_cpu_affinity->initial, "0");
	CHECK_STR(p->exec_cpu_affinity->final, "1-3");
}

static void check_full_hooks(const oci_hooks *h)
{
	REQUIRE(h->prestart && h->prestart_len == 1);
	CHECK_STR(h->prestart[0]->path, "/usr/bin/pre");
	CHECK_STRV(h->prestart[0]->args, "pre", "-v");
	CHECK_STRV(h->prestart[0]->env, "A=1");
	CHECK_NUM(h->prestart[0]->timeout, 1);
	REQUIRE(h->create_runtime && h->create_runtime_len == 1);
	CHECK_STR(h->create_runtime[0]->path, "/usr/bin/cr");
	CHECK(!h->create_runtime[0]->args && !h->create_runtime[0]->timeout_present);
	REQUIRE(h->create_container && h->create_container_len == 1);
	CHECK_STR(h->create_container[0]->path, "/usr/bin/cc");
	CHECK_NUM(h->create_container[0]->timeout, INT32_MAX);
	REQUIRE(h->start_container && h->start_container_len == 1);
	CHECK_STR(h->start_container[0]->path, "/usr/bin/sc");
	REQUIRE(h->poststart && h->poststart_len == 2);
	CHECK_STR(h->poststart[0]->path, "/usr/bin/ps1");
	CHECK_STR(h->poststart[1]->path, "/usr/bin/ps2");
	CHECK_STRV(h->poststart[1]->args, "ps2");
	REQUIRE(h->poststop && h->poststop_len == 1);
	CHECK_STR(h->poststop[0]->path, "/usr/bin/stop");
	CHECK_NUM(h->poststop[0]->timeout, 30);
}

static void check_full_resources(const oci_resources *r)
{
	REQUIRE(r->devices && r->devices_len == 2);
	CHECK_NUM(r->devices[0]->allow, false);
	CHECK(!r->devices[0]->type && !r->devices[0]->major_present);
	CHECK_STR(r->devices[0]->access, "rwm");
	CHECK_NUM(r->devices[1]->allow, true);
	CHECK_STR(r->devices[1]->type, "c");
	CHECK_NUM(r->devices[1]->major, 10);
	CHECK_NUM(r->devices[1]->minor, 229);
	CHECK_STR(r->devices[1]->access, "rw");

	const oci_memory *m = r->memory;
	REQUIRE(m);
	CHECK_NUM(m->limit, 536870912);
	CHECK_NUM(m->reservation, 268435456);
	CHECK_NUM(m->swap, -1);
	CHECK_NUM(m->kernel, -1);
	CHECK_NUM(m->kernel_tcp, INT64_MAX);
	CHECK_UNUM(m->swappiness, 60);
	CHECK_NUM(m->disable_oom_killer, false);
	CHECK_NUM(m->use_hierarchy, true);
	CHECK_NUM(m->check_before_update, true);

	const oci_cpu *c = r->cpu;
	REQUIRE(c);
	CHECK_UNUM(c->shares, 1024);
	CHECK_NUM(c->quota, -1);
	CHECK_UNUM(c->burst, 5000);
	CHECK_UNUM(c->period, 100000);
	CHECK_NUM(c->realtime_runtime, 950000);
	CHECK_UNUM(c->realtime_period, 1000000);
	CHECK_STR(c->cpus, "0-1");
	CHECK_STR(c->mems, "0");
	CHECK_NUM(c->idle, 1);

	REQUIRE(r->pids);
	CHECK_NUM(r->pids->limit, -1);

	const oci_block_io *b = r->block_io;
	REQUIRE(b);
	CHECK_UNUM(b->weight, 10);
	CHECK_UNUM(b->leaf_weight, 65535);
	REQUIRE(b->weight_device && b->weight_device_len == 2);
	CHECK_NUM(b->weight_device[0]->major, 8);
	CHECK_NUM(b->weight_device[0]->minor, 0);
	CHECK_UNUM(b->weight_device[0]->weight, 500);
	CHECK_UNUM(b->weight_device[0]->leaf_weight, 300);
	CHECK_NUM(b->weight_device[1]->minor, 16);
	CHECK_UNUM(b->weight_device[1]->weight, 100);
	CHECK(!b->weight_device[1]->leaf_weight_present);
	REQUIRE(b->throttle_read_bps_device && b->throttle_read_bps_device_len == 1);
	CHECK_NUM(b->throttle_read_bps_device[0]->major, 8);
	CHECK_NUM(b->throttle_read_bps_device[0]->minor, 0);
	CHECK_UNUM(b->throttle_read_bps_device[0]->rate, 600);
	REQUIRE(b->throttle_write_bps_device && b->throttle_write_bps_device_len == 1);
	CHECK_NUM(b->throttle_write_bps_device[0]->minor, 1);
	CHECK_UNUM(b->throttle_write_bps_device[0]->rate, 700);
	REQUIRE(b->throttle_read_iops_device && b->throttle_read_iops_device_len == 1);
	CHECK_NUM(b->throttle_read_iops_device[0]->minor, 2);
	CHECK_UNUM(b->throttle_read_iops_device[0]->rate, 800);
	REQUIRE(b->throttle_write_iops_device && b->throttle_write_iops_device_len == 1);
	CHECK_NUM(b->throttle_write_iops_device[0]->minor, 3);
	CHECK_UNUM(b->throttle_write_iops_device[0]->rate, UINT64_MAX);

	REQUIRE(r->hugepage_limits && r->hugepage_limits_len == 2);
	CHECK_STR(r->hugepage_limits[0]->page_size, "2MB");
	CHECK_UNUM(r->hugepage_limits[0]->limit, 209715200);
	CHECK_STR(r->hugepage_limits[1]->page_size, "1GB");
	CHECK_UNUM(r->hugepage_limits[1]->limit, 0);

	REQUIRE(r->network);
	CHECK_UNUM(r->network->class_id, 1048577);
	REQUIRE(r->network->priorities && r->network->priorities_len == 2);
	CHECK_STR(r->network->priorities[0]->name, "eth0");
	CHECK_UNUM(r->network->priorities[0]->priority, 500);
	CHECK_STR(r->network->priorities[1]->name, "eth1");
	CHECK_UNUM(r->network->priorities[1]->priority, 1000);

	REQUIRE(r->rdma && r->rdma->len == 2);
	CHECK_STR(r->rdma->keys[0], "mlx5_1");
	CHECK_UNUM(r->rdma->values[0]->hca_handles, 3);
	CHECK_UNUM(r->rdma->values[0]->hca_objects, 10000);
	CHECK_STR(r->rdma->keys[1], "mlx4_0");
	CHECK(!r->rdma->values[1]->hca_handles_present);
	CHECK_UNUM(r->rdma->values[1]->hca_objects, 1000);

	REQUIRE(r->unified && r->unified->len == 2);
	CHECK_STR(r->unified->keys[0], "io.max");
	CHECK_STR(oci_string_map_get(r->unified, "io.max"), "8:0 rbps=1024");
	CHECK_STR(oci_string_map_get(r->unified, "memory.high"), "max");
}

static void check_full_seccomp(const oci_seccomp *s)
{
	CHECK_STR(s->default_action, "SCMP_ACT_ERRNO");
	CHECK_UNUM(s->default_errno_ret, 38);
	CHECK_STRV(s->architectures, "SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
	CHECK_STRV(s->flags, "SECCOMP_FILTER_FLAG_LOG");
	CHECK_STR(s->listener_path, "/run/seccomp.sock");
	CHECK_STR(s->listener_metadata, "meta");
	REQUIRE(s->syscalls && s->syscalls_len == 2);
	CHECK_STRV(s->syscalls[0]->names, "read", "write");
	CHECK_STR(s->syscalls[0]->action, "SCMP_ACT_ALLOW");
	CHECK(!s->syscalls[0]->errno_ret_present && !s->syscalls[0]->args);
	const oci_syscall *sc = s->syscalls[1];
	CHECK_STRV(sc->names, "personality");
	CHECK_STR(sc->action, "SCMP_ACT_ERRNO");
	CHECK_UNUM(sc->errno_ret, 1);
	REQUIRE(sc->args && sc->args_len == 2);
	CHECK_UNUM(sc->args[0]->index, 0);
	CHECK_UNUM(sc->args[0]->value, 8);
	CHECK(!sc->args[0]->value_two_present);
	CHECK_STR(sc->args[0]->op, "SCMP_CMP_EQ");
	CHECK_UNUM(sc->args[1]->index, 5);
	CHECK_UNUM(sc->args[1]->value, UINT64_MAX);
	CHECK_UNUM(sc->args[1]->value_two, 4294967296u);
	CHECK_STR(sc->args[1]->op, "SCMP_CMP_MASKED_EQ");
}

static void check_full_linux(const oci_linux *l)
{
	REQUIRE(l->namespaces && l->namespaces_len == 8);
	const char *ns[] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
	for (size_t i = 0; i < 8; i++)
		CHECK_STR(l->namespaces[i]->type, ns[i]);
	CHECK(!l->namespaces[0]->path);
	CHECK_STR(l->namespaces[1]->path, "/var/run/netns/n1");
	REQUIRE(l->uid_mappings && l->uid_mappings_len == 1);
	CHECK_UNUM(l->uid_mappings[0]->container_id, 0);
	CHECK_UNUM(l->uid_mappings[0]->host_id, 1000);
	CHECK_UNUM(l->uid_mappings[0]->size, 32000);
	REQUIRE(l->gid_mappings && l->gid_mappings_len == 1);
	CHECK_UNUM(l->gid_mappings[0]->host_id, 2000);
	CHECK_UNUM(l->gid_mappings[0]->size, 16000);
	REQUIRE(l->time_offsets && l->time_offsets->len == 2);
	CHECK_STR(l->time_offsets->keys[0], "monotonic");
	CHECK_NUM(l->time_offsets->values[0]->secs, INT64_MIN);
	CHECK_UNUM(l->time_offsets->values[0]->nanosecs, 999999999);
	CHECK_STR(l->time_offsets->keys[1], "boottime");
	CHECK_NUM(l->time_offsets->values[1]->secs, 172800);
	CHECK(!l->time_offsets->values[1]->nanosecs_present);
	REQUIRE(l->devices && l->devices_len == 2);
	CHECK_STR(l->devices[0]->type, "c");
	CHECK_STR(l->devices[0]->path, "/dev/fuse");
	CHECK_NUM(l->devices[0]->major, 10);
	CHECK_NUM(l->devices[0]->minor, 229);
	CHECK_UNUM(l->devices[0]->file_mode, 0666);
	CHECK_UNUM(l->devices[0]->uid, 0);
	CHECK_UNUM(l->devices[0]->gid, 0);
	CHECK_STR(l->devices[1]->type, "p");
	CHECK(!l->devices[1]->major_present && !l->devices[1]->file_mode_present);
	REQUIRE(l->net_devices && l->net_devices->len == 2);
	CHECK_STR(l->net_devices->keys[0], "eth1");
	CHECK_STR(l->net_devices->values[0]->name, "ctr1");
	CHECK_STR(l->net_devices->keys[1], "eth2");
	CHECK(l->net_devices->values[1] && !l->net_devices->values[1]->name);
	CHECK_STR(l->cgroups_path, "/hull/full");
	REQUIRE(l->resources);
	check_full_resources(l->resources);
	CHECK_STR(l->rootfs_propagation, "rslave");
	REQUIRE(l->seccomp);
	check_full_seccomp(l->seccomp);
	REQUIRE(l->sysctl && l->sysctl->len == 2);
	CHECK_STR(oci_string_map_get(l->sysctl, "net.ipv4.ip_forward"), "1");
	CHECK_STR(oci_string_map_get(l->sysctl, "kernel.msgmax"), "65536");
	CHECK_STRV(l->masked_paths, "/proc/kcore", "/sys/firmware");
	CHECK_STRV(l->readonly_paths, "/proc/sys");
	CHECK_STR(l->mount_label, "system_u:object_r:container_file_t:s0");
	REQUIRE(l->intel_rdt);
	CHECK_STR(l->intel_rdt->clos_id, "guaranteed");
	CHECK_STR(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
	CHECK_STR(l->intel_rdt->mem_bw_schema, "MB:0=20");
	CHECK_STRV(l->intel_rdt->schemata, "L2:0=ff");
	CHECK_NUM(l->intel_rdt->enable_monitoring, true);
	CHECK_NUM(l->intel_rdt->enable_cmt, false);
	CHECK_NUM(l->intel_rdt->enable_mbm, true);
	REQUIRE(l->memory_policy);
	CHECK_STR(l->memory_policy->mode, "MPOL_INTERLEAVE");
	CHECK_STR(l->memory_policy->nodes, "0-3");
	CHECK_STRV(l->memory_policy->flags, "MPOL_F_STATIC_NODES");
	REQUIRE(l->personality);
	CHECK_STR(l->personality->domain, "LINUX32");
	CHECK_EMPTY(l->personality->flags);
}

static void check_full(const oci_config *c)
{
	CHECK_STR(c->oci_version, "1.3.0");
	REQUIRE(c->root);
	CHECK_STR(c->root->path, "rootfs");
	CHECK_NUM(c->root->readonly, true);
	REQUIRE(c->mounts && c->mounts_len == 2);
	CHECK_STR(c->mounts[0]->destination, "/proc");
	CHECK_STR(c->mounts[0]->type, "proc");
	CHECK_STR(c->mounts[0]->source, "proc");
	CHECK(!c->mounts[0]->options && c->mounts[0]->options_len == 0);
	const oci_mount *m = c->mounts[1];
	CHECK_STR(m->destination, "/data");
	CHECK_STR(m->type, "bind");
	CHECK_STR(m->source, "/srv/data");
	CHECK_STRV(m->options, "rbind", "ro", "idmap");
	REQUIRE(m->uid_mappings && m->uid_mappings_len == 1);
	CHECK_UNUM(m->uid_mappings[0]->container_id, 0);
	CHECK_UNUM(m->uid_mappings[0]->host_id, 100000);
	CHECK_UNUM(m->uid_mappings[0]->size, 65536);
	REQUIRE(m->gid_mappings && m->gid_mappings_len == 1);
	CHECK_UNUM(m->gid_mappings[0]->container_id, 1);
	CHECK_UNUM(m->gid_mappings[0]->host_id, 200000);
	CHECK_UNUM(m->gid_mappings[0]->size, 1000);
	REQUIRE(c->process);
	check_full_process(c->process);
	CHECK_STR(c->hostname, "box");
	CHECK_STR(c->domainname, "example.org");
	REQUIRE(c->hooks);
	check_full_hooks(c->hooks);
	REQUIRE(c->annotations && c->annotations->len == 2);
	CHECK_STR(c->annotations->keys[0], "org.example.key");
	CHECK_STR(c->annotations->values[0], "value");
	CHECK_STR(c->annotations->keys[1], "empty");
	CHECK_STR(c->annotations->values[1], "");
	REQUIRE(c->linux_);
	check_full_linux(c->linux_);
}

static void test_full_config(void)
{
	char *err = NULL;
	oci_config *c = oci_config_parse_file(data_path("full-config.json"), "config.json", &err);
	CHECK_STR(err, NULL);
	REQUIRE(c);
	check_full(c);
	oci_config_free(c);
}

static void test_round_trip(void)
{
	char *err = NULL;
	oci_config *c = oci_config_parse_file(data_path("full-config.json"), NULL, &err);
	REQUIRE(c);
	for (int pretty = 0; pretty <= 1; pretty++) {
		size_t len = 0, len2 = 0;
		char *s = oci_config_serialize(c, pretty, &len, &err);
		CHECK_STR(err, NULL);
		if (!s)
			break;
		CHECK_UINT(strlen(s), len);
		/* integers are written exactly */
		CHECK(strstr(s, "18446744073709551615") && strstr(s, "-9223372036854775808"));
		CHECK(strstr(s, "\"inheritable\":") && strstr(s, "9223372036854775807"));
		oci_config *c2 = oci_config_parse_data(s, len, "serialized", &err);
		CHECK_STR(err, NULL);
		if (c2) {
			check_full(c2);
			char *s2 = oci_config_serialize(c2, pretty, &len2, &err);
			CHECK_STR(s2, s);
			free(s2);
			oci_config_free(c2);
		}
		free(err);
		err = NULL;
		free(s);
	}
	oci_config_free(c);
}

/* ------------------------------------------------------------------------ */
/* Error messages */

#define LONG50	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG40	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define NS_ENUM "one of pid, network, mount, ipc, uts, user, cgroup, time"

static const struct errcase {
	const char *name;
	const char *json;
	const char *msg; /* after "config.json: " */
} errcases[] = {
    {"wrong type: string for an integer",
     "{\"ociVersion\":\"1.0\",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"512M\"}}}}",
     "linux.resources.memory.limit: expected an integer, got \"512M\""},
    {"wrong type: string for a boolean", "{\"ociVersion\":\"1\",\"root\":{\"readonly\":\"yes\"}}",
     "root.readonly: expected a boolean, got \"yes\""},
    {"wrong type: number for a string", "{\"ociVersion\":1}",
     "ociVersion: expected a string, got 1"},
    {"wrong type: array for an object", "{\"ociVersion\":\"1\",\"process\":[]}",
     "process: expected an object, got an array"},
    {"wrong type: object for an array", "{\"ociVersion\":\"1\",\"mounts\":{\"a\":1}}",
     "mounts: expected an array, got an object"},
    {"wrong type: array element", "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\",false]}}",
     "process.args[1]: expected a string, got false"},
    {"wrong type: null array element", "{\"ociVersion\":\"1\",\"linux\":{\"maskedPaths\":[null]}}",
     "linux.maskedPaths[0]: expected a string, got null"},
    {"wrong type: map value", "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"kernel.msgmax\":5}}}",
     "linux.sysctl[\"kernel.msgmax\"]: expected a string, got 5"},
    {"wrong type: top level", "[1]", NULL},
    {"out of range: narrowed by min/max",
     "{\"ociVersion\":\"1\",\"process\":{\"oomScoreAdj\":5000}}",
     "process.oomScoreAdj: expected an integer from -1000 to 1000, got 5000"},
    {"out of range: int32",
     "{\"ociVersion\":\"1\",\"process\":{\"scheduler\":{\"policy\":\"SCHED_RR\","
     "\"priority\":2147483648}}}",
     "process.scheduler.priority: expected an integer from -2147483648 to 2147483647, got "
     "2147483648"},
    {"out of range: uint16",
     "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}",
     "linux.resources.blockIO.weight: expected an integer from 0 to 65535, got 65536"},
    {"out of range: negative uint32",
     "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"rdma\":{\"mlx\":{\"hcaHandles\":-1}}}}}",
     "linux.resources.rdma[\"mlx\"].hcaHandles: expected an integer from 0 to 4294967295, got -1"},
    {"out of range: uint64",
     "{\"ociVersion\":\"1\",\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_CPU\","
     "\"hard\":18446744073709551615,\"soft\":18446744073709551616}]}}",
     "process.rlimits[0].soft: expected an integer from 0 to 18446744073709551615, got "
     "18446744073709551616"},
    {"out of range: int64",
     "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"pids\":{\"limit\":-9223372036854775809}}}}",
     "linux.resources.pids.limit: expected an integer from -9223372036854775808 to "
     "9223372036854775807, got -9223372036854775809"},
    {"out of range: min only",
     "{\"ociVersion\":\"1\",\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}}",
     "hooks.poststop[0].timeout: expected an integer from 1 to 2147483647, got 0"},
    {"out of range: max only",
     "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"a\",\"syscalls\":[{"
     "\"names\":[\"x\"],\"action\":\"a\",\"args\":[{\"index\":6}]}]}}}",
     "linux.seccomp.syscalls[0].args[0].index: expected an integer from 0 to 5, got 6"},
    {"not an integer: fraction", "{\"ociVersion\":\"1\",\"process\":{\"user\":{\"uid\":1.5}}}",
     "process.user.uid: expected an integer, got 1.5"},
    {"not an integer: exponent", "{\"ociVersion\":\"1\",\"process\":{\"user\":{\"gid\":1e3}}}",
     "process.user.gid: expected an integer, got 1e3"},
    {"not an integer: fraction in a narrowed field",
     "{\"ociVersion\":\"1\",\"process\":{\"oomScoreAdj\":0.5}}",
     "process.oomScoreAdj: expected an integer from -1000 to 1000, got 0.5"},
    {"bad enum",
     "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pdi\"}]}}",
     "linux.namespaces[1].type: expected " NS_ENUM ", got \"pdi\""},
    {"bad enum: not a string", "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":7}]}}",
     "linux.namespaces[0].type: expected " NS_ENUM ", got 7"},
    {"long values are cut at 40 characters",
     "{\"ociVersion\":\"1\",\"linux\":{\"rootfsPropagation\":\"" LONG50 "\"}}",
     "linux.rootfsPropagation: expected one of private, shared, slave, unbindable, rprivate, "
     "rshared, rslave, runbindable, got \"" LONG40 "...\""},
    {"missing required: nested", "{\"ociVersion\":\"1.0\",\"root\":{\"readonly\":true}}",
     "root.path: required property missing (expected a string)"},
    {"missing required: top level", "{}",
     "ociVersion: required property missing (expected a string)"},
    {"missing required: in an array",
     "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]}",
     "mounts[1].destination: required property missing (expected a string)"},
    {"missing required: an integer",
     "{\"ociVersion\":\"1\",\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]}}",
     "linux.uidMappings[0].size: required property missing (expected an integer)"},
    {"missing required: an array",
     "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"a\",\"syscalls\":[{"
     "\"action\":\"a\"}]}}}",
     "linux.seccomp.syscalls[0].names: required property missing (expected an array)"},
    {"missing required: an object", "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\"}}",
     "process.user: required property missing (expected an object)"},
    {"missing required: null counts as absent", "{\"ociVersion\":null}",
     "ociVersion: required property missing (expected a string)"},
    {"missing required: the last duplicate is null",
     "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\",\"path\":null}}",
     "root.path: required property missing (expected a string)"},
    {"invalid JSON: bad token", "{\n  \"ociVersion\": \"1.0\",\n  \"hostname\": x\n}",
     "invalid JSON at line 3, column 15: invalid char in json text"},
    {"invalid JSON: missing colon", "{\n\t\"ociVersion\" \"1.0\"\n}",
     "invalid JSON at line 2, column 15: object key and value must be separated by a colon "
     "(':')"},
    {"invalid JSON: premature end", "{\"ociVersion\": \"1.0\",\n  \"hostname\": \"x\"\n\n",
     "invalid JSON at line 2, column 18: premature EOF"},
    {"invalid JSON: trailing garbage", "{\"ociVersion\": \"1.0\"} {}",
     "invalid JSON at line 1, column 23: trailing garbage"},
    {"invalid JSON: bad escape", "{\"ociVersion\": \"1\\q\"}",
     "invalid JSON at line 1, column 19: inside a string, '\\' occurs before a character which "
     "it may not"},
    {"invalid JSON: control character in a string", "{\"ociVersion\": \"a\tb\"}",
     "invalid JSON at line 1, column 18: invalid character inside string"},
    {"invalid JSON: invalid UTF-8", "{\"ociVersion\": \"\xc3\x28\"}",
     "invalid JSON at line 1, column 17: invalid bytes in UTF8 string"},
    {"invalid JSON: comes before type errors", "{\"ociVersion\": 1, \"hostname\": }",
     "invalid JSON at line 1, column 31: unallowed token at this point in JSON text"},
    {"invalid JSON: column counts characters", "{\"hostname\": \"\xc3\xa9\xc3\xa9\", x}",
     "invalid JSON at line 1, column 20: invalid char in json text"},
    {"empty document", "", "empty document (expected a JSON object)"},
    {"empty document: only white space", " \n\t\r\n ", "empty document (expected a JSON object)"},
    {"NUL in a string",
     "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},"
     "{\"destination\":\"/c\\u0000d\"}]}",
     "mounts[2].destination: expected a string without NUL characters, got \"/c\\u0000d\""},
    {"NUL in an array element", "{\"ociVersion\":\"1\",\"process\":{\"env\":[\"A=\\u0000\"]}}",
     "process.env[0]: expected a string without NUL characters, got \"A=\\u0000\""},
    {"NUL in a map key", "{\"ociVersion\":\"1\",\"annotations\":{\"a\\u0000b\":\"c\"}}",
     "annotations: expected a key without NUL characters, got \"a\\u0000b\""},
    {"NUL in a map value", "{\"ociVersion\":\"1\",\"annotations\":{\"k\":\"\\u0000\"}}",
     "annotations[\"k\"]: expected a string without NUL characters, got \"\\u0000\""},
    {"duplicate keys: the last one is checked",
     "{\"ociVersion\":\"1\",\"hostname\":\"a\",\"hostname\":5}",
     "hostname: expected a string, got 5"},
    {"map keys in paths are escaped",
     "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a\\\"b\":[]}}}",
     "linux.sysctl[\"a\\\"b\"]: expected a string, got an array"},
};

static void test_errcase(const struct errcase *e)
{
	char *err = NULL;
	char want[1024];
	oci_config *c = parse_config(e->json, &err);
	CHECK(c == NULL);
	oci_config_free(c);
	if (e->msg)
		snprintf(want, sizeof want, "config.json: %s", e->msg);
	else
		snprintf(want, sizeof want, "config.json: expected a JSON object, got an array");
	CHECK_STR(err, want);
	free(err);
}

static void test_top_level_types(void)
{
	const char *docs[][2] = {
	    {"\"x\"", "config.json: expected a JSON object, got \"x\""},
	    {"null", "config.json: expected a JSON object, got null"},
	    {"-12.5", "config.json: expected a JSON object, got -12.5"},
	    {"true", "config.json: expected a JSON object, got true"},
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char *err = NULL;
		CHECK(parse_config(docs[i][0], &err) == NULL);
		CHECK_STR(err, docs[i][1]);
		free(err);
	}
}

static void test_unknown_ignored(void)
{
	char *err = NULL;
	oci_config *c = parse_config(
	    "{\"ociVersion\":\"1\",\"x-future\":{\"deep\":[1,[2,{\"a\":null}],\"s\",{}]},"
	    "\"root\":{\"path\":\"r\",\"extra\":true,\"more\":[[[]]]},\"windows\":{"
	    "\"layerFolders\":"
	    "[\"C:\\\\\"]},\"linux\":{\"unknownList\":[{}],\"sysctl\":{}},\"vm\":null}",
	    &err);
	CHECK_STR(err, NULL);
	REQUIRE(c);
	REQUIRE(c->root);
	CHECK_STR(c->root->path, "r");
	REQUIRE(c->linux_);
	CHECK(c->linux_->sysctl && c->linux_->sysctl->len == 0);
	oci_config_free(c);
}

static void test_null_absent(void)
{
	char *err = NULL;
	oci_config *c = parse_config("{\"ociVersion\":\"1\",\"hostname\":null,\"root\":null,"
				     "\"mounts\":null,\"process\":null,"
				     "\"linux\":{\"sysctl\":{\"a\":null,\"b\":\"2\"},\"resources\":"
				     "{\"memory\":{\"limit\":null,"
				     "\"swap\":5}}}}",
				     &err);
	CHECK_STR(err, NULL);
	REQUIRE(c);
	CHECK(!c->hostname && !c->root && !c->mounts && c->mounts_len == 0 && !c->process);
	REQUIRE(c->linux_ && c->linux_->sysctl && c->linux_->resources);
	CHECK_UINT(c->linux_->sysctl->len, 1);
	CHECK_STR(c->linux_->sysctl->keys[0], "b");
	CHECK(!oci_string_map_get(c->linux_->sysctl, "a"));
	REQUIRE(c->linux_->resources->memory);
	CHECK(!c->linux_->resources->memory->limit_present);
	CHECK_NUM(c->linux_->resources->memory->swap, 5);
	size_t len;
	char *s = oci_config_serialize(c, false, &len, &err);
	CHECK_STR(s, "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"swap\":5}},"
		     "\"sysctl\":{\"b\":\"2\"}}}");
	free(s);
	oci_config_free(c);
}

static void test_duplicates(void)
{
	char *err = NULL;
	/* 40 keys, then the first 20 again: exercises the sorting de-duplication */
	char json[4096];
	size_t n =
	    (size_t)snprintf(json, sizeof json,
			     "{\"ociVersion\":\"1\",\"hostname\":\"a\",\"root\":{\"path\":\"x\"},"
			     "\"root\":{\"readonly\":true,\"path\":\"y\"},\"hostname\":\"b\","
			     "\"domainname\":\"d\",\"domainname\":null,\"annotations\":{");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(json + n, sizeof json - n, "%s\"k%d\":\"%s%d\"", i ? "," : "",
				      i % 40, i < 40 ? "first" : "second", i % 40);
	n += (size_t)snprintf(json + n, sizeof json - n,
			      "},\"linux\":{\"sysctl\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}}");
	REQUIRE(n < sizeof json);
	oci_config *c = parse_config(json, &err);
	CHECK_STR(err, NULL);
	REQUIRE(c);
	CHECK_STR(c->hostname, "b");
	CHECK(!c->domainname);
	REQUIRE(c->root);
	CHECK_STR(c->root->path, "y");
	CHECK_NUM(c->root->readonly, true);
	REQUIRE(c->annotations);
	CHECK_UINT(c->annotations->len, 40);
	CHECK_STR(oci_string_map_get(c->annotations, "k0"), "second0");
	CHECK_STR(oci_string_map_get(c->annotations, "k19"), "second19");
	CHECK_STR(oci_string_map_get(c->annotations, "k20"), "first20");
	CHECK_STR(oci_string_map_get(c->annotations, "k39"), "first39");
	REQUIRE(c->linux_ && c->linux_->sysctl);
	CHECK_UINT(c->linux_->sysctl->len, 2);
	CHECK_STR(oci_string_map_get(c->linux_->sysctl, "a"), "3");
	CHECK_STR(oci_string_map_get(c->linux_->sysctl, "b"), "2");
	oci_config_free(c);
}

static void test_data_not_terminated(void)
{
	const char doc[] = "{\"ociVersion\":\"1.0\"}GARBAGE";
	char *err = NULL;
	oci_config *c = oci_config_parse_data(doc, sizeof doc - 1 - 7, "config.json", &err);
	CHECK_STR(err, NULL);
	REQUIRE(c);
	CHECK_STR(c->oci_version, "1.0");
	oci_config_free(c);
	c = oci_config_parse_data("{}", 2, NULL, &err);
	CHECK(!c);
	CHECK_STR(err, "input: ociVersion: required property missing (expected a string)");
	free(err);
}

/* String arrays go to execve as they are: every length, including the
 * ones that fill the parser's allocation exactly (4, 8, 16), must end
 * with a NULL.  A syntax error at the very end of an unterminated buffer
 * must not read past it (both found by tests/fuzz). */
static void test_strv_terminated(void)
{
	for (size_t n = 0; n <= 40; n++) {
		char doc[512] = "{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"args\":[";
		char *err = NULL;
		for (size_t i = 0; i < n; i++)
			strcat(doc, i ? ",\"a\"" : "\"a\"");
		strcat(doc, "]}");
		oci_process *p = oci_process_parse_data(doc, strlen(doc), "process.json", &err);
		CHECK_STR(err, NULL);
		REQUIRE(p && p->args && p->args_len == n);
		CHECK(p->args[n] == NULL);
		oci_process_free(p);
	}
	const char *cut[] = {"{\"cwd\":\"", "{\"cwd\":tru", "{\"cwd\":1", "[\"\xc3"};
	for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
		size_t len = strlen(cut[i]);
		char *copy = malloc(len), *err = NULL;
		REQUIRE(copy);
		memcpy(copy, cut[i], len); /* no NUL: ASan catches a read past len */
		CHECK(!oci_process_parse_data(copy, len, "process.json", &err));
		CHECK(err != NULL);
		free(err);
		free(copy);
	}
}

/* ------------------------------------------------------------------------ */
/* Files */

static void test_fifo(void)
{
	const char *p = tmp_path("fifo");
	char *err = NULL, want[512];
	REQUIRE(mkfifo(p, 0600) == 0);
	alarm(10); /* a hang kills the test */
	oci_config *c = oci_config_parse_file(p, "config.json", &err);
	alarm(0);
	CHECK(!c);
	snprintf(want, sizeof want, "%s: not a regular file", p);
	CHECK_STR(err, want);
	free(err);
	unlink(p);
}

static void test_dev_zero(void)
{
	char *err = NULL;
	alarm(10);
	CHECK(!oci_config_parse_file("/dev/zero", NULL, &err));
	alarm(0);
	CHECK_STR(err, "/dev/zero: not a regular file");
	free(err);
	CHECK(!oci_read_file(tmpdir, 100, NULL, &err));
	char want[512];
	snprintf(want, sizeof want, "%s: not a regular file", tmpdir);
	CHECK_STR(err, want);
	free(err);
}

static void test_missing_file(void)
{
	char *err = NULL, want[512];
	const char *p = tmp_path("nonexistent.json");
	CHECK(!oci_config_parse_file(p, "config.json", &err));
	snprintf(want, sizeof want, "%s: No such file or directory", p);
	CHECK_STR(err, want);
	free(err);
}

static void test_empty_file(void)
{
	char *err = NULL;
	const char *p = tmp_path("empty.json");
	write_file(p, "", 0);
	CHECK(!oci_config_parse_file(p, "config.json", &err));
	CHECK_STR(err, "config.json: empty document (expected a JSON object)");
	free(err);
	/* source NULL: messages name the path */
	char want[512];
	write_file(p, "{\"ociVersion\": []}", 18);
	CHECK(!oci_config_parse_file(p, NULL, &err));
	snprintf(want, sizeof want, "%s: ociVersion: expected a string, got an array", p);
	CHECK_STR(err, want);
	free(err);
	unlink(p);
}

static void test_read_file(void)
{
	char *err = NULL, want[512];
	size_t len = 99;
	const char *p = tmp_path("ten");
	write_file(p, "0123456789", 10);
	char *s = oci_read_file(p, 10, &len, &err);
	CHECK_STR(s, "0123456789");
	CHECK_UINT(len, 10);
	free(s);
	CHECK(!oci_read_file(p, 9, &len, &err));
	snprintf(want, sizeof want, "%s: file too large (more than 9 bytes)", p);
	CHECK_STR(err, want);
	free(err);
	s = oci_read_file("/proc/self/stat", 1 << 20, &len, &err);
	CHECK(s && len > 10 && strlen(s) == len);
	free(s);
	unlink(p);
}

/* ------------------------------------------------------------------------ */
/* The other documents */

static void test_state(void)
{
	const char *doc =
	    "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"running\",\"pid\":1234,"
	    "\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"},\"created\":\"now\"}";
	char *err = NULL;
	oci_state *s = oci_state_parse_data(doc, strlen(doc), "state.json", &err);
	CHECK_STR(err, NULL);
	REQUIRE(s);
	CHECK_STR(s->oci_version, "1.3.0");
	CHECK_STR(s->id, "c1");
	CHECK_STR(s->status, "running");
	CHECK_NUM(s->pid, 1234);
	CHECK_STR(s->bundle, "/b");
	CHECK_STR(oci_string_map_get(s->annotations, "k"), "v");
	CHECK_STR(s->created, "now");
	CHECK(!s->rootfs && !s->owner);
	size_t len;
	char *out = oci_state_serialize(s, false, &len, &err);
	CHECK_STR(out, doc);
	free(out);
	oci_state_free(s);

	const char *bad =
	    "{\"ociVersion\":\"1\",\"id\":\"c1\",\"status\":\"sleeping\",\"bundle\":\"/\"}";
	CHECK(!oci_state_parse_data(bad, strlen(bad), "state.json", &err));
	CHECK_STR(err, "state.json: status: expected one of creating, created, running, stopped, "
		       "paused, got \"sleeping\"");
	free(err);
}

static void test_serialize_by_hand(void)
{
	/* callers may build structs themselves; serializing only reads them */
	oci_state s = {0};
	s.oci_version = (char *)"1.3.0";
	s.id = (char *)"hand";
	s.status = (char *)"created";
	s.pid = -5;
	s.pid_present = true;
	s.bundle = (char *)"/bundle";
	char *err = NULL;
	size_t len;
	char *out = oci_state_serialize(&s, false, &len, &err);
	CHECK_STR(out,
		  "{\"ociVersion\":\"1.3.0\",\"id\":\"hand\",\"status\":\"created\",\"pid\":-5,"
		  "\"bundle\":\"/bundle\"}");
	free(out);
	out = oci_state_serialize(&s, true, &len, &err);
	CHECK_STR(out, "{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": \"hand\",\n  \"status\": "
		       "\"created\",\n  \"pid\": -5,\n  \"bundle\": \"/bundle\"\n}\n");
	free(out);

	s.id = (char *)"bad\xff";
	CHECK(!oci_state_serialize(&s, false, &len, &err));
	CHECK_STR(err, "serializing state: id: invalid UTF-8 in string");
	free(err);

	char *args[] = {(char *)"a", NULL};
	oci_process p = {0};
	p.args = args;
	p.args_len = 2;
	CHECK(!oci_process_serialize(&p, false, NULL, &err));
	CHECK_STR(err, "serializing process: args[1]: NULL string");
	free(err);

	oci_hull_state h = {0};
	h.id = (char *)"x";
	h.bundle = (char *)"/";
	h.pid_start_time = UINT64_MAX;
	h.pid_start_time_present = true;
	out = oci_hull_state_serialize(&h, false, NULL, &err);
	CHECK_STR(out, "{\"id\":\"x\",\"bundle\":\"/\",\"pidStartTime\":18446744073709551615}");
	free(out);
}

static void test_features(void)
{
	char *err = NULL;
	oci_features *f = oci_features_parse_file(data_path("features.json"), NULL, &err);
	CHECK_STR(err, NULL);
	REQUIRE(f);
	CHECK_STR(f->oci_version_min, "1.0.0");
	CHECK_STR(f->oci_version_max, "1.3.0");
	CHECK_STRV(f->hooks, "prestart", "createRuntime", "createContainer", "startContainer",
		   "poststart", "poststop");
	CHECK_STRV(f->mount_options, "ro", "rw", "bind", "rbind", "idmap");
	CHECK_STR(oci_string_map_get(f->annotations, "org.hull.version"), "0.1.0");
	CHECK_STRV(f->potentially_unsafe_config_annotations, "org.hull.unsafe.",
		   "run.oci.keep_original_groups");
	const oci_features_linux *l = f->linux_;
	REQUIRE(l);
	CHECK_STRV(l->namespaces, "cgroup", "ipc", "mount", "network", "pid", "time", "user",
		   "uts");
	CHECK_STRV(l->capabilities, "CAP_CHOWN", "CAP_KILL");
	REQUIRE(l->cgroup && l->seccomp && l->apparmor && l->selinux && l->intel_rdt);
	CHECK_NUM(l->cgroup->v1, true);
	CHECK_NUM(l->cgroup->v2, true);
	CHECK_NUM(l->cgroup->systemd, false);
	CHECK_NUM(l->cgroup->systemd_user, false);
	CHECK_NUM(l->cgroup->rdma, false);
	CHECK_NUM(l->seccomp->enabled, true);
	CHECK_STRV(l->seccomp->actions, "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO");
	CHECK_STRV(l->seccomp->operators, "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ");
	CHECK_STRV(l->seccomp->archs, "SCMP_ARCH_X86_64");
	CHECK_STRV(l->seccomp->known_flags, "SECCOMP_FILTER_FLAG_LOG");
	CHECK_EMPTY(l->seccomp->supported_flags);
	CHECK_NUM(l->apparmor->enabled, false);
	CHECK_NUM(l->selinux->enabled, true);
	CHECK_NUM(l->intel_rdt->enabled, true);
	CHECK_NUM(l->intel_rdt->schemata, true);
	CHECK_NUM(l->intel_rdt->monitoring, false);
	REQUIRE(l->mount_extensions && l->mount_extensions->idmap && l->net_devices);
	CHECK_NUM(l->mount_extensions->idmap->enabled, true);
	CHECK_NUM(l->net_devices->enabled, true);
	REQUIRE(l->memory_policy);
	CHECK_STRV(l->memory_policy->modes, "MPOL_DEFAULT", "MPOL_BIND");
	CHECK_STRV(l->memory_policy->flags, "MPOL_F_STATIC_NODES");

	size_t len;
	char *s = oci_features_serialize(f, true, &len, &err);
	REQUIRE(s);
	oci_features *f2 = oci_features_parse_data(s, len, "features", &err);
	CHECK_STR(err, NULL);
	char *s2 = f2 ? oci_features_serialize(f2, true, &len, &err) : NULL;
	CHECK_STR(s2, s);
	free(s);
	free(s2);
	oci_features_free(f2);
	oci_features_free(f);
}

static void test_process(void)
{
	char *err = NULL;
	oci_process *p = oci_process_parse_file(data_path("process.json"), "process.json", &err);
	CHECK_STR(err, NULL);
	REQUIRE(p);
	CHECK_NUM(p->terminal, false);
	REQUIRE(p->user);
	CHECK_UNUM(p->user->uid, 0);
	REQUIRE(p->user->additional_gids && p->user->additional_gids_len == 2);
	CHECK_UINT(p->user->additional_gids[1], 11);
	CHECK_STRV(p->args, "/bin/echo", "exec");
	CHECK_STR(p->cwd, "/");
	CHECK_NUM(p->oom_score_adj, 1000);
	REQUIRE(p->rlimits && p->rlimits_len == 1);
	CHECK_UNUM(p->rlimits[0]->soft, 32);
	size_t len;
	char *s = oci_process_serialize(p, false, &len, &err);
	CHECK_STR(s,
		  "{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[10,11]},"
		  "\"args\":[\"/bin/echo\",\"exec\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\","
		  "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},\"rlimits\":[{\"type\":"
		  "\"RLIMIT_NPROC\",\"hard\":64,\"soft\":32}],\"noNewPrivileges\":false,"
		  "\"oomScoreAdj\":1000}");
	free(s);
	oci_process_free(p);

	const char *bad = "{\"cwd\":\"/\",\"user\":{\"uid\":0}}";
	p = oci_process_parse_data(bad, strlen(bad), "process.json", &err);
	CHECK(p);
	oci_process_free(p);
	bad = "{\"user\":{}}";
	CHECK(!oci_process_parse_data(bad, strlen(bad), "process.json", &err));
	CHECK_STR(err, "process.json: cwd: required property missing (expected a string)");
	free(err);
}

static void test_hull_state(void)
{
	char *err = NULL;
	oci_hull_state *h = oci_hull_state_parse_file(data_path("hull-state.json"), NULL, &err);
	CHECK_STR(err, NULL);
	REQUIRE(h);
	CHECK_STR(h->id, "ctr-1");
	CHECK_STR(h->bundle, "/var/lib/bundles/ctr-1");
	CHECK_STR(h->rootfs, "/var/lib/bundles/ctr-1/rootfs");
	CHECK_NUM(h->pid, 4242);
	CHECK_UNUM(h->pid_start_time, UINT64_MAX);
	CHECK_STR(h->created, "2025-01-02T03:04:05.123456789Z");
	CHECK_STR(h->owner, "root");
	CHECK_STR(oci_string_map_get(h->annotations, "a"), "b");
	CHECK_STR(oci_string_map_get(h->cgroup_paths, "pids"), "/sys/fs/cgroup/pids/hull/ctr-1");
	CHECK_STRV(h->cgroups_created, "memory", "pids");
	CHECK_NUM(h->systemd_cgroup, false);
	CHECK_NUM(h->started, true);
	size_t len;
	char *s = oci_hull_state_serialize(h, false, &len, &err);
	REQUIRE(s);
	oci_hull_state *h2 = oci_hull_state_parse_data(s, len, "state.json", &err);
	REQUIRE(h2);
	char *s2 = oci_hull_state_serialize(h2, false, &len, &err);
	CHECK_STR(s2, s);
	CHECK(strstr(s, "\"pidStartTime\":18446744073709551615"));
	free(s);
	free(s2);
	oci_hull_state_free(h2);
	oci_hull_state_free(h);
}

static void test_process_state(void)
{
	const char *doc =
	    "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":77,\"metadata\":"
	    "\"m\",\"state\":{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":"
	    "\"creating\",\"pid\":77,\"bundle\":\"/b\"}}";
	char *err = NULL;
	oci_process_state *p = oci_process_state_parse_data(doc, strlen(doc), "message", &err);
	CHECK_STR(err, NULL);
	REQUIRE(p);
	CHECK_STRV(p->fds, "seccompFd");
	CHECK_NUM(p->pid, 77);
	CHECK_STR(p->metadata, "m");
	REQUIRE(p->state);
	CHECK_STR(p->state->status, "creating");
	size_t len;
	char *s = oci_process_state_serialize(p, false, &len, &err);
	CHECK_STR(s, doc);
	free(s);
	oci_process_state_free(p);
	const char *bad = "{\"ociVersion\":\"1.3.0\",\"pid\":1,\"state\":{\"id\":\"c\"}}";
	CHECK(!oci_process_state_parse_data(bad, strlen(bad), "message", &err));
	CHECK_STR(err, "message: state.ociVersion: required property missing (expected a string)");
	free(err);
}

static void test_string_map(void)
{
	CHECK(!oci_string_map_get(NULL, "a"));
	oci_string_map_free(NULL);
	oci_config_free(NULL);
	oci_string_map *m = calloc(1, sizeof *m);
	REQUIRE(m);
	m->keys = calloc(2, sizeof(char *));
	m->values = calloc(2, sizeof(char *));
	REQUIRE(m->keys && m->values);
	m->keys[0] = strdup("a");
	m->values[0] = strdup("1");
	m->keys[1] = strdup("b");
	m->values[1] = strdup("2");
	m->len = 2;
	CHECK_STR(oci_string_map_get(m, "b"), "2");
	CHECK(!oci_string_map_get(m, "c"));
	CHECK(!oci_string_map_get(m, NULL));
	/* a hand-built config is freed with the generated free functions */
	oci_config *c = calloc(1, sizeof *c);
	REQUIRE(c);
	c->oci_version = strdup("1.0");
	c->annotations = m;
	oci_config_free(c);
}

/* ------------------------------------------------------------------------ */
/* gen.py's checks of the table */

static void test_gen_errors(void)
{
	char cmd[8192], out[8192], want[8192];
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' '%s' bad.types '%s/gen' 2>&1; echo \"rc=$?\"",
		 TEST_DATA_DIR, PYTHON3, GEN_PY, tmpdir);
	FILE *f = popen(cmd, "r");
	REQUIRE(f);
	size_t n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	pclose(f);
	FILE *w = fopen(data_path("bad.types.expected"), "r");
	REQUIRE(w);
	n = fread(want, 1, sizeof want - 20, w);
	fclose(w);
	strcpy(want + n, "rc=1\n");
	CHECK_STR(out, want);
	/* nothing is written for a bad table */
	CHECK(access(tmp_path("gen/oci_types.h"), F_OK) != 0);
}

/* ------------------------------------------------------------------------ */
/* Speed: a 1 MB config.json with thousands of mounts and seccomp rules */

static char *big_config(size_t *len, size_t *mounts, size_t *syscalls)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fputs("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"user\":{"
	      "\"uid\":0,"
	      "\"gid\":0},\"cwd\":\"/\",\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"]},\"mounts\":[",
	      f);
	*mounts = 4400;
	for (size_t i = 0; i < *mounts; i++)
		fprintf(f,
			"%s{\"destination\":\"/srv/volumes/volume-%05zu\",\"type\":\"bind\","
			"\"source\":\"/var/lib/data/volumes/volume-%05zu\",\"options\":[\"rbind\","
			"\"ro\",\"nosuid\",\"nodev\"]}",
			i ? "," : "", i, i);
	fputs("],\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}],\"seccomp\":{"
	      "\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	      "\"syscalls\":[",
	      f);
	*syscalls = 2400;
	for (size_t i = 0; i < *syscalls; i++)
		fprintf(
		    f,
		    "%s{\"names\":[\"syscall_%zu\",\"other_%zu\"],\"action\":\"SCMP_ACT_ALLOW\","
		    "\"args\":[{\"index\":%zu,\"value\":%zu,\"valueTwo\":18446744073709551615,"
		    "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}",
		    i ? "," : "", i, i, i % 6, i * 4096);
	fputs("]}}}", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

enum { MAX_RUNS = 101 };

/* OCISPEC_BENCH_RUNS, else 21 (3 under valgrind, which is 50 times slower) */
static int bench_runs(void)
{
	const char *e = getenv("OCISPEC_BENCH_RUNS");
	const char *pre = getenv("LD_PRELOAD");
	int n = e ? atoi(e) : pre && strstr(pre, "vgpreload") ? 3 : 21;
	return n < 1 ? 1 : n > MAX_RUNS ? MAX_RUNS : n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_big_config(void)
{
	size_t len, mounts, syscalls, slen = 0;
	char *doc = big_config(&len, &mounts, &syscalls);
	REQUIRE(doc);
	CHECK(len >= 1000000);
	const char *p = tmp_path("big.json");
	write_file(p, doc, len);

	double parse[MAX_RUNS], file[MAX_RUNS], ser[MAX_RUNS];
	int RUNS = bench_runs();
	char *err = NULL;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ms();
		oci_config *c = oci_config_parse_data(doc, len, "config.json", &err);
		double t1 = now_ms();
		oci_config *c2 = oci_config_parse_file(p, "config.json", &err);
		double t2 = now_ms();
		char *s = c ? oci_config_serialize(c, false, &slen, &err) : NULL;
		double t3 = now_ms();
		parse[r] = t1 - t0;
		file[r] = t2 - t1;
		ser[r] = t3 - t2;
		REQUIRE(c && c2 && s);
		if (r == 0) {
			CHECK_UINT(c->mounts_len, mounts);
			REQUIRE(c->linux_ && c->linux_->seccomp);
			CHECK_UINT(c->linux_->seccomp->syscalls_len, syscalls);
			CHECK_STR(c->mounts[4399]->source, "/var/lib/data/volumes/volume-04399");
			CHECK_UNUM(c->linux_->seccomp->syscalls[2399]->args[0]->value_two,
				   UINT64_MAX);
			CHECK_UINT(slen, len); /* same order, no white space: same text */
		}
		free(s);
		oci_config_free(c);
		oci_config_free(c2);
	}
	qsort(parse, RUNS, sizeof parse[0], cmp_double);
	qsort(file, RUNS, sizeof file[0], cmp_double);
	qsort(ser, RUNS, sizeof ser[0], cmp_double);
	printf("# %zu-byte config.json (%zu mounts, %zu syscall rules), median of %d runs:\n", len,
	       mounts, syscalls, RUNS);
	printf("#   parse_data %.2f ms (best %.2f), parse_file %.2f ms, serialize %.2f ms\n",
	       parse[RUNS / 2], parse[0], file[RUNS / 2], ser[RUNS / 2]);
	/* generous: catches accidental quadratic behaviour, also under valgrind */
	CHECK(parse[RUNS / 2] < 5000);
	free(doc);
	unlink(p);
}

/* ------------------------------------------------------------------------ */
/*
 * Out of memory: built a second time with -DOCISPEC_OOM_TEST and the linker's
 * --wrap for malloc, calloc, realloc and strdup, this program makes the Nth
 * allocation fail, for every N, and checks that each call then fails cleanly
 * (valgrind checks that nothing leaks).  Allocations inside libyajl and libc
 * are not affected.
 */
#ifdef OCISPEC_OOM_TEST
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long fail_at = -1, alloc_count;
static bool failed;

static bool fail_now(void)
{
	if (fail_at < 0 || alloc_count++ != fail_at)
		return false;
	failed = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

static char *full_doc;
static size_t full_len;
static oci_config *full_cfg;

/* A failed call must report the failure, or nothing when even that fails. */
static void check_oom_err(int line, char *err, const char *other)
{
	if (!failed)
		check_fail(line, "failed without a failing allocation: %s", err ? err : "NULL");
	else if (err && strcmp(err, "out of memory") != 0 && (!other || strcmp(err, other) != 0))
		check_fail(line, "unexpected message \"%s\"", err);
	free(err);
}

static void oom_parse(void)
{
	char *err = NULL;
	oci_config *c = oci_config_parse_data(full_doc, full_len, "config.json", &err);
	if (c && failed)
		check_fail(__LINE__, "parsed although allocation %ld failed", fail_at);
	if (c)
		check_full(c);
	else
		check_oom_err(__LINE__, err, NULL);
	oci_config_free(c);
}

static void oom_parse_error(void)
{
	for (size_t i = 0; i < sizeof errcases / sizeof errcases[0]; i++) {
		const struct errcase *e = &errcases[i];
		char *err = NULL, want[1024];
		snprintf(want, sizeof want, "config.json: %s",
			 e->msg ? e->msg : "expected a JSON object, got an array");
		oci_config *c = parse_config(e->json, &err);
		CHECK(!c);
		if (err && strcmp(err, want) == 0)
			free(err);
		else
			check_oom_err(__LINE__, err, NULL);
	}
}

static void oom_serialize(void)
{
	char *err = NULL;
	size_t len;
	char *s = oci_config_serialize(full_cfg, true, &len, &err);
	if (s && failed)
		check_fail(__LINE__, "serialized although allocation %ld failed", fail_at);
	if (!s)
		check_oom_err(__LINE__, err, NULL);
	free(s);
}

static void oom_read_file(void)
{
	char *err = NULL;
	size_t len;
	char *s = oci_read_file(data_path("full-config.json"), 1 << 20, &len, &err);
	if (!s)
		check_oom_err(__LINE__, err, NULL);
	free(s);
}

static void oom_run(const char *name, void (*fn)(void))
{
	long n = 0;
	for (fail_at = 0; case_failures == 0; fail_at++) {
		alloc_count = 0;
		failed = false;
		fn();
		if (!failed)
			break;
		n++;
	}
	fail_at = -1;
	char desc[256];
	snprintf(desc, sizeof desc, "out of memory: %s (%ld allocation points)", name, n);
	report(desc);
}

static int oom_main(void)
{
	char *err = NULL;
	full_doc = oci_read_file(data_path("full-config.json"), 1 << 20, &full_len, &err);
	full_cfg = full_doc ? oci_config_parse_data(full_doc, full_len, NULL, &err) : NULL;
	if (!full_cfg) {
		printf("Bail out! %s\n", err ? err : "?");
		return 1;
	}
	oom_run("parsing full-config.json", oom_parse);
	oom_run("every error message", oom_parse_error);
	oom_run("serializing", oom_serialize);
	oom_run("oci_read_file", oom_read_file);
	oci_config_free(full_cfg);
	free(full_doc);
	printf("1..%d\n", test_num);
	return tests_failed ? 1 : 0;
}
#endif

/* ------------------------------------------------------------------------ */

static void cleanup_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
#ifdef OCISPEC_OOM_TEST
	return oom_main();
#endif
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/ocispec-test.XXXXXX",
		 t && *t && strlen(t) < 40 ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	run("full config.json: every field lands in its member", test_full_config);
	run("round trip: parse, serialize, parse keeps every value", test_round_trip);
	for (size_t i = 0; i < sizeof errcases / sizeof errcases[0]; i++) {
		char name[256];
		test_errcase(&errcases[i]);
		snprintf(name, sizeof name, "error: %s", errcases[i].name);
		report(name);
	}
	run("error: top level not an object", test_top_level_types);
	run("unknown properties are ignored", test_unknown_ignored);
	run("null counts as absent", test_null_absent);
	run("duplicate keys: the last one wins", test_duplicates);
	run("parse_data reads exactly len bytes; source NULL", test_data_not_terminated);
	run("string arrays end with NULL; errors stay inside len", test_strv_terminated);
	run("FIFO refused without hanging", test_fifo);
	run("/dev/zero and directories refused", test_dev_zero);
	run("missing file", test_missing_file);
	run("empty file; source NULL names the path", test_empty_file);
	run("oci_read_file: size limit, /proc files", test_read_file);
	run("state document", test_state);
	run("serializing hand-built structs", test_serialize_by_hand);
	run("features document", test_features);
	run("process document", test_process);
	run("hull_state document", test_hull_state);
	run("process_state document", test_process_state);
	run("string maps", test_string_map);
	run("gen.py rejects a bad table with line numbers", test_gen_errors);
	run("1 MB config.json", test_big_config);

	printf("1..%d\n", test_num);
	cleanup_tmpdir();
	return tests_failed ? 1 : 0;
}
