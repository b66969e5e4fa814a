/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.resources.devices: the device list.  Deny everything, then the
 * spec's rules in order, then allow what the runtime itself must provide:
 * the default devices of config-linux.md (null, zero, full, random,
 * urandom, tty, ptmx and the pts slaves) and mknod of the linux.devices
 * nodes.  The defaults come after the user's rules because the spec says
 * the runtime MUST supply those devices, and a usual first rule is "deny
 * all".
 *
 * v1: "a" to devices.deny, then one line per rule to devices.allow or
 * devices.deny.  v2: a BPF_PROG_TYPE_CGROUP_DEVICE program generated here
 * and attached with plain bpf(2).  On a hybrid host the v1 controller is
 * the one in force and the program is attached to the unified cgroup as
 * well (same rules; failures there are only logged).
 *
 * The program's meaning is v1's: the last rule that matches decides; an
 * allow rule matches when it covers every access asked for, a deny rule
 * when it covers any; a whole-list rule ("a" with no numbers) resets what
 * came before, so rules before it are not even generated.
 */
#include "config.h"
#include "cgroup-priv.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEV "linux.resources.devices"

enum { ACC_M = BPF_DEVCG_ACC_MKNOD, ACC_R = BPF_DEVCG_ACC_READ, ACC_W = BPF_DEVCG_ACC_WRITE };
#define ACC_ALL (ACC_M | ACC_R | ACC_W)

struct dev_rule {
	bool allow;
	char type;	      /* 'a', 'c' or 'b' */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* ACC_* */
	long index;	      /* in linux.resources.devices; -1: hull's own */
};

struct dev_rules {
	struct dev_rule *v;
	size_t n;
};

static void add(struct dev_rules *r, bool allow, char type, int64_t major, int64_t minor,
		unsigned access, long index)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = (struct dev_rule){allow, type, major, minor, access, index};
}

static int parse_access(const char *s, size_t i, unsigned *out, hull_error **err)
{
	*out = 0;
	if (!s || !*s) {
		*out = ACC_ALL;
		return 0;
	}
	for (const char *p = s; *p; p++) {
		unsigned bit = *p == 'r' ? ACC_R : *p == 'w' ? ACC_W : *p == 'm' ? ACC_M : 0;
		if (!bit)
			return hull_fail(
			    err, EINVAL,
			    DEV "[%zu].access: expected letters of \"rwm\", got \"%s\"", i, s);
		*out |= bit;
	}
	return 0;
}

static int user_rules(const oci_resources *res, struct dev_rules *r, hull_error **err)
{
	for (size_t i = 0; i < res->devices_len; i++) {
		const oci_device_cgroup *d = res->devices[i];
		char type = d->type && *d->type ? d->type[0] : 'a';
		int64_t major = d->major_present && d->major >= 0 ? d->major : -1;
		int64_t minor = d->minor_present && d->minor >= 0 ? d->minor : -1;
		unsigned acc;

		if (parse_access(d->access, i, &acc, err) < 0)
			return -1;
		if (type == 'a' && (major >= 0 || minor >= 0)) {
			/* "all types" with numbers: the char and the block device */
			add(r, d->allow, 'c', major, minor, acc, (long)i);
			add(r, d->allow, 'b', major, minor, acc, (long)i);
		} else {
			add(r, d->allow, type, major, minor, acc, (long)i);
		}
	}
	return 0;
}

static void runtime_rules(const hull_cgroup *cg, struct dev_rules *r)
{
	static const struct {
		int64_t major, minor;
	} defaults[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, -1}};

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		add(r, true, 'c', defaults[i].major, defaults[i].minor, ACC_ALL, -1);
	if (!cg->device_nodes_set) {
		add(r, true, 'c', -1, -1, ACC_M, -1);
		add(r, true, 'b', -1, -1, ACC_M, -1);
		return;
	}
	for (size_t i = 0; i < cg->ndevice_nodes; i++) {
		const oci_device *d = cg->device_nodes[i];
		if (d->type[0] == 'p' || !d->major_present || !d->minor_present)
			continue; /* fifos are no devices to the cgroup */
		add(r, true, d->type[0] == 'b' ? 'b' : 'c', d->major, d->minor, ACC_M, -1);
	}
}

