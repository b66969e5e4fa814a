/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.resources: for each spec object, find the hierarchy that holds its
 * controller on this host (v1 or v2, possibly both kinds on a hybrid host)
 * and hand the object to that version's writer.  Also the file helpers
 * every writer shares, so all errors read the same way.
 */
#include "config.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RES "linux.resources"

bool cg_word_in(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; p && (p = strstr(p, word)); p += n)
		if ((p == s || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

bool cg_word_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

/* Why a cgroup file can be missing although its controller is there. */
static const char *absent_reason(const char *file)
{
	static const struct {
		const char *prefix, *why;
	} table[] = {
	    {"memory.memsw.", "swap accounting is off (boot with swapaccount=1)"},
	    {"memory.swap.",
	     "swap accounting is off (kernel without CONFIG_SWAP, or swapaccount=0)"},
	    {"memory.kmem.tcp.", "this kernel has no kernel TCP memory limit"},
	    {"memory.kmem.", "this kernel has no kernel memory limit"},
	    {"cpu.rt_", "the kernel is built without CONFIG_RT_GROUP_SCHED"},
	    {"cpu.cfs_burst_us", "CPU burst needs Linux 5.14 or later"},
	    {"cpu.max.burst", "CPU burst needs Linux 5.14 or later"},
	    {"cpu.idle", "cpu.idle needs Linux 5.15 or later"},
	    {"cpu.cfs_", "the kernel is built without CONFIG_CFS_BANDWIDTH"},
	    {"cpu.max", "the kernel is built without CONFIG_CFS_BANDWIDTH"},
	    {"blkio.bfq.", "the BFQ I/O scheduler is not available"},
	    {"blkio.leaf_weight", "leaf weights went away with the CFQ scheduler (Linux 5.0)"},
	    {"blkio.weight", "no proportional-weight I/O scheduler (CFQ went away in Linux 5.0)"},
	    {"io.bfq.", "the BFQ I/O scheduler is not available"},
	    {"io.weight", "the kernel is built without CONFIG_BLK_CGROUP_IOCOST"},
	    {"hugetlb.", "there is no such huge page size on this host"},
	    {"net_prio.", "the net_prio controller lacks this file"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (strncmp(file, table[i].prefix, strlen(table[i].prefix)) == 0)
			return table[i].why;
	return "the kernel does not provide it";
}

/* What a refused value usually means, per file and errno. */
static const char *refused_hint(const char *file, int e)
{
	if (streq(file, "memory.limit_in_bytes") && e == EBUSY)
		return "the container already uses more memory than that";
	if (streq(file, "memory.limit_in_bytes") && e == EINVAL)
		return "it must not exceed memory.memsw.limit_in_bytes; set memory.swap as well";
	if (streq(file, "memory.memsw.limit_in_bytes") && e == EINVAL)
		return "memory+swap must be at least the memory limit";
	if (streq(file, "memory.memsw.limit_in_bytes") && e == EBUSY)
		return "the container already uses more memory+swap than that";
	if (strncmp(file, "cpu.rt_", 7) == 0 && e == EINVAL)
		return "runtime must not exceed the period, and the parent cgroup must grant at "
		       "least as much realtime runtime to its children";
	if (strncmp(file, "cpu.cfs_", 8) == 0 && e == EINVAL)
		return "quota and period must be 1000 us or more (period at most 1 s), burst at "
		       "most the quota";
	if (streq(file, "cpu.max") && e == EINVAL)
		return "quota and period must be 1000 us or more (period at most 1 s)";
	if (streq(file, "memory.use_hierarchy") && e == EINVAL)
		return "since Linux 5.16 v1 memory accounting is always hierarchical";
	if (strncmp(file, "cpuset.", 7) == 0 && (e == EINVAL || e == ENOSPC || e == ERANGE))
		return "the CPUs or memory nodes must exist and be a subset of the parent's";
	if ((strncmp(file, "blkio.bfq.", 10) == 0 || strncmp(file, "io.bfq.", 7) == 0) &&
	    (e == EOPNOTSUPP || e == ENODEV))
		return "the device does not use the BFQ I/O scheduler (see "
		       "/sys/block/*/queue/scheduler)";
	if (strncmp(file, "devices.", 8) == 0 && e == EPERM)
		return "the parent cgroup does not allow this device";
	if (strncmp(file, "devices.", 8) == 0 && e == EINVAL)
		return "a whole-list rule needs a cgroup without sub-cgroups";
	return NULL;
}

int cg_open(const char *dir, const char *file, const char *field, hull_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return hull_fail(err, ENOTSUP, "%s: %s does not exist: %s", field, path,
				 absent_reason(file));
	return hull_fail_errno(err, "%s: open %s", field, path);
}

int cg_write_fd(int fd, const char *dir, const char *file, const char *value, const char *field,
		hull_error **err)
{
	cleanup_free char *shown = NULL;
	size_t len = strlen(value);
	ssize_t n;
	const char *hint;
	int e;

	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	e = errno;
	/* one line, short: multi-line values are io.max and the like */
	shown = xstrndup(value, 80);
	for (char *p = shown; *p; p++)
		if (*p == '\n')
			*p = ' ';
	hint = refused_hint(file, e);
	if (hint)
		return hull_fail(err, e, "%s: write \"%s\" to %s/%s: %s (%s)", field, shown, dir,
				 file, strerror(e), hint);
	return hull_fail_sys(err, e, "%s: write \"%s\" to %s/%s", field, shown, dir, file);
}

int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     hull_error **err)
{
	cleanup_close int fd = cg_open(dir, file, field, err);

	return fd < 0 ? -1 : cg_write_fd(fd, dir, file, value, field, err);
}

int cg_writef(const char *dir, const char *file, const char *field, hull_error **err,
	      const char *fmt, ...)
{
	cleanup_free char *value = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (!value)
		return hull_fail(err, ENOMEM, "out of memory");
	return cg_write(dir, file, value, field, err);
}

bool cg_exists(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);

	return access(path, F_OK) == 0;
}

char *cg_read(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	char *data = NULL;

	if (read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
		return NULL;
	return data;
}

int cg_read_i64(const char *dir, const char *file, int64_t *v)
{
	cleanup_free char *data = cg_read(dir, file);
	char *end;

	if (!data)
		return -1;
	if (strncmp(data, "max", 3) == 0) {
		*v = INT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoll(data, &end, 10);
	return errno || end == data ? -1 : 0;
}

int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *v)
{
	cleanup_free char *data = cg_read(dir, file);
	size_t n = strlen(key);

	for (char *line = data; line && *line;) {
		char *nl = strchr(line, '\n');
		if (strncmp(line, key, n) == 0 && line[n] == ' ') {
			*v = strtoull(line + n + 1, NULL, 10);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* Does the kernel know the controller at all (/proc/cgroups)? */
static bool kernel_has(const char *controller)
{
	cleanup_free char *data = NULL;

	if (read_file_at(AT_FDCWD, "/proc/cgroups", &data, NULL, NULL) < 0)
		return true;
	for (char *line = data; line && *line;) {
		size_t n = strlen(controller);
		if (strncmp(line, controller, n) == 0 && line[n] == '\t')
			return true;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return false;
}

struct ctl {
	const char *dir;
	bool v2;
};

/* Where controller lives for this container; an error says why nowhere. */
static int find_controller(hull_cgroup *cg, const char *controller, const char *field,
			   struct ctl *c, hull_error **err)
{
	static const char *const v1_only[] = {"net_cls", "net_prio"};

	c->dir = hull_cgroup_dir(cg, controller, &c->v2);
	if (c->dir)
		return c->v2 ? cg_v2_require(c->dir, controller, field, err) : 0;
	/* /proc/cgroups calls v2's io controller by its v1 name */
	if (!kernel_has(streq(controller, "io") ? "blkio" : controller))
		return hull_fail(err, ENOTSUP, "%s: this kernel has no %s cgroup controller", field,
				 controller);
	for (size_t i = 0; i < ARRAY_SIZE(v1_only); i++)
		if (streq(controller, v1_only[i]) && cg->layout == HULL_CGROUP_V2)
			return hull_fail(err, ENOTSUP,
					 "%s: the %s controller exists only in cgroup v1, and this "
					 "host is cgroup v2 only",
					 field, controller);
	return hull_fail(err, ENOTSUP,
			 "%s: the %s controller is not available on this %s host: no v1 "
			 "hierarchy mounts it and the cgroup v2 tree does not list it in "
			 "cgroup.controllers",
			 field, controller, hull_cgroup_layout_name(cg->layout));
}

static bool memory_is_empty(const oci_memory *m)
{
	return !m->limit_present && !m->reservation_present && !m->swap_present &&
	       !m->kernel_present && !m->kernel_tcp_present && !m->swappiness_present &&
	       !m->disable_oom_killer_present && !m->use_hierarchy_present;
}

static int apply_memory(hull_cgroup *cg, const oci_memory *m, bool update, hull_error **err)
{
	struct ctl c;

	if (memory_is_empty(m))
		return 0;
	if (find_controller(cg, "memory", RES ".memory", &c, err) < 0)
		return -1;
	return c.v2 ? cg_v2_memory(c.dir, m, update, err) : cg_v1_memory(c.dir, m, update, err);
}

static int apply_cpu(hull_cgroup *cg, const oci_cpu *cpu, hull_error **err)
{
	struct ctl c;

	if ((cpu->cpus && *cpu->cpus) || (cpu->mems && *cpu->mems)) {
		if (find_controller(cg, "cpuset", RES ".cpu.cpus", &c, err) < 0 ||
		    cg_cpuset(c.dir, cpu, err) < 0)
			return -1;
	}
	if (!cpu->shares_present && !cpu->quota_present && !cpu->period_present &&
	    !cpu->burst_present && !cpu->realtime_runtime_present &&
	    !cpu->realtime_period_present && !cpu->idle_present)
		return 0;
	/* spec: a positive quota must be no smaller than burst */
	if (cpu->burst_present && cpu->quota_present && cpu->quota > 0 &&
	    cpu->burst > (uint64_t)cpu->quota)
		return hull_fail(err, EINVAL,
				 RES ".cpu.burst: %" PRIu64 " is larger than quota (%" PRId64 ")",
				 cpu->burst, cpu->quota);
	if (find_controller(cg, "cpu", RES ".cpu", &c, err) < 0)
		return -1;
	return c.v2 ? cg_v2_cpu(c.dir, cpu, err) : cg_v1_cpu(cg, c.dir, cpu, err);
}

static int apply_pids(hull_cgroup *cg, const oci_pids *p, hull_error **err)
{
	struct ctl c;

	if (!p->limit_present)
		return 0;
	if (find_controller(cg, "pids", RES ".pids.limit", &c, err) < 0)
		return -1;
	return cg_pids(c.dir, p, err);
}

static int apply_blkio(hull_cgroup *cg, const oci_block_io *b, hull_error **err)
{
	struct ctl c;

	if (!b->weight_present && !b->leaf_weight_present && !b->weight_device_len &&
	    !b->throttle_read_bps_device_len && !b->throttle_write_bps_device_len &&
	    !b->throttle_read_iops_device_len && !b->throttle_write_iops_device_len)
		return 0;
	/* blkio in v1, io in v2 */
	if (hull_cgroup_dir(cg, "blkio", NULL)) {
		if (find_controller(cg, "blkio", RES ".blockIO", &c, err) < 0)
			return -1;
	} else if (find_controller(cg, "io", RES ".blockIO", &c, err) < 0) {
		return -1;
	}
	return c.v2 ? cg_v2_io(c.dir, b, err) : cg_v1_blkio(c.dir, b, err);
}

static int apply_hugetlb(hull_cgroup *cg, const oci_resources *res, hull_error **err)
{
	struct ctl c;

	if (!res->hugepage_limits_len)
		return 0;
	if (find_controller(cg, "hugetlb", RES ".hugepageLimits", &c, err) < 0)
		return -1;
	for (size_t i = 0; i < res->hugepage_limits_len; i++)
		if (cg_hugetlb(c.dir, c.v2, res->hugepage_limits[i], i, err) < 0)
			return -1;
	return 0;
}

static int apply_network(hull_cgroup *cg, const oci_network *n, hull_error **err)
{
	struct ctl c;

	if (n->class_id_present &&
	    (find_controller(cg, "net_cls", RES ".network.classID", &c, err) < 0 ||
	     cg_v1_net_cls(c.dir, n, err) < 0))
		return -1;
	if (n->priorities_len &&
	    (find_controller(cg, "net_prio", RES ".network.priorities", &c, err) < 0 ||
	     cg_v1_net_prio(c.dir, n, err) < 0))
		return -1;
	return 0;
}

static int apply_rdma(hull_cgroup *cg, const oci_rdma_map *r, hull_error **err)
{
	struct ctl c;

	if (!r->len)
		return 0;
	if (find_controller(cg, "rdma", RES ".rdma", &c, err) < 0)
		return -1;
	return cg_rdma(c.dir, r, err);
}

/* unified: files of the v2 tree, written last so they override what the
 * conversions wrote.  On a hybrid host only the controllers the v2 tree
 * holds (hugetlb here) have files there. */
static int apply_unified(hull_cgroup *cg, const oci_string_map *u, hull_error **err)
{
	bool v2 = false;
	const char *dir;

	if (!u->len)
		return 0;
	dir = hull_cgroup_dir(cg, "", &v2);
	if (!dir || !v2)
		return hull_fail(err, ENOTSUP,
				 RES ".unified: this host has no cgroup v2 hierarchy (cgroup v1 "
				     "only), so \"%s\" cannot be written",
				 u->keys[0]);
	for (size_t i = 0; i < cg->nhier; i++)
		if (cg->hier[i].v2)
			return cg_v2_unified(dir, cg->hier[i].mountpoint, u, err);
	return 0;
}

int hull_cgroup_apply(hull_cgroup *cg, const oci_resources *res, bool update, hull_error **err)
{
	/* cpuset before anything that may allocate on the wrong node */
	if ((res->cpu && apply_cpu(cg, res->cpu, err) < 0) ||
	    (res->memory && apply_memory(cg, res->memory, update, err) < 0) ||
	    (res->pids && apply_pids(cg, res->pids, err) < 0) ||
	    (res->block_io && apply_blkio(cg, res->block_io, err) < 0) ||
	    apply_hugetlb(cg, res, err) < 0 ||
	    (res->network && apply_network(cg, res->network, err) < 0) ||
	    (res->rdma && apply_rdma(cg, res->rdma, err) < 0))
		return -1;
	if (!update && cg_devices_apply(cg, res, err) < 0)
		return -1;
	if (update && res->devices_len)
		hull_debug(RES ".devices: update leaves the device list as it is");
	if (res->unified && apply_unified(cg, res->unified, err) < 0)
		return -1;
	return 0;
}

void hull_cgroup_set_device_nodes(hull_cgroup *cg, oci_device **devices, size_t n)
{
	cg->device_nodes = devices;
	cg->ndevice_nodes = n;
	cg->device_nodes_set = true;
}
