/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "process.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int hull_process_rlimits(const oci_process *p, hull_error **err)
{
	for (size_t i = 0; i < p->rlimits_len; i++) {
		const oci_rlimit *r = p->rlimits[i];
		struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
		int res = -1;

		for (size_t j = 0; j < ARRAY_SIZE(rlimit_table); j++)
			if (streq(r->type, rlimit_table[j].name))
				res = rlimit_table[j].resource;
		if (res < 0)
			return hull_fail(err, EINVAL, "process.rlimits[%zu].type: unknown \"%s\"",
					 i, r->type);
		if (r->soft > r->hard)
			return hull_fail(
			    err, EINVAL,
			    "process.rlimits[%zu]: soft limit %llu above hard limit %llu", i,
			    (unsigned long long)r->soft, (unsigned long long)r->hard);
		if (setrlimit((__rlimit_resource_t)res, &lim) < 0)
			return hull_fail_errno(err, "process.rlimits[%zu]: set %s to %llu/%llu%s",
					       i, r->type, (unsigned long long)r->soft,
					       (unsigned long long)r->hard,
					       errno == EPERM ? " (raising a hard limit needs "
								"CAP_SYS_RESOURCE)"
							      : "");
	}
	return 0;
}

int hull_process_oom_score(const oci_process *p, hull_error **err)
{
	char buf[16];
	int n;

	if (!p->oom_score_adj_present)
		return 0;
	n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	if (write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, (size_t)n, err) < 0)
		return hull_error_prefix(err, "process.oomScoreAdj");
	return 0;
}

static int set_scheduler(const oci_scheduler *s, hull_error **err)
{
	static const struct {
		const char *name;
		int policy;
	} policies[] = {
	    {"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
	    {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_ISO", 4},	      {"SCHED_IDLE", SCHED_IDLE},
	    {"SCHED_DEADLINE", 6}};
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
	} attr = {.size = 48};

	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (streq(s->policy, policies[i].name))
			attr.policy = (uint32_t)policies[i].policy;
	for (size_t i = 0; i < s->flags_len; i++) {
		static const char *const names[] = {
		    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
		    "SCHED_FLAG_DL_OVERRUN",	"SCHED_FLAG_KEEP_POLICY",
		    "SCHED_FLAG_KEEP_PARAMS",	"SCHED_FLAG_UTIL_CLAMP_MIN",
		    "SCHED_FLAG_UTIL_CLAMP_MAX"};
		bool found = false;
		for (size_t b = 0; b < ARRAY_SIZE(names); b++)
			if (streq(s->flags[i], names[b])) {
				attr.flags |= 1ULL << b;
				found = true;
			}
		if (!found)
			return hull_fail(err, EINVAL,
					 "process.scheduler.flags[%zu]: unknown \"%s\"", i,
					 s->flags[i]);
	}
	attr.nice = s->nice_present ? s->nice : 0;
	attr.priority = s->priority_present ? (uint32_t)s->priority : 0;
	attr.runtime = s->runtime;
	attr.deadline = s->deadline;
	attr.period = s->period;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return hull_fail_errno(err, "process.scheduler: sched_setattr(%s)", s->policy);
	return 0;
}

static int set_ioprio(const oci_io_priority *io, hull_error **err)
{
	int class = streq(io->class, "IOPRIO_CLASS_RT")	  ? 1
		    : streq(io->class, "IOPRIO_CLASS_BE") ? 2
							  : 3;

	if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (class << 13) | io->priority) <
	    0)
		return hull_fail_errno(err, "process.ioPriority: ioprio_set(%s, %d)", io->class,
				       io->priority);
	return 0;
}

