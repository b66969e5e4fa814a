/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "resources-ops.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *resources_file, *memory, *memory_swap, *memory_reservation, *kernel_memory,
    *kernel_memory_tcp, *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_runtime, *cpu_rt_period,
    *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight;

static const struct cli_opt update_opts[] = {
    {"resources", 'r', CLI_STRING, &resources_file, "FILE|-",
     "linux.resources JSON to apply (- for stdin); the flags below override it"},
    {"memory", 0, CLI_STRING, &memory, "BYTES", "memory limit (k, m, g suffixes; -1 unlimited)"},
    {"memory-swap", 0, CLI_STRING, &memory_swap, "BYTES", "memory+swap limit (-1 unlimited)"},
    {"memory-reservation", 0, CLI_STRING, &memory_reservation, "BYTES", "memory soft limit"},
    {"kernel-memory", 0, CLI_STRING, &kernel_memory, "BYTES", "kernel memory limit (v1)"},
    {"kernel-memory-tcp", 0, CLI_STRING, &kernel_memory_tcp, "BYTES",
     "kernel TCP buffer limit (v1)"},
    {"cpu-shares", 0, CLI_STRING, &cpu_shares, "N", "relative CPU weight (v2: cpu.weight)"},
    {"cpu-share", 0, CLI_STRING, &cpu_shares, "N", "the same (runc's spelling)"},
    {"cpu-quota", 0, CLI_STRING, &cpu_quota, "USEC", "CPU time per period (-1 unlimited)"},
    {"cpu-period", 0, CLI_STRING, &cpu_period, "USEC", "CFS period"},
    {"cpu-rt-runtime", 0, CLI_STRING, &cpu_rt_runtime, "USEC", "realtime runtime (v1)"},
    {"cpu-rt-period", 0, CLI_STRING, &cpu_rt_period, "USEC", "realtime period (v1)"},
    {"cpuset-cpus", 0, CLI_STRING, &cpuset_cpus, "LIST", "CPUs to run on (0-3,5)"},
    {"cpuset-mems", 0, CLI_STRING, &cpuset_mems, "LIST", "memory nodes to use"},
    {"pids-limit", 0, CLI_STRING, &pids_limit, "N", "maximum number of tasks (-1 unlimited)"},
    {"blkio-weight", 0, CLI_STRING, &blkio_weight, "N", "block I/O weight (10-1000)"},
    {0},
};

/* "512", "64k", "1.5g" is not: integers with an optional binary unit
 * (k, m, g, t, with or without a trailing b), or -1. */
static int parse_size(const char *flag, const char *s, int64_t *out, hull_error **err)
{
	char *end;
	long long v;
	int shift = 0;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno)
		goto bad;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		shift = 10;
		end++;
		break;
	case 'm':
		shift = 20;
		end++;
		break;
	case 'g':
		shift = 30;
		end++;
		break;
	case 't':
		shift = 40;
		end++;
		break;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || (v < 0 && (v != -1 || shift)) || (shift && v > (INT64_MAX >> shift)))
		goto bad;
	*out = (int64_t)v << shift;
	return 0;
bad:
	return hull_fail(err, EINVAL, "update: --%s: expected bytes (e.g. 512m) or -1, got \"%s\"",
			 flag, s);
}

static int parse_int(const char *flag, const char *s, int64_t min, int64_t *out, hull_error **err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < min)
		return hull_fail(err, EINVAL, "update: --%s: expected an integer%s, got \"%s\"",
				 flag, min >= 0 ? " >= 0" : "", s);
	*out = (int64_t)v;
	return 0;
}

static int read_resources(const char *path, oci_resources **out, hull_error **err)
{
	cleanup_free char *data = NULL, *perr = NULL;
	size_t len = 0;

	if (streq(path, "-")) {
		size_t cap = 4096;
		ssize_t n;
		data = xmalloc(cap);
		while ((n = read(0, data + len, cap - len)) > 0 || (n < 0 && errno == EINTR)) {
			if (n > 0 && (len += (size_t)n) == cap)
				data = xrealloc(data, cap *= 2);
		}
		if (n < 0)
			return hull_fail_errno(err, "update: read the resources from stdin");
		return hull_resources_parse(data, len, "stdin", out, err);
	}
	data = oci_read_file(path, OCI_MAX_FILE_SIZE, &len, &perr);
	if (!data)
		return hull_fail(err, errno, "update: --resources: %s", perr ? perr : path);
	return hull_resources_parse(data, len, path, out, err);
}

