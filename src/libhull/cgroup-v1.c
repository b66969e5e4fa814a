/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v1 writers.  The spec's resources are v1 notions, so values go
 * to the files as they are; the work here is the order of writes the kernel
 * needs (memory+swap never below memory, burst never above quota, realtime
 * runtime granted by every ancestor).  Also the writers whose files are the
 * same on v1 and v2 (cpuset, pids, hugetlb, rdma).
 */
#include "config.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MEM "linux.resources.memory"
#define CPU "linux.resources.cpu"
#define BLK "linux.resources.blockIO"

#define MEMSW "memory.memsw.limit_in_bytes"

/* update + checkBeforeUpdate: refuse a limit below the current usage
 * instead of letting the kernel (v1: EBUSY) or the OOM killer (v2) act. */
int cg_check_before_update(const char *dir, const char *usage_file, const oci_memory *m,
			   hull_error **err)
{
	int64_t usage;

	if (!m->check_before_update || !CG_SET(m, limit) || m->limit < 0 ||
	    cg_read_i64(dir, usage_file, &usage) < 0)
		return 0;
	if (usage > m->limit)
		return hull_fail(err, EBUSY,
				 MEM ".limit: %" PRId64 " is below the current usage of %" PRId64
				     " (%s/%s; checkBeforeUpdate is set)",
				 m->limit, usage, dir, usage_file);
	return 0;
}

/* limit and swap (memory+swap): the kernel wants memsw >= limit at every
 * step, so which goes first depends on the direction. */
static int v1_limit_and_swap(const char *dir, const oci_memory *m, hull_error **err)
{
	bool has_limit = CG_SET(m, limit), has_swap = CG_SET(m, swap);
	int64_t swap = m->swap, cur;
	bool memsw = cg_exists(dir, MEMSW), swap_first;

	/* unlimited memory without a swap value: unlimited memory+swap too,
	 * or the kernel refuses the limit */
	if (has_limit && m->limit == -1 && !has_swap && memsw) {
		has_swap = true;
		swap = -1;
	}
	if (has_swap && !memsw && swap == -1)
		has_swap = false; /* nothing to lift */
	if (has_swap && has_limit && swap != -1 && m->limit == -1)
		return hull_fail(err, EINVAL,
				 MEM ".swap: %" PRId64 " limits memory+swap, but limit is -1 "
				     "(unlimited): a finite swap needs a finite limit",
				 swap);
	if (has_swap && has_limit && swap != -1 && swap < m->limit)
		return hull_fail(err, EINVAL,
				 MEM ".swap: %" PRId64 " is below limit (%" PRId64
				     "): swap is the limit of memory+swap",
				 swap, m->limit);
	if (!has_swap)
		return has_limit ? cg_writef(dir, "memory.limit_in_bytes", MEM ".limit", err,
					     "%" PRId64, m->limit)
				 : 0;
	swap_first =
	    has_limit && (m->limit == -1 || (cg_read_i64(dir, MEMSW, &cur) == 0 && m->limit > cur));
	if (!swap_first && has_limit &&
	    cg_writef(dir, "memory.limit_in_bytes", MEM ".limit", err, "%" PRId64, m->limit) < 0)
		return -1;
	if (cg_writef(dir, MEMSW, MEM ".swap", err, "%" PRId64, swap) < 0)
		return -1;
	if (swap_first &&
	    cg_writef(dir, "memory.limit_in_bytes", MEM ".limit", err, "%" PRId64, m->limit) < 0)
		return -1;
	return 0;
}

/* Since Linux 5.16 the kernel takes a kmem limit and keeps none: say so
 * rather than pretend it holds. */
static int v1_kernel(const char *dir, int64_t limit, hull_error **err)
{
	int64_t now;

	if (cg_writef(dir, "memory.kmem.limit_in_bytes", MEM ".kernel", err, "%" PRId64, limit) < 0)
		return -1;
	if (limit > 0 && cg_read_i64(dir, "memory.kmem.limit_in_bytes", &now) == 0 && now > limit)
		hull_warn(MEM ".kernel: ignored by this kernel (memory.kmem.limit_in_bytes stays "
			      "unlimited since Linux 5.16)");
	return 0;
}

