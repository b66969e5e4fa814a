/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parent side of create and run: reserve the state dir, work out every
 * plan, clone the container's first process straight into its namespaces
 * and drive it through the protocol of sync.h until it is ready.  A failure
 * at any step undoes every earlier one.
 */
#include "config.h"
#include "container-priv.h"
#include "hooks.h"
#include "capabilities.h"
#include "cgroup-join.h"
#include "failpoint.h"
#include "init.h"
#include "process.h"
#include "resctrl.h"
#include "rootfs.h"
#include "log.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct spawn {
	hull_context *ctx;
	const struct hull_create_opts *opts;
	hull_store *store;
	hull_cdir *cdir;
	oci_hull_state *st;
	struct hull_init init;
	pid_t pid;
	int sync_fd;	/* parent's end */
	int relay_fd;	/* foreground run with a terminal: the pty master */
	int relay_sock; /* ... and the socket it arrives on */
	bool reserved;
	bool cgroup_after_clone; /* record_cgroup waits until the child runs */
};

static const char *config_name = "config.json";

static oci_hull_state *initial_state(struct spawn *sp)
{
	oci_hull_state *st = xcalloc(1, sizeof(*st));
	const oci_config *cfg = sp->init.bundle->cfg;

	st->id = xstrdup(sp->opts->id);
	st->bundle = xstrdup(sp->init.bundle->dir);
	st->rootfs = xstrdup(sp->init.bundle->rootfs);
	st->created = hull_timestamp_now();
	st->owner = hull_user_name(geteuid());
	st->creating = st->creating_present = true;
	st->systemd_cgroup = sp->ctx->systemd_cgroup;
	st->systemd_cgroup_present = sp->ctx->systemd_cgroup;
	st->shared_pidns = !hull_ns_new(&sp->init.ns, HULL_NS_PID);
	st->shared_pidns_present = true;
	/* no mount namespace: the rootfs bind lives in ours until delete */
	st->host_mount_ns = st->host_mount_ns_present = !sp->init.ns.present[HULL_NS_MNT];
	st->no_process = st->no_process_present = !cfg->process;
	if (cfg->annotations) {
		/* the state takes its own copy: cfg is freed separately */
		oci_string_map *m = xcalloc(1, sizeof(*m));
		m->len = cfg->annotations->len;
		m->keys = xcalloc(m->len + 1, sizeof(char *));
		m->values = xcalloc(m->len + 1, sizeof(char *));
		for (size_t i = 0; i < m->len; i++) {
			m->keys[i] = xstrdup(cfg->annotations->keys[i]);
			m->values[i] = xstrdup(cfg->annotations->values[i]);
		}
		st->annotations = m;
	}
	return st;
}

/* The hooks later commands run (poststart, poststop) go into the state,
 * so start and delete never re-read config.json. */
static void keep_hooks(oci_hull_state *st, oci_hooks *h)
{
	if (!h || (!h->poststart_len && !h->poststop_len))
		return;
	st->hooks = xcalloc(1, sizeof(*st->hooks));
	st->hooks->poststart = h->poststart;
	st->hooks->poststart_len = h->poststart_len;
	st->hooks->poststop = h->poststop;
	st->hooks->poststop_len = h->poststop_len;
}

static void forget_hooks(oci_hull_state *st)
{
	if (!st->hooks)
		return;
	/* borrowed from the config: detach before freeing */
	st->hooks->poststart = st->hooks->poststop = NULL;
	st->hooks->poststart_len = st->hooks->poststop_len = 0;
}

