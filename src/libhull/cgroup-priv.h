/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_CGROUP_PRIV_H
#define HULL_CGROUP_PRIV_H

/*
 * Internals shared by cgroup*.c.  The split:
 *   cgroup-resources.c  walks linux.resources, picks per controller the
 *                       hierarchy (v1 or v2) and calls a writer; file I/O
 *                       helpers with the error format every writer uses
 *   cgroup-v1.c         the v1 writers (spec field -> v1 file, as is)
 *   cgroup-v2.c         the v2 writers, with every v1 -> v2 conversion in
 *                       one table at the top of the file
 *   cgroup-devices.c    the device list: v1 devices.allow/deny, v2 a BPF
 *                       program hull generates and attaches
 *   cgroup-stats.c      statistics for `events`
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroup.h"
#include "error.h"
#include "oci_types.h"

/* Is word one of the blank-separated words of s (cgroup.controllers)? */
bool cg_word_in(const char *s, const char *word);
/* ... one of the comma-separated words of list ("cpu,cpuacct")? */
bool cg_word_in_list(const char *list, const char *word);
bool hull_cgroup_was_created(const hull_cgroup *cg, const char *dir);
/* Fills cg->hier with the hierarchies this process sees (cgroup-discover.c). */
int cg_discover_hierarchies(hull_cgroup *cg, hull_error **err);
/* This process's cgroup in a hierarchy ("/" when /proc/self/cgroup lacks it). */
char *cg_own_path(const char *controllers, bool v2, hull_error **err);

/*
 * Writes value to dir/file.  A failure names the spec field, the value and
 * the file, and says why where the reason is known:
 *   linux.resources.memory.swap: write "1048576" to
 *   /sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes: Invalid argument
 *   (memory+swap must be at least the memory limit)
 */
int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     hull_error **err);
/* The halves of cg_write, for writing one file many times (the v1 device
 * list: one rule per write). */
int cg_open(const char *dir, const char *file, const char *field, hull_error **err);
int cg_write_fd(int fd, const char *dir, const char *file, const char *value, const char *field,
		hull_error **err);
int cg_writef(const char *dir, const char *file, const char *field, hull_error **err,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool cg_exists(const char *dir, const char *file);
/* NUL-terminated contents of dir/file; NULL (and errno) if unreadable. */
char *cg_read(const char *dir, const char *file);
/* A number file; "max" reads as INT64_MAX.  -1 if unreadable. */
int cg_read_i64(const char *dir, const char *file, int64_t *v);
/* "key value" lines (memory.stat, cpu.stat, memory.events): the value. */
int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *v);

/* Engines write 0 for "not set" in numeric fields where 0 is no usable
 * value (memory limits, shares, quota, period, weights); runc and crun skip
 * those zeros, and so does hull. */
#define CG_SET(obj, f) ((obj)->f##_present && (obj)->f != 0)

/* Fields are joined to their object's path: "linux.resources.memory" +
 * "limit".  The path is a caller's buffer. */
#define CG_FIELD(buf, obj, name) (snprintf((buf), sizeof(buf), "%s.%s", (obj), (name)), (buf))

/* v1 writers: spec values go to the v1 files as they are. */
/* update with memory.checkBeforeUpdate: limit below usage_file -> error. */
int cg_check_before_update(const char *dir, const char *usage_file, const oci_memory *m,
			   hull_error **err);
int cg_v1_memory(const char *dir, const oci_memory *m, bool update, hull_error **err);
int cg_v1_cpu(const hull_cgroup *cg, const char *dir, const oci_cpu *c, hull_error **err);
int cg_v1_blkio(const char *dir, const oci_block_io *b, hull_error **err);
int cg_v1_net_cls(const char *dir, const oci_network *n, hull_error **err);
int cg_v1_net_prio(const char *dir, const oci_network *n, hull_error **err);

/* v2 writers, converting where the spec's fields are v1 notions. */
int cg_v2_require(const char *dir, const char *controller, const char *field, hull_error **err);
int cg_v2_memory(const char *dir, const oci_memory *m, bool update, hull_error **err);
int cg_v2_cpu(const char *dir, const oci_cpu *c, hull_error **err);
int cg_v2_io(const char *dir, const oci_block_io *b, hull_error **err);
int cg_v2_unified(const char *dir, const char *mountpoint, const oci_string_map *u,
		  hull_error **err);
/* v2 shares, exported for `update --cpu-shares` on v2 and for tests. */
uint64_t cg_v2_weight_from_shares(uint64_t shares);
uint64_t cg_v2_io_weight_from_blkio(uint64_t weight);

/* Same files on both versions (only the names of hugetlb's differ). */
int cg_cpuset(const char *dir, const oci_cpu *c, hull_error **err);
int cg_pids(const char *dir, const oci_pids *p, hull_error **err);
int cg_hugetlb(const char *dir, bool v2, const oci_hugepage_limit *h, size_t i, hull_error **err);
int cg_rdma(const char *dir, const oci_rdma_map *r, hull_error **err);

/* The device list (create only; update leaves it as it is, like runc). */
int cg_devices_apply(hull_cgroup *cg, const oci_resources *res, hull_error **err);

#endif
