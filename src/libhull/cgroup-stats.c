/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Statistics for `events`: cpu, memory, pids, blkio and hugetlb, read from
 * whichever hierarchy holds each controller, as one JSON object in the
 * shape runc's `events` prints (times in nanoseconds, sizes in bytes, an
 * unlimited limit as 0 for pids and as the kernel's number elsewhere).
 * On v2 "swap" is swap alone (memory.swap.*), on v1 memory+swap.
 */
#include "config.h"
#include "cgroup-priv.h"
#include "utils.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct json {
	char *buf;
	size_t len, cap;
	bool comma;
};

static void j_raw(struct json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void j_raw(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(j->buf ? j->buf + j->len : NULL, j->buf ? j->cap - j->len : 0, fmt,
			      ap);
		va_end(ap);
		if (j->buf && (size_t)n < j->cap - j->len)
			break;
		j->cap = (j->cap + (size_t)n + 1) * 2;
		j->buf = xrealloc(j->buf, j->cap);
	}
	j->len += (size_t)n;
}

static void j_key(struct json *j, const char *key)
{
	if (j->comma)
		j_raw(j, ",");
	if (key)
		j_raw(j, "\"%s\":", key);
	j->comma = true;
}

static void j_open(struct json *j, const char *key, char c)
{
	j_key(j, key);
	j_raw(j, "%c", c);
	j->comma = false;
}

static void j_close(struct json *j, char c)
{
	j_raw(j, "%c", c);
	j->comma = true;
}

static void j_u64(struct json *j, const char *key, uint64_t v)
{
	j_key(j, key);
	j_raw(j, "%" PRIu64, v);
}

/* A number file, 0 if absent; "max" reads as 0 when max0 is set. */
static uint64_t num(const char *dir, const char *file, bool max0)
{
	int64_t v;

	if (cg_read_i64(dir, file, &v) < 0 || v < 0)
		return 0;
	return max0 && v == INT64_MAX ? 0 : (uint64_t)v;
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
	uint64_t v = 0;

	cg_read_keyed(dir, file, key, &v);
	return v;
}

static void cpu_v1(struct json *j, const char *acct, const char *cpu)
{
	cleanup_free char *percpu = acct ? cg_read(acct, "cpuacct.usage_percpu") : NULL;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;

	j_open(j, "usage", '{');
	if (acct) {
		j_u64(j, "total", num(acct, "cpuacct.usage", false));
		j_open(j, "percpu", '[');
		for (char *p = percpu, *end; p && *p; p = end) {
			uint64_t v = strtoull(p, &end, 10);
			if (end == p)
				break;
			j_u64(j, NULL, v);
		}
		j_close(j, ']');
		/* cpuacct.stat counts USER_HZ ticks */
		j_u64(j, "kernel", keyed(acct, "cpuacct.stat", "system") * tick);
		j_u64(j, "user", keyed(acct, "cpuacct.stat", "user") * tick);
	}
	j_close(j, '}');
	j_open(j, "throttling", '{');
	if (cpu) {
		j_u64(j, "periods", keyed(cpu, "cpu.stat", "nr_periods"));
		j_u64(j, "throttledPeriods", keyed(cpu, "cpu.stat", "nr_throttled"));
		j_u64(j, "throttledTime", keyed(cpu, "cpu.stat", "throttled_time"));
	}
	j_close(j, '}');
}

static void cpu_v2(struct json *j, const char *dir)
{
	j_open(j, "usage", '{');
	j_u64(j, "total", keyed(dir, "cpu.stat", "usage_usec") * 1000);
	j_u64(j, "kernel", keyed(dir, "cpu.stat", "system_usec") * 1000);
	j_u64(j, "user", keyed(dir, "cpu.stat", "user_usec") * 1000);
	j_close(j, '}');
	j_open(j, "throttling", '{');
	j_u64(j, "periods", keyed(dir, "cpu.stat", "nr_periods"));
	j_u64(j, "throttledPeriods", keyed(dir, "cpu.stat", "nr_throttled"));
	j_u64(j, "throttledTime", keyed(dir, "cpu.stat", "throttled_usec") * 1000);
	j_close(j, '}');
}

