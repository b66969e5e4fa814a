/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 writers.  linux.resources speaks cgroup v1; this is the one
 * place where its fields become v2 files.  The conversions:
 *
 *  spec field            v1 file (as is)             v2 file, conversion
 *  --------------------  --------------------------  ---------------------------------
 *  memory.limit          memory.limit_in_bytes       memory.max; -1 -> "max"
 *  memory.reservation    memory.soft_limit_in_bytes  memory.low; -1 -> "max"
 *  memory.swap           memory.memsw.limit_in_bytes memory.swap.max = swap - limit:
 *                        (memory + swap)             v2 limits swap alone; -1 -> "max";
 *                                                    needs a limit (from the object or
 *                                                    memory.max); swap < limit: error
 *  memory.kernel         memory.kmem.limit_in_bytes  none: v2 charges kernel memory to
 *  memory.kernelTCP      memory.kmem.tcp.limit_...   memory.max; ignored with a warning
 *  memory.swappiness     memory.swappiness           none: error
 *  memory.disableOOMKiller memory.oom_control        none: true is an error
 *  memory.useHierarchy   memory.use_hierarchy        v2 is always hierarchical: false
 *                                                    is an error
 *  memory.checkBeforeUpdate (update)                 compared with memory.current
 *  cpu.shares            cpu.shares [2, 262144]      cpu.weight [1, 10000]:
 *                                                    1 + (shares - 2) * 9999 / 262142
 *                                                    (shares clamped to the v1 range
 *                                                    first, as the v1 kernel does)
 *  cpu.quota, cpu.period cpu.cfs_quota_us, _period   cpu.max "QUOTA PERIOD"; -1 -> "max";
 *                                                    the half not given is kept
 *  cpu.burst             cpu.cfs_burst_us            cpu.max.burst
 *  cpu.realtimeRuntime,  cpu.rt_runtime_us,          none: v2 has no realtime group
 *  cpu.realtimePeriod    cpu.rt_period_us            scheduling; error
 *  cpu.idle              cpu.idle                    cpu.idle
 *  cpu.cpus, cpu.mems    cpuset.cpus, cpuset.mems    the same files
 *  blockIO.weight        blkio.weight [10, 1000]     io.weight "default W" [1, 10000]:
 *                                                    1 + (weight - 10) * 9999 / 990;
 *                                                    without io.weight, io.bfq.weight
 *                                                    takes the v1 value as it is
 *  blockIO.leafWeight    blkio.leaf_weight           none: error
 *  blockIO.weightDevice  blkio.weight_device         io.weight "MAJ:MIN W", converted
 *  blockIO.throttle*     blkio.throttle.*_device     io.max "MAJ:MIN rbps|wbps|riops|
 *                                                    wiops=RATE"; rate 0 -> "max"
 *  hugepageLimits        hugetlb.SIZE.limit_in_bytes hugetlb.SIZE.max (+ .rsvd.max)
 *  network.*             net_cls, net_prio           none: error (v1 only)
 *  pids.limit, rdma      pids.max, rdma.max          the same files
 *  unified               error on v1-only hosts      written as given, last
 *
 * Zeros in numeric limits mean "not set" on both versions (CG_SET).
 */
#include "config.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MEM "linux.resources.memory"
#define CPU "linux.resources.cpu"
#define BLK "linux.resources.blockIO"