#define ENSURE(obj, type) ((obj) ? (obj) : ((obj) = xcalloc(1, sizeof(type))))

static int memory_flags(oci_resources *r, hull_error **err)
{
	const struct {
		const char *flag, *value;
		size_t off, present;
	} m[] = {
	    {"memory", memory, offsetof(oci_memory, limit), offsetof(oci_memory, limit_present)},
	    {"memory-swap", memory_swap, offsetof(oci_memory, swap),
	     offsetof(oci_memory, swap_present)},
	    {"memory-reservation", memory_reservation, offsetof(oci_memory, reservation),
	     offsetof(oci_memory, reservation_present)},
	    {"kernel-memory", kernel_memory, offsetof(oci_memory, kernel),
	     offsetof(oci_memory, kernel_present)},
	    {"kernel-memory-tcp", kernel_memory_tcp, offsetof(oci_memory, kernel_tcp),
	     offsetof(oci_memory, kernel_tcp_present)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		char *base;
		if (!m[i].value)
			continue;
		base = (char *)ENSURE(r->memory, oci_memory);
		if (parse_size(m[i].flag, m[i].value, (int64_t *)(base + m[i].off), err) < 0)
			return -1;
		*(bool *)(base + m[i].present) = true;
	}
	return 0;
}

static int cpu_flags(oci_resources *r, hull_error **err)
{
	int64_t v;

	if (cpu_shares || cpu_quota || cpu_period || cpu_rt_runtime || cpu_rt_period ||
	    cpuset_cpus || cpuset_mems)
		ENSURE(r->cpu, oci_cpu);
#define CPU_FLAG(flag, var, field, min)                                                            \
	if (var) {                                                                                 \
		if (parse_int(flag, var, min, &v, err) < 0)                                        \
			return -1;                                                                 \
		r->cpu->field = v;                                                                 \
		r->cpu->field##_present = true;                                                    \
	}
	CPU_FLAG("cpu-shares", cpu_shares, shares, 0)
	CPU_FLAG("cpu-quota", cpu_quota, quota, -1)
	CPU_FLAG("cpu-period", cpu_period, period, 0)
	CPU_FLAG("cpu-rt-runtime", cpu_rt_runtime, realtime_runtime, -1)
	CPU_FLAG("cpu-rt-period", cpu_rt_period, realtime_period, 0)
#undef CPU_FLAG
	if (cpuset_cpus) {
		free(r->cpu->cpus);
		r->cpu->cpus = xstrdup(cpuset_cpus);
	}
	if (cpuset_mems) {
		free(r->cpu->mems);
		r->cpu->mems = xstrdup(cpuset_mems);
	}
	return 0;
}

static int other_flags(oci_resources *r, hull_error **err)
{
	int64_t v;

	if (pids_limit) {
		if (parse_int("pids-limit", pids_limit, -1, &v, err) < 0)
			return -1;
		ENSURE(r->pids, oci_pids);
		r->pids->limit = v;
		r->pids->limit_present = true;
	}
	if (blkio_weight) {
		if (parse_int("blkio-weight", blkio_weight, 0, &v, err) < 0)
			return -1;
		if (v > 65535)
			return hull_fail(
			    err, EINVAL,
			    "update: --blkio-weight: %" PRId64 " is out of range (10-1000)", v);
		ENSURE(r->block_io, oci_block_io);
		r->block_io->weight = (uint16_t)v;
		r->block_io->weight_present = true;
	}
	return 0;
}

static int run_update(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	oci_resources *res = NULL;
	char **pos;
	int n, r;

	if (cli_parse(&cmd_update, update_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_update, "expected one container ID");
	if (resources_file ? read_resources(resources_file, &res, &err) < 0
			   : !(res = xcalloc(1, sizeof(*res))))
		goto fail;
	if (memory_flags(res, &err) < 0 || cpu_flags(res, &err) < 0 || other_flags(res, &err) < 0)
		goto fail;
	if (hull_container_update(ctx, pos[0], res, &err) < 0)
		goto fail;
	oci_resources_free(res);
	return 0;
fail:
	oci_resources_free(res);
	r = cli_fail(err);
	return r;
}

const struct cli_cmd cmd_update = {
    "update", "<container-id>", "Change the resource limits of a running container.", run_update};