static void cpu_stats(struct json *j, hull_cgroup *cg)
{
	bool v2 = false;
	const char *acct = hull_cgroup_dir(cg, "cpuacct", NULL);
	const char *cpu = hull_cgroup_dir(cg, "cpu", &v2);

	j_open(j, "cpu", '{');
	if (acct || (cpu && !v2))
		cpu_v1(j, acct, cpu && !v2 ? cpu : NULL);
	else if ((cpu = hull_cgroup_dir(cg, "", &v2)) && v2)
		cpu_v2(j, cpu); /* cpu.stat's usage is there without the controller */
	j_close(j, '}');
}

/* memory.stat as "raw": every "key value" line. */
static void raw_stat(struct json *j, const char *dir)
{
	cleanup_free char *data = cg_read(dir, "memory.stat");
	char *save = NULL;

	j_open(j, "raw", '{');
	for (char *l = data ? strtok_r(data, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		j_u64(j, l, strtoull(sp + 1, NULL, 10));
	}
	j_close(j, '}');
}

static void mem_entry(struct json *j, const char *key, const char *dir, const char *usage,
		      const char *max, const char *limit, uint64_t failcnt)
{
	j_open(j, key, '{');
	j_u64(j, "usage", num(dir, usage, false));
	j_u64(j, "max", max ? num(dir, max, false) : 0);
	j_u64(j, "limit", num(dir, limit, false));
	j_u64(j, "failcnt", failcnt);
	j_close(j, '}');
}

static void memory_stats(struct json *j, hull_cgroup *cg, uint64_t *oom)
{
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "memory", &v2);

	j_open(j, "memory", '{');
	if (dir && !v2) {
		j_u64(j, "cache", keyed(dir, "memory.stat", "cache"));
		mem_entry(j, "usage", dir, "memory.usage_in_bytes", "memory.max_usage_in_bytes",
			  "memory.limit_in_bytes", num(dir, "memory.failcnt", false));
		mem_entry(j, "swap", dir, "memory.memsw.usage_in_bytes",
			  "memory.memsw.max_usage_in_bytes", "memory.memsw.limit_in_bytes",
			  num(dir, "memory.memsw.failcnt", false));
		mem_entry(j, "kernel", dir, "memory.kmem.usage_in_bytes",
			  "memory.kmem.max_usage_in_bytes", "memory.kmem.limit_in_bytes",
			  num(dir, "memory.kmem.failcnt", false));
		raw_stat(j, dir);
		*oom = keyed(dir, "memory.oom_control", "oom_kill");
	} else if (dir) {
		j_u64(j, "cache", keyed(dir, "memory.stat", "file"));
		mem_entry(j, "usage", dir, "memory.current",
			  cg_exists(dir, "memory.peak") ? "memory.peak" : NULL, "memory.max",
			  keyed(dir, "memory.events", "max"));
		mem_entry(j, "swap", dir, "memory.swap.current",
			  cg_exists(dir, "memory.swap.peak") ? "memory.swap.peak" : NULL,
			  "memory.swap.max", keyed(dir, "memory.swap.events", "max"));
		raw_stat(j, dir);
		*oom = keyed(dir, "memory.events", "oom_kill");
	}
	j_close(j, '}');
}

static void pids_stats(struct json *j, hull_cgroup *cg)
{
	const char *dir = hull_cgroup_dir(cg, "pids", NULL);

	j_open(j, "pids", '{');
	if (dir) {
		j_u64(j, "current", num(dir, "pids.current", false));
		j_u64(j, "limit", num(dir, "pids.max", true));
	}
	j_close(j, '}');
}

static void blk_entry(struct json *j, unsigned maj, unsigned min, const char *op, uint64_t v)
{
	j_open(j, NULL, '{');
	j_u64(j, "major", maj);
	j_u64(j, "minor", min);
	j_key(j, "op");
	j_raw(j, "\"%s\"", op);
	j_u64(j, "value", v);
	j_close(j, '}');
}