static int plan(struct spawn *sp, hull_error **err)
{
	struct hull_init *in = &sp->init;
	const oci_config *cfg = in->bundle->cfg;
	const oci_process *p = cfg->process;
	unsigned long long t = now_ns();

	/* runtime.md: process is needed by start; create goes ahead without it
	 * and start then fails. */
	if (!p && in->run_mode)
		return hull_fail(err, EINVAL, "%s: process: required to run a container",
				 config_name);
	/* run has nothing to do between ready and start unless a pid file
	 * must exist before the process runs (as with runc) or a terminal is
	 * relayed: the child then goes on without the SYNC_START round trip. */
	in->run_at_once = in->run_mode && !sp->opts->pid_file && !p->terminal;
	if (hull_ns_plan_build(cfg->linux_, &in->ns, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	if (hull_mount_plan_build(cfg, in->bundle->dir, &in->mounts, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	hull_mount_plan_debug(&in->mounts);
	if (p && hull_caps_parse(p->capabilities, "config.json: process.capabilities", &in->caps,
				 err) < 0)
		return -1;
	if (cfg->linux_->seccomp &&
	    hull_seccomp_compile(cfg->linux_->seccomp, sp->ctx->root, &in->seccomp, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	if (hull_ns_new(&in->ns, HULL_NS_USER) &&
	    (!cfg->linux_->uid_mappings_len || !cfg->linux_->gid_mappings_len))
		return hull_fail(
		    err, EINVAL,
		    "%s: linux.uidMappings: a new user namespace needs uidMappings and "
		    "gidMappings",
		    config_name);
	if (cfg->linux_->intel_rdt && hull_resctrl_check(cfg->linux_->intel_rdt, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	if (p && p->apparmor_profile && *p->apparmor_profile && !hull_apparmor_enabled())
		return hull_fail(
		    err, ENOTSUP,
		    "%s: process.apparmorProfile: AppArmor is not enabled on this host",
		    config_name);
	if (p && p->terminal && !sp->opts->console_socket &&
	    (!sp->init.run_mode || sp->opts->detach))
		return hull_fail(
		    err, EINVAL,
		    "%s: process.terminal: a detached container needs --console-socket",
		    config_name);
	hull_debug_phase("plan", t);
	return 0;
}

/* Where the cgroup will be, and which levels it will make, recorded before
 * making any: a crash in between still leaves delete --force something to
 * clean.  Then the v2 directory, which clone3 puts the child into. */
static int record_cgroup(struct spawn *sp, hull_error **err)
{
	unsigned long long t = now_ns();

	hull_cgroup_plan(sp->init.cg);
	hull_cgroup_save(sp->init.cg, sp->st);
	if (hull_state_save(sp->cdir, sp->st, err) < 0)
		return -1;
	if (hull_cgroup_create_v2(sp->init.cg, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	hull_debug_phase("cgroup-v2", t);
	return 0;
}

/* The child needs to know its cgroup (it mounts it); the rest can wait
 * until after clone, while the child makes its network namespace, unless
 * clone3 needs the v2 directory or the child waits for the v1 ones. */
static int start_cgroup(struct spawn *sp, hull_error **err)
{
	const oci_linux *l = sp->init.bundle->cfg->linux_;

	if (hull_cgroup_new(sp->opts->id, l->cgroups_path, sp->ctx->systemd_cgroup, &sp->init.cg,
			    err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	/* linux.devices get mknod in the device cgroup's default rules */
	hull_cgroup_set_device_nodes(sp->init.cg, l->devices, l->devices_len);
	sp->cgroup_after_clone = sp->init.early_ns && !hull_cgroup_has_v2(sp->init.cg);
	return sp->cgroup_after_clone ? 0 : record_cgroup(sp, err);
}

/* The v1 directories and the resources; the state is saved again only if
 * the levels made differ from the plan (another process made one). */
static int finish_cgroup(struct spawn *sp, hull_error **err)
{
	const oci_linux *l = sp->init.bundle->cfg->linux_;
	unsigned long long t = now_ns();

	if (hull_cgroup_create_rest(sp->init.cg, l->resources, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	hull_debug_phase("cgroup", t);
	if (hull_cgroup_saved_in(sp->init.cg, sp->st))
		return 0;
	hull_cgroup_save(sp->init.cg, sp->st);
	return hull_state_save(sp->cdir, sp->st, err);
}

static int open_fifo(struct spawn *sp, hull_error **err)
{
	if (mkfifoat(sp->cdir->dirfd, HULL_FIFO_FILE, 0600) < 0)
		return hull_fail_errno(err, "create %s/%s", sp->cdir->path, HULL_FIFO_FILE);
	/* O_NONBLOCK: opening a fifo's read end then does not wait for a
	 * writer, and poll() on it blocks until `start` writes. */
	sp->init.fifo_fd =
	    openat(sp->cdir->dirfd, HULL_FIFO_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (sp->init.fifo_fd < 0)
		return hull_fail_errno(err, "open %s/%s", sp->cdir->path, HULL_FIFO_FILE);
	/* the child keeps this number (close_inherited keeps it in place) */
	sp->st->init_fifo_fd = sp->init.fifo_fd;
	sp->st->init_fifo_fd_present = true;
	return 0;
}

static int open_console(struct spawn *sp, hull_error **err)
{
	int pair[2];

	if (!sp->init.bundle->cfg->process || !sp->init.bundle->cfg->process->terminal)
		return 0;
	if (sp->opts->console_socket) {
		sp->init.console_fd = hull_console_socket_connect(sp->opts->console_socket, err);
		return sp->init.console_fd < 0 ? -1 : 0;
	}
	/* foreground run: the master comes to us and we relay */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return hull_fail_errno(err, "socketpair");
	sp->init.console_fd = pair[1];
	sp->relay_sock = pair[0];
	return 0;
}

/*
 * A new process starts on its parent's CPU or another one, as the
 * scheduler likes.  With early namespaces the parent makes the v1 cgroups
 * while the child makes its network namespace, which only overlaps if
 * they run on different CPUs: on the same one the child preempts the
 * parent (measured: in 18 of 30 clones, which then took ~900 us instead of
 * ~100), and a halted vCPU that looks busy is not handed either of them in
 * time.  So the child runs on cpus_away, our CPUs without the current one,
 * until SYNC_GO says the parent is done: it moves itself there first thing
 * if it runs first (init.c), and we move it if we do.  It then restores its
 * own mask (in->cpus) before joining its cgroups.  Best effort: a
 * single-CPU mask, or a failure here, leaves it where it is.
 */
static void plan_spread(struct hull_init *in)
{
	int cpu;

	in->cpus_spread = false;
	if (!in->early_ns || sched_getaffinity(0, sizeof(in->cpus), &in->cpus) < 0 ||
	    CPU_COUNT(&in->cpus) < 2)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &in->cpus))
		return;
	in->cpus_away = in->cpus;
	CPU_CLR(cpu, &in->cpus_away);
	in->cpus_spread = true;
}

/* Also from here: a child queued on our CPU that has not run yet would
 * otherwise wait until we sleep. */
static void spread_child(struct hull_init *in, pid_t pid)
{
	if (in->cpus_spread)
		(void)sched_setaffinity(pid, sizeof(in->cpus_away), &in->cpus_away);
}

static int spawn_child(struct spawn *sp, hull_error **err)
{
	struct hull_init *in = &sp->init;
	int pair[2], saved_pidns = -1, cgfd;
	sigset_t all;
	long pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return hull_fail_errno(err, "socketpair");
	sp->sync_fd = pair[0];
	in->sync_fd = pair[1];
	if (hull_ns_parent_enter(&in->ns, &saved_pidns, err) < 0)
		return -1;
	/* Signals wait in the queue until run forwards them; the child gets
	 * the original mask back. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &in->sigmask);
	cgfd = hull_cgroup_v2_fd(in->cg);
	plan_spread(in);
	pid = hull_cgroup_clone((unsigned long)in->ns.clone_flags, cgfd, &in->v2_placed);
	if (pid == 0)
		hull_init_main(in);
	if (pid > 0)
		spread_child(in, (pid_t)pid);
	if (cgfd >= 0)
		close(cgfd);
	if (pid < 0) {
		int saved = errno;
		sigprocmask(SIG_SETMASK, &in->sigmask, NULL);
		hull_ns_parent_restore(saved_pidns);
		return hull_fail_sys(err, saved, "clone the container process");
	}
	if (!sp->init.run_mode)
		sigprocmask(SIG_SETMASK, &in->sigmask, NULL);
	hull_ns_parent_restore(saved_pidns);
	sp->pid = (pid_t)pid;
	close(in->sync_fd);
	in->sync_fd = -1;
	if (in->fifo_fd >= 0) {
		close(in->fifo_fd);
		in->fifo_fd = -1;
	}
	if (in->console_fd >= 0) {
		close(in->console_fd);
		in->console_fd = -1;
	}
	hull_ns_plan_close(&in->ns);
	return 0;
}

static int drive_child(struct spawn *sp, hull_error **err);

/* GO, with the files the child joins its cgroups through. */
static int send_go(struct spawn *sp, const char *pid)
{
	int fds[HULL_SYNC_MAX_FDS], n, r, saved;

	n = hull_cgroup_open_joins(sp->init.cg, sp->init.v2_placed, fds, HULL_SYNC_MAX_FDS, NULL);
	/* could not open one: the child tries by path and says why */
	if (n < 0)
		n = 0;
	r = hull_sync_send_fds(sp->sync_fd, SYNC_GO, 0, pid, fds, (size_t)n);
	saved = errno;
	for (int i = 0; i < n; i++)
		close(fds[i]);
	errno = saved;
	return r;
}

/* The child's pid, its cgroup and its maps; then it may go. */
static int release_child(struct spawn *sp, hull_error **err)
{
	const oci_linux *l = sp->init.bundle->cfg->linux_;
	char buf[32];

	/* The pid goes into the state with the final write: until the child
	 * clears its parent-death signal it dies with us, and after that a
	 * lost create is still found through its cgroup. */
	sp->st->pid = sp->pid;
	sp->st->pid_present = true;

	if (l->intel_rdt) {
		if (hull_resctrl_enter(l->intel_rdt, sp->opts->id, sp->pid, &sp->st->resctrl_group,
				       err) < 0)
			return hull_error_prefix(err, "%s", config_name);
		/* before anything else can fail: undo must see it */
		if (sp->st->resctrl_group && hull_state_save(sp->cdir, sp->st, err) < 0)
			return -1;
	}
	if ((sp->init.ns.clone_flags & CLONE_NEWUSER) && hull_ns_write_id_maps(sp->pid, l, err) < 0)
		return hull_error_prefix(err, "%s", config_name);
	snprintf(buf, sizeof(buf), "%d", (int)sp->pid);
	if (send_go(sp, buf) < 0) {
		/* it failed before GO (early namespaces): its message says why */
		if (drive_child(sp, err) == 0)
			hull_fail(err, EPROTO, "container setup: ready before it was started");
		return -1;
	}
	return 0;
}

/* prestart and createRuntime run once the environment exists; like crun
 * (and runtime-tools' hooks_stdin) they see "created". */
static char *creating_state_json(struct spawn *sp)
{
	return hull_state_json(sp->st, HULL_STATUS_CREATED, false);
}

static int run_create_hooks(struct spawn *sp, hull_error **err)
{
	const oci_hooks *h = sp->init.bundle->cfg->hooks;
	cleanup_free char *json = creating_state_json(sp);

	if (hull_hooks_run(h->prestart, h->prestart_len, "prestart", json, err) < 0 ||
	    hull_hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", json, err) <
		0)
		return -1;
	return 0;
}

/* The child's side ended without SYNC_ERROR: say how. */
static int child_vanished(struct spawn *sp, hull_error **err)
{
	int status;

	if (waitpid(sp->pid, &status, 0) == sp->pid) {
		sp->pid = 0;
		if (WIFSIGNALED(status))
			return hull_fail(err, EIO, "container setup died of signal %d",
					 WTERMSIG(status));
		return hull_fail(err, EIO, "container setup exited with status %d",
				 WEXITSTATUS(status));
	}
	return hull_fail(err, EIO, "container setup ended unexpectedly");
}

/* The old root the child pivoted away from, detached from here while the
 * child goes on; it waits for the word before anything of the container
 * runs. */
static int detach_for_child(struct spawn *sp, int oldroot, hull_error **err)
{
	unsigned long long t = now_ns();
	int r;

	hull_failpoint("create-detaching");
	r = hull_rootfs_detach_for(sp->pid, oldroot, err);

	close(oldroot);
	if (r < 0) {
		hull_sync_send(sp->sync_fd, SYNC_ABORT, 0, NULL);
		return hull_error_prefix(err, "container setup");
	}
	hull_debug_phase("detach (parent)", t);
	/* A child gone meanwhile shows as EOF or SYNC_ERROR next. */
	hull_sync_send(sp->sync_fd, SYNC_DETACHED, 0, NULL);
	return 0;
}

/* The child's SYNC_ERROR: "config.json: …" when it knows the field at
 * fault. */
static int child_error(const struct hull_sync_msg *m, hull_error **err)
{
	static const char *const fields[] = {"process.", "linux.",   "mounts[",	  "hooks.",
					     "root.",	 "hostname", "domainname"};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strncmp(m->data, fields[i], strlen(fields[i])) == 0)
			return hull_fail(err, m->errnum, "%s: %s", config_name, m->data);
	return hull_fail(err, m->errnum, "%s", m->data);
}

/* Messages until the child is ready (SYNC_READY). */
static int drive_child(struct spawn *sp, hull_error **err)
{
	/* The child may have failed (and left) before we could detach its
	 * old root: its SYNC_ERROR, already sent, then says why. */
	cleanup_error hull_error *detach_err = NULL;
	struct hull_sync_msg m;

	for (;;) {
		int fd = -1;
		size_t nfd = 0;
		int r = hull_sync_recv_fds(sp->sync_fd, &m, &fd, 1, &nfd);
		if (r < 0)
			return hull_fail_errno(err, "container setup");
		if (nfd && m.type != SYNC_DETACH)
			close(fd);
		if (r == 0 || (detach_err && m.type != SYNC_ERROR && m.type != SYNC_LOG)) {
			if (!detach_err)
				return child_vanished(sp, err);
			*err = TAKE_PTR(detach_err);
			return -1;
		}
		switch (m.type) {
		case SYNC_DETACH:
			if (!nfd)
				return hull_fail(err, EPROTO, "container setup: no old root");
			detach_for_child(sp, fd, &detach_err);
			break;
		case SYNC_LOG:
			hull_log((enum hull_log_level)m.errnum, "%s", m.data);
			break;
		case SYNC_HOOKS:
			if (run_create_hooks(sp, err) < 0) {
				hull_sync_send(sp->sync_fd, SYNC_ABORT, 0, NULL);
				return -1;
			}
			if (hull_sync_send(sp->sync_fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
				return hull_fail_errno(err, "container setup");
			break;
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			return child_error(&m, err);
		default:
			return hull_fail(err, EPROTO, "container setup: unexpected message %s",
					 hull_sync_name(m.type));
		}
	}
}

static int write_pid_file(const char *path, pid_t pid, hull_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	cleanup_close int dirfd = -1;
	char *slash = strrchr(dir, '/'), buf[32];
	const char *base = path;
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (slash) {
		*slash = '\0';
		base = slash + 1;
	}
	dirfd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return hull_fail_errno(err, "--pid-file %s", path);
	if (write_file_atomic(dirfd, base, buf, (size_t)n, 0644, err) < 0)
		return hull_error_prefix(err, "--pid-file %s", path);
	return 0;
}

static void undo(struct spawn *sp)
{
	hull_error *e = NULL;

	if (sp->pid > 0) {
		int status;
		kill(sp->pid, SIGKILL);
		waitpid(sp->pid, &status, 0);
		sp->pid = 0;
	}
	if (sp->st && sp->st->host_mount_ns)
		hull_rootfs_detach(sp->st->rootfs);
	if (sp->st && sp->st->resctrl_group)
		hull_resctrl_remove(sp->st->resctrl_group);
	if (sp->init.cg && hull_cgroup_destroy(sp->init.cg, &e) < 0) {
		hull_warn("%s", e->msg);
		hull_error_freep(&e);
	}
	if (sp->reserved && hull_cdir_remove(sp->store, sp->cdir, &e) < 0) {
		hull_warn("%s", e->msg);
		hull_error_freep(&e);
	}
}

static void spawn_free(struct spawn *sp)
{
	struct hull_init *in = &sp->init;

	if (sp->sync_fd >= 0)
		close(sp->sync_fd);
	for (int *fd = (int[]){in->sync_fd, in->fifo_fd, in->console_fd, sp->relay_sock,
			       sp->relay_fd},
		 i = 0;
	     i < 5; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	hull_fdset_free(&in->preserved);
	hull_ns_plan_close(&in->ns);
	hull_mount_plan_free(&in->mounts);
	hull_seccomp_free(in->seccomp);
	hull_cgroup_free(in->cg);
	if (sp->st) {
		forget_hooks(sp->st);
		oci_hull_state_free(sp->st);
	}
	hull_bundle_free(in->bundle);
	hull_cdir_free(sp->cdir);
	hull_store_free(sp->store);
}

/* The container is ready: its state, the pid file, the seccomp cache.  No
 * other command sees any of it before we drop the container's lock. */
static int record_created(struct spawn *sp, hull_error **err)
{
	hull_pid_start_time(sp->pid, &sp->st->pid_start_time, NULL);
	sp->st->pid_start_time_present = true;
	if (hull_state_save(sp->cdir, sp->st, err) < 0)
		return -1;
	hull_failpoint("create-saved");
	if (sp->opts->pid_file && write_pid_file(sp->opts->pid_file, sp->pid, err) < 0)
		return -1;
	hull_seccomp_remember(sp->init.seccomp, sp->ctx->root);
	return 0;
}

/* Detaching the old root waits for an RCU grace period: the parent, idle
 * meanwhile, takes it over if it may enter the child's mount namespace
 * (setns wants CAP_SYS_ADMIN and CAP_SYS_CHROOT over it: not with a user
 * namespace of the child's own).  The child, which drops its capabilities
 * before it learns the outcome, could not step in later. */
static bool parent_can_detach(const struct hull_init *in)
{
	if (!in->early_ns || !hull_ns_new(&in->ns, HULL_NS_MNT) || in->no_pivot)
		return false;
	if (hull_caps_have((const int[]){CAP_SYS_ADMIN, CAP_SYS_CHROOT}, 2))
		return true;
	hull_debug("the container detaches its old root itself: no CAP_SYS_ADMIN and "
		   "CAP_SYS_CHROOT to enter its mount namespace");
	return false;
}

/* create, and the first half of run: up to a container waiting to start. */
static int spawn_container(struct spawn *sp, hull_error **err)
{
	struct hull_init *in = &sp->init;
	unsigned long long t0 = now_ns(), t;

	if (hull_id_validate(sp->opts->id, err) < 0 ||
	    hull_bundle_load(sp->opts->bundle, &in->bundle, err) < 0)
		return -1;
	hull_debug_phase("load", t0);
	if (plan(sp, err) < 0 || hull_store_open(sp->ctx->root, true, &sp->store, err) < 0 ||
	    hull_cdir_reserve(sp->store, sp->opts->id, &sp->cdir, err) < 0)
		return -1;
	sp->reserved = true;
	hull_failpoint("create-reserved");
	sp->st = initial_state(sp);
	keep_hooks(sp->st, in->bundle->cfg->hooks);
	/* Without a user namespace the child makes its network namespace
	 * (the costliest step) while we make the v1 cgroups and write the
	 * resources: it joins them once told to go on. */
	in->early_ns = hull_ns_early_possible(&in->ns);
	in->parent_detaches = parent_can_detach(in);
	if (start_cgroup(sp, err) < 0 || (!in->early_ns && finish_cgroup(sp, err) < 0))
		goto fail;
	if ((!in->run_mode && open_fifo(sp, err) < 0) || open_console(sp, err) < 0)
		goto fail;
	t = now_ns();
	if (spawn_child(sp, err) < 0)
		goto fail;
	hull_debug_phase("clone", t);
	hull_failpoint("create-cloned");
	if (sp->cgroup_after_clone && record_cgroup(sp, err) < 0)
		goto fail;
	if (in->early_ns && finish_cgroup(sp, err) < 0)
		goto fail;
	hull_failpoint("create-cgroup");
	t = now_ns();
	if (release_child(sp, err) < 0)
		goto fail;
	hull_debug_phase("release", t);
	t = now_ns();
	/* Only exec reads the copy, once the container exists: written while
	 * the child sets up, which takes longer. */
	if (write_file_atomic(sp->cdir->dirfd, HULL_CONFIG_FILE, in->bundle->raw,
			      in->bundle->raw_len, 0600, err) < 0)
		goto fail;
	if (drive_child(sp, err) < 0)
		goto fail;
	hull_debug_phase("setup", t);
	hull_failpoint("create-ready");
	if (sp->relay_sock >= 0 && (sp->relay_fd = hull_terminal_receive(sp->relay_sock, err)) < 0)
		goto fail;
	sp->st->creating = false;
	/* run records it while the child goes on to exec */
	if (!in->run_mode && record_created(sp, err) < 0)
		goto fail;
	hull_debug_phase("create", t0);
	return 0;
fail:
	if (sp->st && sp->st->hooks && sp->st->hooks->poststop_len && sp->pid > 0)
		hull_run_poststop(sp->st);
	undo(sp);
	return -1;
}

static void spawn_init(struct spawn *sp, hull_context *ctx, const struct hull_create_opts *o,
		       bool run_mode)
{
	memset(sp, 0, sizeof(*sp));
	sp->ctx = ctx;
	sp->opts = o;
	sp->sync_fd = sp->relay_fd = sp->relay_sock = -1;
	sp->init.id = o->id;
	sp->init.run_mode = run_mode;
	sp->init.no_pivot = o->no_pivot;
	sp->init.no_new_keyring = o->no_new_keyring;
	sp->init.preserve_fds = o->preserve_fds;
	/* before hull opens anything of its own */
	hull_fdset_snapshot(&sp->init.preserved, o->preserve_fds);
	sp->init.sync_fd = sp->init.fifo_fd = sp->init.console_fd = -1;
}

int hull_container_create(hull_context *ctx, const struct hull_create_opts *o, hull_error **err)
{
	struct spawn sp;
	int r;

	spawn_init(&sp, ctx, o, false);
	r = spawn_container(&sp, err);
	spawn_free(&sp);
	return r;
}

/* After SYNC_START: SYNC_EXEC, then EOF (the socket closed on exec) or a
 * SYNC_ERROR telling why execve failed. */
static int wait_exec(struct spawn *sp, hull_error **err)
{
	struct hull_sync_msg m;
	bool exec_seen = false;

	for (;;) {
		int r = hull_sync_recv(sp->sync_fd, &m);
		if (r < 0)
			return hull_fail_errno(err, "start the container");
		if (r == 0)
			return exec_seen ? 0 : child_vanished(sp, err);
		if (m.type == SYNC_LOG)
			hull_log((enum hull_log_level)m.errnum, "%s", m.data);
		else if (m.type == SYNC_EXEC)
			exec_seen = true;
		else if (m.type == SYNC_ERROR)
			return hull_fail(err, m.errnum, "%s", m.data);
	}
}

/* After the container exited: the lock again, unless someone deleted the
 * container meanwhile. */
static bool reclaim(struct spawn *sp)
{
	struct stat st;

	if (flock(sp->cdir->dirfd, LOCK_EX) < 0 || fstat(sp->cdir->dirfd, &st) < 0)
		return false;
	return st.st_nlink > 0;
}

int hull_container_run(hull_context *ctx, const struct hull_create_opts *o, int *status,
		       hull_error **err)
{
	struct spawn sp;
	hull_error *e = NULL;
	unsigned long long t;
	int r = -1;

	*status = 0;
	spawn_init(&sp, ctx, o, true);
	if (spawn_container(&sp, err) < 0)
		goto out;
	t = now_ns();
	if ((!sp.init.run_at_once && hull_sync_send(sp.sync_fd, SYNC_START, 0, NULL) < 0) ||
	    record_created(&sp, err) < 0 || wait_exec(&sp, err) < 0) {
		if (!err || !*err)
			hull_fail_errno(err, "start the container");
		hull_run_poststop(sp.st);
		undo(&sp);
		goto out;
	}
	if (sp.relay_fd >= 0) {
		hull_terminal_copy_size(0, sp.relay_fd);
		hull_terminal_raw_stdin();
	}
	/* Other commands (kill, exec, delete --force) must not wait for us. */
	flock(sp.cdir->dirfd, LOCK_UN);
	hull_debug_phase("start", t);
	hull_run_poststart(sp.st);
	if (o->detach) {
		r = 0;
		goto out;
	}
	t = now_ns();
	if (hull_wait_forwarding(sp.pid, sp.relay_fd, status, err) < 0)
		goto out;
	hull_debug_phase("wait", t);
	sp.pid = 0;
	t = now_ns();
	if (reclaim(&sp) && hull_destroy(sp.store, sp.cdir, sp.st, &e) < 0) {
		hull_warn("%s", e->msg);
		hull_error_free(e);
	}
	hull_debug_phase("delete", t);
	r = 0;
out:
	spawn_free(&sp);
	return r;
}
