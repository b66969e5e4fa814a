/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "seccomp.h"
#include "seccomp-cache.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

const char *const hull_seccomp_actions[] = {"SCMP_ACT_KILL",	    "SCMP_ACT_KILL_PROCESS",
					    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
					    "SCMP_ACT_ERRNO",	    "SCMP_ACT_TRACE",
					    "SCMP_ACT_ALLOW",	    "SCMP_ACT_LOG",
					    "SCMP_ACT_NOTIFY",	    NULL};
const char *const hull_seccomp_operators[] = {"SCMP_CMP_NE",	    "SCMP_CMP_LT", "SCMP_CMP_LE",
					      "SCMP_CMP_EQ",	    "SCMP_CMP_GE", "SCMP_CMP_GT",
					      "SCMP_CMP_MASKED_EQ", NULL};
const char *const hull_seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

static const struct {
	const char *name;
	uint32_t arch;
} arch_table[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};
const char *const hull_seccomp_archs[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	NULL};

static int parse_action(const char *name, bool has_errno, uint32_t errno_ret, const char *where,
			uint32_t *out, bool *notify, hull_error **err)
{
	uint32_t ret = has_errno ? errno_ret : EPERM;

	if (has_errno && !streq(name, "SCMP_ACT_ERRNO") && !streq(name, "SCMP_ACT_TRACE"))
		return hull_fail(err, EINVAL,
				 "%s: errnoRet is only valid with SCMP_ACT_ERRNO and "
				 "SCMP_ACT_TRACE, not %s",
				 where, name);
	if (streq(name, "SCMP_ACT_KILL") || streq(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (streq(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (streq(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (streq(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(ret);
	else if (streq(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(ret);
	else if (streq(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (streq(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (streq(name, "SCMP_ACT_NOTIFY")) {
		*out = SCMP_ACT_NOTIFY;
		*notify = true;
	} else
		return hull_fail(err, EINVAL, "%s: unknown action \"%s\"", where, name);
	return 0;
}

static int parse_op(const char *name, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
		   {"SCMP_CMP_LT", SCMP_CMP_LT},
		   {"SCMP_CMP_LE", SCMP_CMP_LE},
		   {"SCMP_CMP_EQ", SCMP_CMP_EQ},
		   {"SCMP_CMP_GE", SCMP_CMP_GE},
		   {"SCMP_CMP_GT", SCMP_CMP_GT},
		   {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (streq(name, ops[i].name)) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

static int parse_flags(const oci_seccomp *s, unsigned *flags, hull_error **err)
{
	for (size_t i = 0; i < s->flags_len; i++) {
		const char *f = s->flags[i];
		if (streq(f, "SECCOMP_FILTER_FLAG_TSYNC"))
			*flags |= SECCOMP_FILTER_FLAG_TSYNC;
		else if (streq(f, "SECCOMP_FILTER_FLAG_LOG"))
			*flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (streq(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			*flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (streq(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			*flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		else
			return hull_fail(err, EINVAL,
					 "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, f);
	}
	return 0;
}

/* A rule as libseccomp takes it: one syscall, its action, its arguments. */
struct rule {
	uint32_t action;
	int nr;
	unsigned argc;
	struct scmp_arg_cmp cmps[6];
	size_t idx;	  /* in linux.seccomp.syscalls, for errors */
	const char *name; /* borrowed from the config */
};

/* linux.seccomp resolved and checked; key is what the program is compiled
 * from, byte for byte (the cache's key). */
struct profile {
	uint32_t def_action;
	uint32_t arches[ARRAY_SIZE(arch_table)];
	size_t arch_idx[ARRAY_SIZE(arch_table)];
	size_t narch;
	struct rule *rules;
	size_t nrules;
	unsigned char *key;
	size_t key_len, key_cap;
};

static void profile_free(struct profile *pf)
{
	free(pf->rules);
	free(pf->key);
}

static void key_add(struct profile *pf, uint64_t v)
{
	if (pf->key_len + sizeof(v) > pf->key_cap) {
		pf->key_cap = pf->key_cap ? 2 * pf->key_cap : 256;
		pf->key = xrealloc(pf->key, pf->key_cap);
	}
	memcpy(pf->key + pf->key_len, &v, sizeof(v));
	pf->key_len += sizeof(v);
}

static void key_build(struct profile *pf, size_t split_rules)
{
	const struct scmp_version *v = seccomp_version();

	key_add(pf, 0x68756c6c2d736332ULL); /* layout of this key, version 2 */
	key_add(pf, split_rules);
	key_add(pf, v ? ((uint64_t)v->major << 32 | v->minor << 16 | v->micro) : 0);
	/* what libseccomp generates also depends on what it found the
	 * running kernel supports, and the state root may outlive a reboot */
	key_add(pf, (uint64_t)seccomp_api_get() << 32 | seccomp_arch_native());
	key_add(pf, pf->def_action);
	key_add(pf, pf->narch);
	for (size_t i = 0; i < pf->narch; i++)
		key_add(pf, pf->arches[i]);
	key_add(pf, pf->nrules);
	for (size_t i = 0; i < pf->nrules; i++) {
		const struct rule *r = &pf->rules[i];
		key_add(pf, (uint64_t)r->action << 32 | (uint32_t)r->nr);
		key_add(pf, r->argc);
		for (unsigned a = 0; a < r->argc; a++) {
			key_add(pf, (uint64_t)r->cmps[a].arg << 32 | r->cmps[a].op);
			key_add(pf, r->cmps[a].datum_a);
			key_add(pf, r->cmps[a].datum_b);
		}
	}
}

static int parse_rule(struct profile *pf, const oci_syscall *sc, size_t idx, bool *notify,
		      hull_error **err)
{
	char where[64];
	struct rule r = {.idx = idx};

	snprintf(where, sizeof(where), "linux.seccomp.syscalls[%zu]", idx);
	if (parse_action(sc->action, sc->errno_ret_present, sc->errno_ret, where, &r.action, notify,
			 err) < 0)
		return -1;
	if (sc->args_len > 6)
		return hull_fail(err, EINVAL, "%s.args: at most 6 arguments", where);
	r.argc = (unsigned)sc->args_len;
	for (size_t i = 0; i < sc->args_len; i++) {
		enum scmp_compare op;
		if (parse_op(sc->args[i]->op, &op) < 0)
			return hull_fail(err, EINVAL, "%s.args[%zu].op: unknown operator", where,
					 i);
		r.cmps[i] = (struct scmp_arg_cmp){.arg = sc->args[i]->index,
						  .op = op,
						  .datum_a = sc->args[i]->value,
						  .datum_b = sc->args[i]->value_two};
	}
	/* A rule that repeats the default action is refused by libseccomp
	 * and changes nothing: skip it. */
	if (r.action == pf->def_action)
		return 0;
	pf->rules = xrealloc(pf->rules, (pf->nrules + sc->names_len + 1) * sizeof(*pf->rules));
	for (size_t i = 0; i < sc->names_len; i++) {
		r.nr = seccomp_syscall_resolve_name(sc->names[i]);
		r.name = sc->names[i];
		if (r.nr == __NR_SCMP_ERROR) {
			hull_warn("%s.names[%zu]: unknown syscall \"%s\" skipped", where, i,
				  sc->names[i]);
			continue;
		}
		pf->rules[pf->nrules++] = r;
	}
	return 0;
}

static int parse_arches(struct profile *pf, const oci_seccomp *s, hull_error **err)
{
	for (size_t i = 0; i < s->architectures_len; i++) {
		bool found = false;
		for (size_t a = 0; a < ARRAY_SIZE(arch_table) && !found; a++) {
			if (!streq(arch_table[a].name, s->architectures[i]))
				continue;
			found = true;
			if (pf->narch < ARRAY_SIZE(pf->arches)) {
				pf->arch_idx[pf->narch] = i;
				pf->arches[pf->narch++] = arch_table[a].arch;
			}
		}
		if (!found)
			return hull_fail(err, EINVAL,
					 "linux.seccomp.architectures[%zu]: unknown \"%s\"", i,
					 s->architectures[i]);
	}
	return 0;
}

static int parse_profile(const oci_seccomp *s, struct hull_seccomp *h, struct profile *pf,
			 hull_error **err)
{
	if (parse_action(s->default_action, s->default_errno_ret_present, s->default_errno_ret,
			 "linux.seccomp.defaultAction", &pf->def_action, &h->notify, err) < 0 ||
	    parse_flags(s, &h->flags, err) < 0)
		return -1;
	if (s->listener_metadata && !s->listener_path)
		return hull_fail(err, EINVAL, "linux.seccomp.listenerMetadata: needs listenerPath");
	if (parse_arches(pf, s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->syscalls_len; i++)
		if (parse_rule(pf, s->syscalls[i], i, &h->notify, err) < 0)
			return -1;
	if (h->notify && !s->listener_path)
		return hull_fail(err, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
	if (h->notify)
		return hull_fail(err, ENOTSUP,
				 "linux.seccomp: SCMP_ACT_NOTIFY is not supported yet");
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog, hull_error **err)
{
	cleanup_close int fd = (int)syscall(SYS_memfd_create, "hull-seccomp", MFD_CLOEXEC);
	off_t size;
	int r;

	if (fd < 0)
		return hull_fail_errno(err, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return hull_fail_sys(err, -r, "linux.seccomp: export the filter");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > 0xffff)
		return hull_fail(err, EINVAL, "linux.seccomp: bad filter size");
	prog->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	prog->filter = xmalloc((size_t)size);
	if (pread(fd, prog->filter, (size_t)size, 0) != size) {
		free(prog->filter);
		prog->filter = NULL;
		return hull_fail_errno(err, "linux.seccomp: read the filter back");
	}
	return 0;
}

/* One filter from the rules at order[0..n) of pf (all, in order, when
 * order is NULL). */
static int compile_filter(const struct profile *pf, const size_t *order, size_t n,
			  struct sock_fprog *prog, hull_error **err)
{
	scmp_filter_ctx ctx = seccomp_init(pf->def_action);
	int r = 0;

	if (!ctx)
		return hull_fail(err, ENOMEM, "linux.seccomp: seccomp_init");
	/* hull sets no_new_privs itself when the config asks for it. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; i < pf->narch && r == 0; i++) {
		r = seccomp_arch_add(ctx, pf->arches[i]);
		if (r == -EEXIST)
			r = 0;
		else if (r < 0)
			hull_fail_sys(err, -r, "linux.seccomp.architectures[%zu]: add it",
				      pf->arch_idx[i]);
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct rule *ru = &pf->rules[order ? order[i] : i];
		r = seccomp_rule_add_array(ctx, ru->action, ru->nr, ru->argc, ru->cmps);
		if (r < 0)
			hull_fail_sys(err, -r, "linux.seccomp.syscalls[%zu]: add rule for %s",
				      ru->idx, ru->name);
	}
	if (r == 0)
		r = export_bpf(ctx, prog, err);
	seccomp_release(ctx);
	return r < 0 ? -1 : 0;
}

/* Where libseccomp may fold several syscalls into one (socketcall, ipc on
 * x86, s390, ppc, mips...): their rules can meet, so they share a filter. */
static bool multiplexed(const char *name)
{
	static const char *const names[] = {
	    "socketcall", "socket",	 "bind",	"connect",    "listen",	    "accept",
	    "accept4",	  "getsockname", "getpeername", "socketpair", "send",	    "recv",
	    "sendto",	  "recvfrom",	 "shutdown",	"setsockopt", "getsockopt", "sendmsg",
	    "recvmsg",	  "recvmmsg",	 "sendmmsg",	"ipc",	      "semop",	    "semget",
	    "semctl",	  "semtimedop",	 "msgsnd",	"msgrcv",     "msgget",	    "msgctl",
	    "shmat",	  "shmdt",	 "shmget",	"shmctl"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(name, names[i]))
			return true;
	return false;
}

struct grouped {
	long group; /* the syscall, or LONG_MIN for the multiplexed ones */
	size_t idx; /* in pf->rules */
};

static int by_group(const void *a, const void *b)
{
	const struct grouped *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void add_prog(struct hull_seccomp *h, const struct sock_fprog *prog)
{
	h->progs = xrealloc(h->progs, (h->nprogs + 1) * sizeof(*h->progs));
	h->progs[h->nprogs++] = *prog;
}

/* The rules grouped by syscall (each group in the profile's order), cut
 * into filters of about split_rules rules at group boundaries. */
static int compile_split(const struct profile *pf, size_t split_rules, struct hull_seccomp *h,
			 hull_error **err)
{
	cleanup_free struct grouped *g = xcalloc(pf->nrules, sizeof(*g));
	cleanup_free size_t *order = xcalloc(pf->nrules, sizeof(*order));
	size_t start = 0;

	for (size_t i = 0; i < pf->nrules; i++) {
		g[i].group = multiplexed(pf->rules[i].name) ? LONG_MIN : pf->rules[i].nr;
		g[i].idx = i;
	}
	qsort(g, pf->nrules, sizeof(*g), by_group);
	for (size_t i = 0; i < pf->nrules; i++)
		order[i] = g[i].idx;
	while (start < pf->nrules) {
		size_t end = start + 1;
		struct sock_fprog prog;

		while (end < pf->nrules &&
		       (end - start < split_rules || g[end].group == g[end - 1].group))
			end++;
		if (compile_filter(pf, order + start, end - start, &prog, err) < 0)
			return -1;
		add_prog(h, &prog);
		start = end;
	}
	return 0;
}

static int compile_profile(const struct profile *pf, size_t split_rules, struct hull_seccomp *h,
			   hull_error **err)
{
	struct sock_fprog prog;

	if (split_rules && pf->def_action == SCMP_ACT_ALLOW && pf->nrules > split_rules &&
	    !h->notify)
		return compile_split(pf, split_rules, h, err);
	if (compile_filter(pf, NULL, pf->nrules, &prog, err) < 0)
		return -1;
	add_prog(h, &prog);
	return 0;
}

static int compile(const oci_seccomp *s, const char *cache_root, size_t split_rules,
		   struct hull_seccomp **out, hull_error **err)
{
	struct hull_seccomp *h = xcalloc(1, sizeof(*h));
	struct profile pf = {0};

	*out = NULL;
	if (parse_profile(s, h, &pf, err) < 0)
		goto fail;
	key_build(&pf, split_rules);
	if (hull_seccomp_cache_get(cache_root, pf.key, pf.key_len, &h->progs, &h->nprogs) < 0) {
		if (compile_profile(&pf, split_rules, h, err) < 0)
			goto fail;
		/* kept for hull_seccomp_remember */
		h->key = pf.key;
		h->key_len = pf.key_len;
		pf.key = NULL;
	}
	profile_free(&pf);
	*out = h;
	return 0;
fail:
	profile_free(&pf);
	hull_seccomp_free(h);
	return -1;
}

int hull_seccomp_compile(const oci_seccomp *s, const char *cache_root, struct hull_seccomp **out,
			 hull_error **err)
{
	return compile(s, cache_root, HULL_SECCOMP_SPLIT_RULES, out, err);
}

int hull_seccomp_compile_split(const oci_seccomp *s, size_t split_rules, struct hull_seccomp **out,
			       hull_error **err)
{
	return compile(s, NULL, split_rules, out, err);
}

void hull_seccomp_remember(const struct hull_seccomp *s, const char *cache_root)
{
	if (s && s->key)
		hull_seccomp_cache_put(cache_root, s->key, s->key_len, s->progs, s->nprogs);
}

void hull_seccomp_free(struct hull_seccomp *s)
{
	if (!s)
		return;
	free(s->key);
	for (size_t i = 0; i < s->nprogs; i++)
		free(s->progs[i].filter);
	free(s->progs);
	free(s);
}

int hull_seccomp_load(const struct hull_seccomp *s, hull_error **err)
{
	long r = 0;

	if (!s)
		return 0;
	for (size_t i = 0; i < s->nprogs; i++) {
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->flags, &s->progs[i]);
		if (r < 0 && errno == EINVAL && s->flags)
			/* an older kernel without one of the flags: say which */
			return hull_fail_errno(
			    err, "linux.seccomp: load the filter with flags 0x%x", s->flags);
		if (r < 0)
			return hull_fail_errno(err, "linux.seccomp: load the filter");
	}
	return s->notify ? (int)r : 0;
}