/* v1: "MAJ:MIN Op N" lines ("Total N" skipped). */
static void blk_v1_list(struct json *j, const char *key, const char *dir, const char *file)
{
	cleanup_free char *data = cg_read(dir, file);
	char *save = NULL;

	j_open(j, key, '[');
	for (char *l = data ? strtok_r(data, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[16];
		uint64_t v;
		if (sscanf(l, "%u:%u %15s %" SCNu64, &maj, &min, op, &v) == 4)
			blk_entry(j, maj, min, op, v);
	}
	j_close(j, ']');
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." */
static void blk_v2_list(struct json *j, const char *key, const char *dir, const char *rk,
			const char *wk)
{
	cleanup_free char *data = cg_read(dir, "io.stat");
	char *save = NULL;

	j_open(j, key, '[');
	for (char *l = data ? strtok_r(data, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		const char *r = strstr(l, rk), *w = strstr(l, wk);
		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		blk_entry(j, maj, min, "Read", r ? strtoull(r + strlen(rk), NULL, 10) : 0);
		blk_entry(j, maj, min, "Write", w ? strtoull(w + strlen(wk), NULL, 10) : 0);
	}
	j_close(j, ']');
}

static void blkio_stats(struct json *j, hull_cgroup *cg)
{
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "blkio", NULL);

	j_open(j, "blkio", '{');
	if (dir) {
		blk_v1_list(j, "ioServiceBytesRecursive", dir,
			    "blkio.throttle.io_service_bytes_recursive");
		blk_v1_list(j, "ioServicedRecursive", dir, "blkio.throttle.io_serviced_recursive");
	} else if ((dir = hull_cgroup_dir(cg, "io", &v2)) && v2) {
		blk_v2_list(j, "ioServiceBytesRecursive", dir, "rbytes=", "wbytes=");
		blk_v2_list(j, "ioServicedRecursive", dir, "rios=", "wios=");
	}
	j_close(j, '}');
}

static void hugetlb_stats(struct json *j, hull_cgroup *cg)
{
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "hugetlb", &v2);
	cleanup_closedir DIR *d = dir ? opendir(dir) : NULL;
	const char *suffix = v2 ? ".max" : ".limit_in_bytes";
	struct dirent *de;

	j_open(j, "hugetlb", '{');
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name), s = strlen(suffix);
		if (strncmp(de->d_name, "hugetlb.", 8) || n <= 8 + s ||
		    strstr(de->d_name, ".rsvd.") || !streq(de->d_name + n - s, suffix))
			continue;
		cleanup_free char *size = xstrndup(de->d_name + 8, n - 8 - s);
		cleanup_free char *usage =
		    xasprintf("hugetlb.%s.%s", size, v2 ? "current" : "usage_in_bytes");
		cleanup_free char *max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		cleanup_free char *fail =
		    xasprintf("hugetlb.%s.%s", size, v2 ? "events" : "failcnt");
		j_open(j, size, '{');
		j_u64(j, "usage", num(dir, usage, false));
		j_u64(j, "max", v2 ? 0 : num(dir, max, false));
		j_u64(j, "failcnt", v2 ? keyed(dir, fail, "max") : num(dir, fail, false));
		j_close(j, '}');
	}
	j_close(j, '}');
}

int hull_cgroup_stats(hull_cgroup *cg, char **json, uint64_t *oom_kills, hull_error **err)
{
	struct json j = {0};
	uint64_t oom = 0;

	(void)err;
	j_open(&j, NULL, '{');
	cpu_stats(&j, cg);
	memory_stats(&j, cg, &oom);
	pids_stats(&j, cg);
	blkio_stats(&j, cg);
	hugetlb_stats(&j, cg);
	j_close(&j, '}');
	*json = j.buf;
	if (oom_kills)
		*oom_kills = oom;
	return 0;
}