/* ---- v1 ---------------------------------------------------------------- */

static void rule_text(const struct dev_rule *d, char *buf, size_t n)
{
	char maj[24] = "*", min[24] = "*", acc[4] = "";
	size_t a = 0;

	if (d->type == 'a' && d->major < 0 && d->minor < 0) {
		snprintf(buf, n, "a");
		return;
	}
	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, d->minor);
	if (d->access & ACC_R)
		acc[a++] = 'r';
	if (d->access & ACC_W)
		acc[a++] = 'w';
	if (d->access & ACC_M)
		acc[a++] = 'm';
	acc[a] = '\0';
	snprintf(buf, n, "%c %s:%s %s", d->type, maj, min, acc);
}

static bool denies_all(const struct dev_rule *d)
{
	return !d->allow && d->type == 'a' && d->major < 0 && d->minor < 0 && d->access == ACC_ALL;
}

/* One rule per write, through one fd per file.  A leading deny-all rule
 * (every engine's config starts with one) repeats the "a" written first. */
static int v1_apply(const char *dir, const struct dev_rules *r, hull_error **err)
{
	cleanup_close int deny = cg_open(dir, "devices.deny", DEV, err), allow = -1;
	bool all_denied = true;
	char field[64], text[80];

	if (deny < 0 || cg_write_fd(deny, dir, "devices.deny", "a", DEV, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct dev_rule *d = &r->v[i];
		const char *file = d->allow ? "devices.allow" : "devices.deny";
		int *fd = d->allow ? &allow : &deny;

		if (all_denied && denies_all(d))
			continue;
		all_denied = false;
		rule_text(d, text, sizeof(text));
		if (d->index >= 0)
			snprintf(field, sizeof(field), DEV "[%ld]", d->index);
		else
			snprintf(field, sizeof(field), DEV " (runtime default)");
		if ((*fd < 0 && (*fd = cg_open(dir, file, field, err)) < 0) ||
		    cg_write_fd(*fd, dir, file, text, field, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- v2: the BPF program ------------------------------------------------- */

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* Registers: r1 the context, then r2 access, r3 type, r4 major, r5 minor;
 * r6 scratch; r0 the verdict (1 allow, 0 deny). */
enum { R0, R1, R2, R3, R4, R5, R6 };

static void emit_prologue(struct prog *p)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R2, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type),
	     0);
	emit(p, BPF_ALU | BPF_MOV | BPF_X, R3, R2, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, R3, 0, 0, 0xffff);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, R2, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R4, R1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R5, R1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
}

/* One rule: its tests jump past the block when they fail; the block ends
 * with "r0 = verdict; exit". */
static void emit_rule(struct prog *p, const struct dev_rule *d)
{
	size_t start = p->n;

	if (d->type != 'a')
		emit(p, BPF_JMP | BPF_JNE | BPF_K, R3, 0, 0,
		     d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if (d->major >= 0)
		emit(p, BPF_JMP | BPF_JNE | BPF_K, R4, 0, 0, (int32_t)d->major);
	if (d->minor >= 0)
		emit(p, BPF_JMP | BPF_JNE | BPF_K, R5, 0, 0, (int32_t)d->minor);
	if (d->access != ACC_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, R6, R2, 0, 0);
		/* allow: every asked bit covered; deny: any asked bit covered */
		emit(p, BPF_ALU | BPF_AND | BPF_K, R6, 0, 0,
		     (int32_t)(d->allow ? (~d->access & ACC_ALL) : d->access));
		emit(p, BPF_JMP | (d->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R6, 0, 0, 0);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, d->allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = start; i < p->n; i++)
		if (BPF_CLASS(p->v[i].code) == BPF_JMP && BPF_OP(p->v[i].code) != BPF_EXIT)
			p->v[i].off = (int16_t)(p->n - i - 1);
}

static bool whole_list(const struct dev_rule *d)
{
	return d->type == 'a' && d->major < 0 && d->minor < 0;
}

static void devices_program(const struct dev_rules *r, struct prog *p)
{
	size_t i = r->n;

	emit_prologue(p);
	/* last rule first: the first match in the program is the last in
	 * the list */
	while (i-- > 0) {
		emit_rule(p, &r->v[i]);
		if (whole_list(&r->v[i]))
			return;
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct prog *p, hull_error **err)
{
	static char log[4096];
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p->v;
	attr.insn_cnt = (uint32_t)p->n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "hull_devices");
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0 || errno != EINVAL)
		return fd >= 0 ? fd
			       : hull_fail_errno(err,
						 DEV ": load the device BPF program (%zu "
						     "instructions)",
						 p->n);
	/* again with the verifier's log, for the message */
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	return hull_fail_errno(err, DEV ": the kernel refused the device BPF program: %.300s", log);
}

/* The programs attached to the cgroup itself, to replace them. */
static size_t attached_programs(int cgfd, uint32_t *ids, size_t cap)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = (uint32_t)cap;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return 0;
	return attr.query.prog_cnt < cap ? attr.query.prog_cnt : cap;
}

static void detach(int cgfd, uint32_t id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	sys_bpf(BPF_PROG_DETACH, &attr);
	close(fd);
}

static int attach(int cgfd, int progfd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)progfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	return (int)sys_bpf(BPF_PROG_ATTACH, &attr);
}