uint64_t cg_v2_weight_from_shares(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_v2_io_weight_from_blkio(uint64_t weight)
{
	if (weight < 10)
		return 1;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int cg_v2_require(const char *dir, const char *controller, const char *field, hull_error **err)
{
	cleanup_free char *ctrls = cg_read(dir, "cgroup.controllers");

	if (ctrls && cg_word_in(ctrls, controller))
		return 0;
	return hull_fail(err, ENOTSUP,
			 "%s: the %s controller is not enabled for %s (%s/cgroup.controllers "
			 "lacks it: the parent's cgroup.subtree_control could not enable it)",
			 field, controller, dir, dir);
}

static void i64_or_max(char *buf, size_t n, int64_t v)
{
	if (v < 0)
		snprintf(buf, n, "max");
	else
		snprintf(buf, n, "%" PRId64, v);
}

/* swap is memory+swap in the spec, swap alone in memory.swap.max. */
static int v2_swap(const char *dir, const oci_memory *m, hull_error **err)
{
	int64_t limit = m->limit;
	char buf[32];

	if (!CG_SET(m, limit) && cg_read_i64(dir, "memory.max", &limit) < 0)
		limit = INT64_MAX;
	if (m->swap == -1)
		snprintf(buf, sizeof(buf), "max");
	else if (limit < 0 || limit == INT64_MAX)
		return hull_fail(err, EINVAL,
				 MEM ".swap: %" PRId64 " cannot be converted for cgroup v2 "
				     "without a memory limit (memory.swap.max = swap - limit)",
				 m->swap);
	else if (m->swap < limit)
		return hull_fail(err, EINVAL,
				 MEM ".swap: %" PRId64 " is below limit (%" PRId64
				     "): swap is the limit of memory+swap",
				 m->swap, limit);
	else
		snprintf(buf, sizeof(buf), "%" PRId64, m->swap - limit);
	/* no swap accounting: nothing to lift, but a limit cannot be kept */
	if (!cg_exists(dir, "memory.swap.max") && streq(buf, "max"))
		return 0;
	return cg_write(dir, "memory.swap.max", buf, MEM ".swap", err);
}

/* The v1-only memory knobs: refused, or ignored where v2 covers them. */
static int v2_memory_v1_only(const oci_memory *m, hull_error **err)
{
	if (CG_SET(m, kernel))
		hull_warn(MEM ".kernel: ignored: cgroup v2 counts kernel memory in memory.max");
	if (CG_SET(m, kernel_tcp))
		hull_warn(MEM ".kernelTCP: ignored: cgroup v2 counts TCP buffers in memory.max");
	if (m->swappiness_present)
		return hull_fail(err, ENOTSUP,
				 MEM ".swappiness: cgroup v2 has no per-cgroup swappiness "
				     "(memory.swappiness is v1 only)");
	if (m->disable_oom_killer_present && m->disable_oom_killer)
		return hull_fail(err, ENOTSUP,
				 MEM ".disableOOMKiller: cgroup v2 cannot turn the OOM killer off "
				     "(memory.oom_control is v1 only)");
	if (m->use_hierarchy_present && !m->use_hierarchy)
		return hull_fail(err, ENOTSUP,
				 MEM ".useHierarchy: cgroup v2 accounting is always hierarchical");
	return 0;
}

int cg_v2_memory(const char *dir, const oci_memory *m, bool update, hull_error **err)
{
	char buf[32];

	if (v2_memory_v1_only(m, err) < 0)
		return -1;
	if (update && cg_check_before_update(dir, "memory.current", m, err) < 0)
		return -1;
	if (CG_SET(m, limit)) {
		i64_or_max(buf, sizeof(buf), m->limit);
		if (cg_write(dir, "memory.max", buf, MEM ".limit", err) < 0)
			return -1;
	}
	if (CG_SET(m, swap) && v2_swap(dir, m, err) < 0)
		return -1;
	if (CG_SET(m, reservation)) {
		i64_or_max(buf, sizeof(buf), m->reservation);
		if (cg_write(dir, "memory.low", buf, MEM ".reservation", err) < 0)
			return -1;
	}
	return 0;
}

/* cpu.max holds quota and period together: keep the half not given. */
static int v2_cpu_max(const char *dir, const oci_cpu *c, hull_error **err)
{
	cleanup_free char *cur = cg_read(dir, "cpu.max");
	char quota[32] = "max";
	uint64_t period = 100000;
	const char *field = CG_SET(c, quota) ? CPU ".quota" : CPU ".period";

	if (cur) {
		char *sp = strchr(cur, ' ');
		if (sp) {
			*sp = '\0';
			period = strtoull(sp + 1, NULL, 10);
		}
		snprintf(quota, sizeof(quota), "%s", cur);
	}
	if (CG_SET(c, quota))
		i64_or_max(quota, sizeof(quota), c->quota);
	if (CG_SET(c, period))
		period = c->period;
	return cg_writef(dir, "cpu.max", field, err, "%s %" PRIu64, quota, period);
}

int cg_v2_cpu(const char *dir, const oci_cpu *c, hull_error **err)
{
	if (CG_SET(c, realtime_runtime) || CG_SET(c, realtime_period))
		return hull_fail(err, ENOTSUP,
				 CPU ".%s: cgroup v2 has no realtime group scheduling "
				     "(cpu.rt_runtime_us and cpu.rt_period_us are v1 only)",
				 CG_SET(c, realtime_runtime) ? "realtimeRuntime"
							     : "realtimePeriod");
	if (CG_SET(c, shares) && cg_writef(dir, "cpu.weight", CPU ".shares", err, "%" PRIu64,
					   cg_v2_weight_from_shares(c->shares)) < 0)
		return -1;
	/* the kernel wants burst <= quota at every step: a burst above the
	 * new quota goes first */
	int64_t cur_burst = 0;
	bool burst_first = c->burst_present && CG_SET(c, quota) && c->quota > 0 &&
			   cg_read_i64(dir, "cpu.max.burst", &cur_burst) == 0 &&
			   cur_burst > c->quota;

	if (burst_first &&
	    cg_writef(dir, "cpu.max.burst", CPU ".burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	if ((CG_SET(c, quota) || CG_SET(c, period)) && v2_cpu_max(dir, c, err) < 0)
		return -1;
	if (!burst_first && c->burst_present &&
	    cg_writef(dir, "cpu.max.burst", CPU ".burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	if (c->idle_present &&
	    cg_writef(dir, "cpu.idle", CPU ".idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	return 0;
}

/* io.weight when the kernel has the iocost/weight policy, else BFQ's
 * io.bfq.weight, which keeps the v1 scale. */
static int v2_weight(const char *dir, const char *dev, uint64_t w, const char *field,
		     hull_error **err)
{
	if (cg_exists(dir, "io.weight") || !cg_exists(dir, "io.bfq.weight"))
		return cg_writef(dir, "io.weight", field, err, "%s %" PRIu64, dev,
				 cg_v2_io_weight_from_blkio(w));
	return cg_writef(dir, "io.bfq.weight", field, err, "%s %" PRIu64, dev, w);
}

static int v2_io_max(const char *dir, const char *key, const char *field, oci_throttle_device **v,
		     size_t n, hull_error **err)
{
	char f[96];

	for (size_t i = 0; i < n; i++) {
		char rate[32];
		snprintf(f, sizeof(f), BLK ".%s[%zu]", field, i);
		if (v[i]->rate == 0)
			snprintf(rate, sizeof(rate), "max");
		else
			snprintf(rate, sizeof(rate), "%" PRIu64, v[i]->rate);
		if (cg_writef(dir, "io.max", f, err, "%" PRId64 ":%" PRId64 " %s=%s", v[i]->major,
			      v[i]->minor, key, rate) < 0)
			return -1;
	}
	return 0;
}

int cg_v2_io(const char *dir, const oci_block_io *b, hull_error **err)
{
	char f[96], dev[48];

	if (CG_SET(b, leaf_weight))
		return hull_fail(err, ENOTSUP,
				 BLK ".leafWeight: cgroup v2 has no leaf weights (v1 CFQ only)");
	if (CG_SET(b, weight) && v2_weight(dir, "default", b->weight, BLK ".weight", err) < 0)
		return -1;
	for (size_t i = 0; i < b->weight_device_len; i++) {
		const oci_weight_device *w = b->weight_device[i];
		snprintf(f, sizeof(f), BLK ".weightDevice[%zu]", i);
		if (w->leaf_weight_present)
			return hull_fail(err, ENOTSUP,
					 "%s.leafWeight: cgroup v2 has no leaf weights", f);
		if (!w->weight_present)
			return hull_fail(err, EINVAL, "%s: needs weight", f);
		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, w->major, w->minor);
		if (v2_weight(dir, dev, w->weight, f, err) < 0)
			return -1;
	}
	if (v2_io_max(dir, "rbps", "throttleReadBpsDevice", b->throttle_read_bps_device,
		      b->throttle_read_bps_device_len, err) < 0 ||
	    v2_io_max(dir, "wbps", "throttleWriteBpsDevice", b->throttle_write_bps_device,
		      b->throttle_write_bps_device_len, err) < 0 ||
	    v2_io_max(dir, "riops", "throttleReadIOPSDevice", b->throttle_read_iops_device,
		      b->throttle_read_iops_device_len, err) < 0 ||
	    v2_io_max(dir, "wiops", "throttleWriteIOPSDevice", b->throttle_write_iops_device,
		      b->throttle_write_iops_device_len, err) < 0)
		return -1;
	return 0;
}

/* Why a unified key has no file: controller missing from the tree, not
 * enabled for the container, or no such file at all. */
static int unified_missing(const char *dir, const char *mountpoint, const char *key,
			   const char *field, hull_error **err)
{
	cleanup_free char *ctrl = xstrndup(key, strcspn(key, "."));
	cleanup_free char *root = cg_read(mountpoint, "cgroup.controllers");
	cleanup_free char *mine = cg_read(dir, "cgroup.controllers");

	if (!streq(ctrl, "cgroup") && strchr(key, '.') && (!root || !cg_word_in(root, ctrl)))
		return hull_fail(
		    err, ENOTSUP,
		    "%s: the %s controller is not in the cgroup v2 tree at %s (%s lacks "
		    "it%s)",
		    field, ctrl, mountpoint, "cgroup.controllers",
		    hull_cgroup_host_layout() == HULL_CGROUP_HYBRID
			? "; on this hybrid host it is a v1 controller, or absent"
			: "");
	if (!streq(ctrl, "cgroup") && strchr(key, '.') && (!mine || !cg_word_in(mine, ctrl)))
		return cg_v2_require(dir, ctrl, field, err);
	return hull_fail(err, ENOENT, "%s: %s/%s does not exist", field, dir, key);
}

int cg_v2_unified(const char *dir, const char *mountpoint, const oci_string_map *u,
		  hull_error **err)
{
	char f[160];

	for (size_t i = 0; i < u->len; i++) {
		const char *key = u->keys[i];

		snprintf(f, sizeof(f), "linux.resources.unified[\"%.100s\"]", key);
		if (!*key || strchr(key, '/') || key[0] == '.')
			return hull_fail(err, EINVAL, "%s: not a cgroup file name", f);
		/* membership is the runtime's: these would move any host
		 * process into the container's cgroup */
		if (streq(key, "cgroup.procs") || streq(key, "cgroup.threads"))
			return hull_fail(err, EPERM,
					 "%s: the runtime decides which processes are in the "
					 "container's cgroup",
					 f);
		if (!cg_exists(dir, key))
			return unified_missing(dir, mountpoint, key, f, err);
		if (cg_write(dir, key, u->values[i], f, err) < 0)
			return -1;
	}
	return 0;
}