int hull_process_sched(const oci_process *p, const oci_linux *l, hull_error **err)
{
	if (l && l->personality) {
		unsigned long pers =
		    streq(l->personality->domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
		if (l->personality->flags_len)
			return hull_fail(err, EINVAL,
					 "linux.personality.flags: no flags are supported");
		if (personality(pers) < 0)
			return hull_fail_errno(err, "linux.personality: %s",
					       l->personality->domain);
	}
	if (p->scheduler && set_scheduler(p->scheduler, err) < 0)
		return -1;
	if (p->io_priority && set_ioprio(p->io_priority, err) < 0)
		return -1;
	return 0;
}

int hull_process_set_user(const oci_process *p, hull_error **err)
{
	const oci_user *u = p->user;
	uid_t uid = u->uid_present ? u->uid : 0;
	gid_t gid = u->gid_present ? u->gid : 0;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_fail_errno(err, "keep capabilities across the uid change");
	/* setgroups is refused in a user namespace whose gid_map was written
	 * with setgroups denied; an empty list then is what we have anyway. */
	if (setgroups(u->additional_gids_len, u->additional_gids) < 0 &&
	    !(errno == EPERM && u->additional_gids_len == 0))
		return hull_fail_errno(err, "process.user.additionalGids: setgroups");
	if (setresgid(gid, gid, gid) < 0)
		return hull_fail_errno(err, "process.user.gid: setresgid(%u)", gid);
	if (setresuid(uid, uid, uid) < 0)
		return hull_fail_errno(err, "process.user.uid: setresuid(%u)", uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hull_fail_errno(err, "reset keep-capabilities");
	if (u->umask_present)
		umask(u->umask & 0777);
	else
		umask(022);
	return 0;
}

static const char *env_lookup(const oci_process *p, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < p->env_len; i++)
		if (strncmp(p->env[i], name, len) == 0 && p->env[i][len] == '=')
			return p->env[i] + len + 1;
	return NULL;
}

static int check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return access(path, X_OK);
}

char *hull_process_find_exec(const oci_process *p, hull_error **err)
{
	const char *arg0 = p->args[0];
	const char *path;
	cleanup_free char *copy = NULL;
	char *save = NULL;
	int first_errno = ENOENT;

	if (strchr(arg0, '/')) {
		if (check_exec(arg0) < 0) {
			hull_fail_errno(err, "process.args[0]: %s", arg0);
			return NULL;
		}
		return xstrdup(arg0);
	}
	path = env_lookup(p, "PATH");
	copy =
	    xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = xasprintf("%s/%s", *dir ? dir : ".", arg0);
		if (check_exec(cand) == 0)
			return TAKE_PTR(cand);
		if (errno != ENOENT && errno != ENOTDIR)
			first_errno = errno;
	}
	hull_fail_sys(err, first_errno, "process.args[0]: \"%s\" not found in the container's PATH",
		      arg0);
	return NULL;
}

static bool file_starts_with(const char *path, char c)
{
	cleanup_free char *s = NULL;

	return read_file_at(AT_FDCWD, path, &s, NULL, NULL) == 0 && s[0] == c;
}

bool hull_apparmor_enabled(void)
{
	return file_starts_with("/sys/module/apparmor/parameters/enabled", 'Y');
}

bool hull_selinux_enabled(void)
{
	struct stat st;

	return stat("/sys/fs/selinux/enforce", &st) == 0;
}

static int write_attr(const char *lsm, const char *value, const char *field, hull_error **err)
{
	cleanup_free char *path = lsm ? xasprintf("/proc/thread-self/attr/%s/exec", lsm)
				      : xstrdup("/proc/thread-self/attr/exec");
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	struct statfs fs;
	size_t len = strlen(value);

	if (fd < 0 && lsm) {
		free(path);
		path = xstrdup("/proc/thread-self/attr/exec");
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return hull_fail_errno(err, "%s: open %s", field, path);
	/* The container's /proc could be anything its config mounted there. */
	if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)
		return hull_fail(err, EPERM, "%s: %s is not on procfs", field, path);
	if (write(fd, value, len) != (ssize_t)len)
		return hull_fail_errno(err, "%s: set \"%s\"", field, value);
	return 0;
}

int hull_process_lsm(const oci_process *p, hull_error **err)
{
	if (p->apparmor_profile && *p->apparmor_profile) {
		cleanup_free char *v = xasprintf("exec %s", p->apparmor_profile);
		if (!hull_apparmor_enabled())
			return hull_fail(
			    err, ENOTSUP,
			    "process.apparmorProfile: AppArmor is not enabled on this host");
		if (write_attr("apparmor", v, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (p->selinux_label && *p->selinux_label && hull_selinux_enabled() &&
	    write_attr(NULL, p->selinux_label, "process.selinuxLabel", err) < 0)
		return -1;
	return 0;
}

void hull_process_new_keyring(const char *id)
{
	cleanup_free char *name = xasprintf("_ses.%s", id);

	/* Kernels without keyrings or seccomp profiles refusing keyctl: the
	 * container then shares the session keyring, as before. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0)
		hull_debug("no new session keyring: %s", strerror(errno));
}