/* Attach the new program, then detach what was there before (a reused
 * cgroup): the device list is never open in between. */
static int v2_apply(const char *dir, const struct dev_rules *r, hull_error **err)
{
	struct prog p = {0};
	cleanup_close int cgfd = -1, progfd = -1;
	uint32_t old[64];
	size_t nold;

	devices_program(r, &p);
	progfd = load_program(&p, err);
	free(p.v);
	if (progfd < 0)
		return -1;
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return hull_fail_errno(err, DEV ": open %s", dir);
	nold = attached_programs(cgfd, old, ARRAY_SIZE(old));
	if (attach(cgfd, progfd) < 0) {
		/* a program attached without BPF_F_ALLOW_MULTI blocks ours */
		for (size_t i = 0; i < nold; i++)
			detach(cgfd, old[i]);
		nold = 0;
		if (attach(cgfd, progfd) < 0)
			return hull_fail_errno(err, DEV ": attach the device BPF program to %s",
					       dir);
	}
	for (size_t i = 0; i < nold; i++)
		detach(cgfd, old[i]);
	return 0;
}

int cg_devices_apply(hull_cgroup *cg, const oci_resources *res, hull_error **err)
{
	struct dev_rules r = {0};
	bool v2 = false;
	const char *v1dir = hull_cgroup_dir(cg, "devices", NULL);
	const char *v2dir = hull_cgroup_dir(cg, "", &v2);
	int ret = -1;

	if (user_rules(res, &r, err) < 0)
		goto out;
	runtime_rules(cg, &r);
	if (v1dir) {
		if (v1_apply(v1dir, &r, err) < 0)
			goto out;
		if (v2dir && v2) {
			hull_error *e = NULL;
			if (v2_apply(v2dir, &r, &e) < 0)
				hull_debug("%s (the v1 device list is in force)", e->msg);
			hull_error_free(e);
		}
	} else if (v2dir && v2) {
		if (v2_apply(v2dir, &r, err) < 0)
			goto out;
	} else if (res->devices_len) {
		hull_fail(err, ENOTSUP, DEV ": no devices controller and no cgroup v2 tree");
		goto out;
	}
	ret = 0;
out:
	free(r.v);
	return ret;
}