int cg_v1_memory(const char *dir, const oci_memory *m, bool update, hull_error **err)
{
	if (update && cg_check_before_update(dir, "memory.usage_in_bytes", m, err) < 0)
		return -1;
	if (v1_limit_and_swap(dir, m, err) < 0)
		return -1;
	if (CG_SET(m, reservation) &&
	    cg_writef(dir, "memory.soft_limit_in_bytes", MEM ".reservation", err, "%" PRId64,
		      m->reservation) < 0)
		return -1;
	if (CG_SET(m, kernel) && v1_kernel(dir, m->kernel, err) < 0)
		return -1;
	if (CG_SET(m, kernel_tcp) &&
	    cg_writef(dir, "memory.kmem.tcp.limit_in_bytes", MEM ".kernelTCP", err, "%" PRId64,
		      m->kernel_tcp) < 0)
		return -1;
	if (m->swappiness_present) {
		if (m->swappiness > 100)
			return hull_fail(err, EINVAL,
					 MEM ".swappiness: expected 0 to 100, got %" PRIu64,
					 m->swappiness);
		if (cg_writef(dir, "memory.swappiness", MEM ".swappiness", err, "%" PRIu64,
			      m->swappiness) < 0)
			return -1;
	}
	if (m->disable_oom_killer_present &&
	    cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
		     MEM ".disableOOMKiller", err) < 0)
		return -1;
	if (m->use_hierarchy_present &&
	    cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", MEM ".useHierarchy",
		     err) < 0)
		return -1;
	return 0;
}

/* The kernel grants a child realtime runtime only out of its parent's;
 * new cgroups have none.  So the ancestors hull made get the same period
 * and runtime first, outermost first.  Ancestors hull did not make are
 * left alone: the error then names the file. */
static int v1_rt_one(const char *dir, const oci_cpu *c, hull_error **err)
{
	int64_t cur = 0;
	bool period = CG_SET(c, realtime_period), runtime = CG_SET(c, realtime_runtime);
	/* runtime <= period at every step */
	bool runtime_first = period && cg_read_i64(dir, "cpu.rt_runtime_us", &cur) == 0 &&
			     (uint64_t)cur > c->realtime_period;

	if (runtime_first && runtime &&
	    cg_writef(dir, "cpu.rt_runtime_us", CPU ".realtimeRuntime", err, "%" PRId64,
		      c->realtime_runtime) < 0)
		return -1;
	if (period && cg_writef(dir, "cpu.rt_period_us", CPU ".realtimePeriod", err, "%" PRIu64,
				c->realtime_period) < 0)
		return -1;
	if (!runtime_first && runtime &&
	    cg_writef(dir, "cpu.rt_runtime_us", CPU ".realtimeRuntime", err, "%" PRId64,
		      c->realtime_runtime) < 0)
		return -1;
	return 0;
}

static int v1_realtime(const hull_cgroup *cg, const char *dir, const oci_cpu *c, hull_error **err)
{
	size_t len = strlen(dir);

	if (!CG_SET(c, realtime_period) && !CG_SET(c, realtime_runtime))
		return 0;
	for (char **a = cg->created; a && *a; a++) {
		size_t alen = strlen(*a);
		if (alen < len && strncmp(*a, dir, alen) == 0 && dir[alen] == '/' &&
		    v1_rt_one(*a, c, err) < 0)
			return -1;
	}
	return v1_rt_one(dir, c, err);
}

/* quota and burst: the kernel checks burst <= quota on every write. */
static int v1_quota_burst(const char *dir, const oci_cpu *c, hull_error **err)
{
	int64_t cur_burst = 0;
	bool burst_first = c->burst_present && CG_SET(c, quota) && c->quota > 0 &&
			   cg_read_i64(dir, "cpu.cfs_burst_us", &cur_burst) == 0 &&
			   cur_burst > c->quota;

	if (burst_first &&
	    cg_writef(dir, "cpu.cfs_burst_us", CPU ".burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	if (CG_SET(c, quota) &&
	    cg_writef(dir, "cpu.cfs_quota_us", CPU ".quota", err, "%" PRId64, c->quota) < 0)
		return -1;
	if (!burst_first && c->burst_present &&
	    cg_writef(dir, "cpu.cfs_burst_us", CPU ".burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	return 0;
}

int cg_v1_cpu(const hull_cgroup *cg, const char *dir, const oci_cpu *c, hull_error **err)
{
	if (CG_SET(c, shares) &&
	    cg_writef(dir, "cpu.shares", CPU ".shares", err, "%" PRIu64, c->shares) < 0)
		return -1;
	if (CG_SET(c, period) &&
	    cg_writef(dir, "cpu.cfs_period_us", CPU ".period", err, "%" PRIu64, c->period) < 0)
		return -1;
	if (v1_quota_burst(dir, c, err) < 0 || v1_realtime(cg, dir, c, err) < 0)
		return -1;
	if (c->idle_present &&
	    cg_writef(dir, "cpu.idle", CPU ".idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	return 0;
}

static int throttle_list(const char *dir, const char *file, const char *field,
			 oci_throttle_device **v, size_t n, hull_error **err)
{
	char f[96];

	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), BLK ".%s[%zu]", field, i);
		if (cg_writef(dir, file, f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, v[i]->major,
			      v[i]->minor, v[i]->rate) < 0)
			return -1;
	}
	return 0;
}

/* blkio.weight went away with CFQ; BFQ has blkio.bfq.weight (same range
 * but 1-1000), which hull uses when the first is missing. */
static const char *v1_weight_file(const char *dir, bool device)
{
	if (cg_exists(dir, device ? "blkio.weight_device" : "blkio.weight") ||
	    !cg_exists(dir, device ? "blkio.bfq.weight_device" : "blkio.bfq.weight"))
		return device ? "blkio.weight_device" : "blkio.weight";
	return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int v1_weight_devices(const char *dir, const oci_block_io *b, hull_error **err)
{
	char f[96];

	for (size_t i = 0; i < b->weight_device_len; i++) {
		const oci_weight_device *w = b->weight_device[i];
		snprintf(f, sizeof(f), BLK ".weightDevice[%zu]", i);
		if (!w->weight_present && !w->leaf_weight_present)
			return hull_fail(err, EINVAL, "%s: needs weight or leafWeight", f);
		if (w->weight_present &&
		    cg_writef(dir, v1_weight_file(dir, true), f, err, "%" PRId64 ":%" PRId64 " %u",
			      w->major, w->minor, (unsigned)w->weight) < 0)
			return -1;
		if (w->leaf_weight_present &&
		    cg_writef(dir, "blkio.leaf_weight_device", f, err, "%" PRId64 ":%" PRId64 " %u",
			      w->major, w->minor, (unsigned)w->leaf_weight) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_blkio(const char *dir, const oci_block_io *b, hull_error **err)
{
	if (CG_SET(b, weight) && cg_writef(dir, v1_weight_file(dir, false), BLK ".weight", err,
					   "%u", (unsigned)b->weight) < 0)
		return -1;
	if (CG_SET(b, leaf_weight) && cg_writef(dir, "blkio.leaf_weight", BLK ".leafWeight", err,
						"%u", (unsigned)b->leaf_weight) < 0)
		return -1;
	if (v1_weight_devices(dir, b, err) < 0)
		return -1;
	if (throttle_list(dir, "blkio.throttle.read_bps_device", "throttleReadBpsDevice",
			  b->throttle_read_bps_device, b->throttle_read_bps_device_len, err) < 0 ||
	    throttle_list(dir, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice",
			  b->throttle_write_bps_device, b->throttle_write_bps_device_len,
			  err) < 0 ||
	    throttle_list(dir, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice",
			  b->throttle_read_iops_device, b->throttle_read_iops_device_len,
			  err) < 0 ||
	    throttle_list(dir, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice",
			  b->throttle_write_iops_device, b->throttle_write_iops_device_len,
			  err) < 0)
		return -1;
	return 0;
}

int cg_v1_net_cls(const char *dir, const oci_network *n, hull_error **err)
{
	return cg_writef(dir, "net_cls.classid", "linux.resources.network.classID", err, "%u",
			 (unsigned)n->class_id);
}

int cg_v1_net_prio(const char *dir, const oci_network *n, hull_error **err)
{
	char f[96];

	for (size_t i = 0; i < n->priorities_len; i++) {
		snprintf(f, sizeof(f), "linux.resources.network.priorities[%zu]", i);
		if (cg_writef(dir, "net_prio.ifpriomap", f, err, "%s %u", n->priorities[i]->name,
			      (unsigned)n->priorities[i]->priority) < 0)
			return -1;
	}
	return 0;
}

int cg_cpuset(const char *dir, const oci_cpu *c, hull_error **err)
{
	/* mems first: a v1 cpuset with cpus but no mems takes no tasks */
	if (c->mems && *c->mems && cg_write(dir, "cpuset.mems", c->mems, CPU ".mems", err) < 0)
		return -1;
	if (c->cpus && *c->cpus && cg_write(dir, "cpuset.cpus", c->cpus, CPU ".cpus", err) < 0)
		return -1;
	return 0;
}

int cg_pids(const char *dir, const oci_pids *p, hull_error **err)
{
	/* 0 is "no limit" to engines, as is any negative value */
	if (p->limit == 0)
		return 0;
	if (p->limit < 0)
		return cg_write(dir, "pids.max", "max", "linux.resources.pids.limit", err);
	return cg_writef(dir, "pids.max", "linux.resources.pids.limit", err, "%" PRId64, p->limit);
}

/* "2MB": digits and KB, MB, GB, TB as the kernel names its files. */
static bool page_size_ok(const char *s)
{
	const char *p = s;

	while (isdigit((unsigned char)*p))
		p++;
	return p > s && strchr("KMGT", p[0]) && p[0] && p[1] == 'B' && !p[2];
}

/* The huge page sizes this cgroup has files for, for the error. */
static char *hugetlb_sizes(const char *dir, bool v2)
{
	cleanup_closedir DIR *d = opendir(dir);
	const char *suffix = v2 ? ".max" : ".limit_in_bytes";
	char *out = xstrdup("");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name), s = strlen(suffix);
		if (strncmp(de->d_name, "hugetlb.", 8) || n <= 8 + s ||
		    !streq(de->d_name + n - s, suffix) || strstr(de->d_name, ".rsvd."))
			continue;
		char *next =
		    xasprintf("%s%s%.*s", out, *out ? ", " : "", (int)(n - 8 - s), de->d_name + 8);
		free(out);
		out = next;
	}
	return out;
}

/* The limit goes to the page-fault file and, where the kernel has
 * reservation accounting (5.7), to the reservation file as well: limits
 * then hold at mmap() time, as config-linux.md prefers. */
int cg_hugetlb(const char *dir, bool v2, const oci_hugepage_limit *h, size_t i, hull_error **err)
{
	cleanup_free char *file = NULL, *rsvd = NULL, *sizes = NULL;
	char f[96];

	snprintf(f, sizeof(f), "linux.resources.hugepageLimits[%zu]", i);
	if (!page_size_ok(h->page_size))
		return hull_fail(err, EINVAL,
				 "%s.pageSize: expected a size like 2MB or 1GB, got \"%s\"", f,
				 h->page_size);
	file = xasprintf("hugetlb.%s.%s", h->page_size, v2 ? "max" : "limit_in_bytes");
	rsvd = xasprintf("hugetlb.%s.rsvd.%s", h->page_size, v2 ? "max" : "limit_in_bytes");
	if (!cg_exists(dir, file)) {
		sizes = hugetlb_sizes(dir, v2);
		return hull_fail(err, ENOTSUP,
				 "%s.pageSize: no %s huge pages on this host (%s/%s does not "
				 "exist; sizes here: %s)",
				 f, h->page_size, dir, file, *sizes ? sizes : "none");
	}
	if (cg_writef(dir, file, f, err, "%" PRIu64, h->limit) < 0)
		return -1;
	if (cg_exists(dir, rsvd) && cg_writef(dir, rsvd, f, err, "%" PRIu64, h->limit) < 0)
		return -1;
	return 0;
}

int cg_rdma(const char *dir, const oci_rdma_map *r, hull_error **err)
{
	char f[128];

	for (size_t i = 0; i < r->len; i++) {
		const oci_rdma *v = r->values[i];
		char handles[32] = "", objects[32] = "";

		snprintf(f, sizeof(f), "linux.resources.rdma[\"%s\"]", r->keys[i]);
		if (!v->hca_handles_present && !v->hca_objects_present)
			return hull_fail(err, EINVAL, "%s: needs hcaHandles or hcaObjects", f);
		if (v->hca_handles_present)
			snprintf(handles, sizeof(handles), " hca_handle=%u",
				 (unsigned)v->hca_handles);
		if (v->hca_objects_present)
			snprintf(objects, sizeof(objects), " hca_object=%u",
				 (unsigned)v->hca_objects);
		if (cg_writef(dir, "rdma.max", f, err, "%s%s%s", r->keys[i], handles, objects) < 0)
			return -1;
	}
	return 0;
}
