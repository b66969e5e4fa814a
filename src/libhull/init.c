/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's first process, from clone to execve.  Each step is a
 * small function; the order is the one runtime.md and config-linux.md ask
 * for, and it is the order of hull_init_setup() below.
 */
#include "config.h"
#include "init.h"
#include "cgroup-join.h"
#include "devices.h"
#include "hooks.h"
#include "log.h"
#include "path.h"
#include "process.h"
#include "rootfs.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct init_state {
	struct hull_init *in;
	const oci_config *cfg;
	const oci_process *proc;
	int rootfd;
	int tty_slave;
	pid_t host_pid; /* as the host sees us (from SYNC_GO) */
	char *exec_path;
	int join_fds[HULL_SYNC_MAX_FDS]; /* from SYNC_GO: our cgroups' tasks files */
	size_t njoin_fds;
	int oldroot;	    /* handed to the parent (SYNC_DETACH), until SYNC_DETACHED */
	size_t mounts_done; /* of in->mounts, before SYNC_GO */
	bool bounding_dropped;
};

static int sync_fd = -1;

static void forward_log(int level, const char *msg, void *data)
{
	if (sync_fd < 0 || hull_sync_send(sync_fd, SYNC_LOG, level, msg) < 0)
		dprintf(2, "hull: %s\n", msg);
}

static void __attribute__((noreturn)) die(hull_error *err)
{
	const char *msg = err && err->msg ? err->msg : "container setup failed";

	if (sync_fd < 0 || hull_sync_send(sync_fd, SYNC_ERROR, err ? err->errnum : 0, msg) < 0)
		dprintf(2, "hull: %s\n", msg);
	_exit(1);
}

static void reset_signals(const sigset_t *mask)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
}

/* Keeps stdio, the preserved fds and our own; everything else hull had
 * open (the state dir lock above all) goes. */
static int close_inherited(struct hull_init *in, hull_error **err)
{
	int keep[HULL_NS_COUNT + 3];
	size_t n = 0;

	keep[n++] = in->sync_fd;
	if (in->fifo_fd >= 0)
		keep[n++] = in->fifo_fd;
	if (in->console_fd >= 0)
		keep[n++] = in->console_fd;
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (in->ns.join_fd[i] >= 0)
			keep[n++] = in->ns.join_fd[i];
	if (close_fds_from(3 + in->preserve_fds, keep, n) < 0)
		return hull_fail_errno(err, "close inherited file descriptors");
	hull_cgroup_forget_fds(in->cg);
	return 0;
}

static bool message_waiting(void)
{
	struct pollfd p = {.fd = sync_fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

/*
 * The bounding set is ~40 prctl calls, each a new set of credentials
 * (~1.2 us here, 45-50 us in all), and it only limits what an execve can
 * gain.  The setup keeps its effective capabilities either way, and
 * nothing is executed before the process but createContainer hooks, which
 * run with the runtime's capabilities (as in runc): with those, it waits
 * for setup_process.  It goes where we would wait anyway: here if the
 * parent's GO has not come yet, else in setup_process, where it overlaps
 * the parent's detach of the old root.
 */
static int drop_bounding_early(struct init_state *s, hull_error **err)
{
	unsigned long long t = now_ns();

	if (!s->proc || (s->cfg->hooks && s->cfg->hooks->create_container_len))
		return 0;
	if (s->in->parent_detaches && message_waiting())
		return 0;
	if (hull_caps_drop_bounding(&s->in->caps, err) < 0)
		return -1;
	s->bounding_dropped = true;
	hull_debug_phase("bounding set (early)", t);
	return 0;
}

/* While the parent makes the cgroups: the network namespace, the costliest
 * step, and then, with a mount namespace of our own, the mounts that need
 * nothing the parent makes (their kernel memory is charged to hull's
 * cgroup, like the network namespace's).  The debug phases show who waits
 * for whom. */
static int early_setup(struct init_state *s, hull_error **err)
{
	struct hull_init *in = s->in;
	unsigned long long t = now_ns();
	size_t n = hull_mount_plan_fs_prefix(&in->mounts);
	int r;

	if (hull_ns_child_setup_early(&in->ns, err) < 0)
		return -1;
	hull_debug_phase("namespaces (early)", t);
	t = now_ns();
	if (n > 0 && (r = hull_ns_child_unshare_mount_early(&in->ns, err)) != 0) {
		if (r < 0 ||
		    (s->rootfd = hull_rootfs_prepare(s->cfg, in->bundle->rootfs, false, err)) < 0 ||
		    hull_mount_plan_execute(&in->mounts, 0, n, s->rootfd, false, NULL, err) < 0)
			return -1;
		s->mounts_done = n;
		hull_debug_phase("mounts (early)", t);
	}
	return drop_bounding_early(s, err);
}

static int wait_go(struct init_state *s, hull_error **err)
{
	unsigned long long t = now_ns();
	struct hull_sync_msg m;
	long pid;

	if (hull_sync_recv_fds(sync_fd, &m, s->join_fds, HULL_SYNC_MAX_FDS, &s->njoin_fds) <= 0 ||
	    m.type != SYNC_GO)
		_exit(1); /* the parent gave up or died */
	hull_debug_phase("wait for the parent", t);
	if (s->in->cpus_spread && sched_setaffinity(0, sizeof(s->in->cpus), &s->in->cpus) < 0)
		return hull_fail_errno(err, "restore the CPU affinity");
	if (parse_long(m.data, 1, 1 << 30, &pid) < 0)
		return hull_fail(err, EPROTO, "bad SYNC_GO");
	s->host_pid = (pid_t)pid;
	return 0;
}

static int join_cgroups(struct init_state *s, hull_error **err)
{
	int r = hull_cgroup_join_self(s->in->cg, s->in->v2_placed, s->join_fds, s->njoin_fds, err);

	for (size_t i = 0; i < s->njoin_fds; i++)
		close(s->join_fds[i]);
	s->njoin_fds = 0;
	return r;
}

/* The state as hooks see it (runtime.md "State"). */
static char *state_json(struct init_state *s, const char *status)
{
	oci_state st = {0};
	char *perr = NULL, *json;

	st.oci_version = (char *)"1.3.0";
	st.id = (char *)s->in->id;
	st.status = (char *)status;
	st.pid = s->host_pid;
	st.pid_present = true;
	st.bundle = s->in->bundle->dir;
	st.annotations = s->cfg->annotations;
	json = oci_state_serialize(&st, false, NULL, &perr);
	free(perr);
	return json ? json : xstrdup("{}");
}

static int run_parent_hooks(struct init_state *s, hull_error **err)
{
	const oci_hooks *h = s->cfg->hooks;
	struct hull_sync_msg m;

	if (!h || (!h->prestart_len && !h->create_runtime_len))
		return 0;
	if (hull_sync_send(sync_fd, SYNC_HOOKS, 0, NULL) < 0)
		return hull_fail_errno(err, "sync");
	if (hull_sync_recv(sync_fd, &m) <= 0 || m.type != SYNC_HOOKS_DONE)
		_exit(1); /* a hook failed: the parent reports it */
	return 0;
}

static int run_container_hooks(struct init_state *s, oci_hook **hooks, size_t n, const char *kind,
			       const char *status, hull_error **err)
{
	cleanup_free char *json = NULL;

	if (!n)
		return 0;
	json = state_json(s, status);
	return hull_hooks_run(hooks, n, kind, json, err);
}

static int set_names(struct init_state *s, hull_error **err)
{
	const char *h = s->cfg->hostname, *d = s->cfg->domainname;

	if (h && *h && sethostname(h, strlen(h)) < 0)
		return hull_fail_errno(err, "hostname: sethostname(\"%s\")", h);
	if (d && *d && setdomainname(d, strlen(d)) < 0)
		return hull_fail_errno(err, "domainname: setdomainname(\"%s\")", d);
	return 0;
}

static int setup_terminal(struct init_state *s, hull_error **err)
{
	cleanup_close int master = -1;

	if (!s->proc || !s->proc->terminal)
		return 0;
	if (s->in->console_fd < 0)
		return hull_fail(err, EINVAL, "process.terminal: needs --console-socket");
	if (hull_terminal_open(s->rootfd, &master, &s->tty_slave, err) < 0 ||
	    hull_devices_console(s->rootfd, s->tty_slave, err) < 0 ||
	    hull_terminal_send_master(s->in->console_fd, master, err) < 0)
		return -1;
	close(s->in->console_fd);
	s->in->console_fd = -1;
	return 0;
}

/* Everything up to pivot_root: namespaces, mounts, devices, hooks. */
static int setup_rootfs(struct init_state *s, hull_error **err)
{
	struct hull_init *in = s->in;
	const oci_linux *l = s->cfg->linux_;
	bool userns = in->ns.clone_flags & CLONE_NEWUSER;
	unsigned long long t = now_ns();

	if (hull_ns_child_setup(&in->ns, l, err) < 0)
		return -1;
	hull_debug_phase("namespaces", t);
	t = now_ns();
	if (s->rootfd < 0)
		s->rootfd = hull_rootfs_prepare(s->cfg, in->bundle->rootfs,
						!in->ns.present[HULL_NS_MNT], err);
	/* In any cgroup namespace, new or joined, a fresh cgroup mount shows
	 * the namespace's root, as /proc/self/cgroup does. */
	if (s->rootfd < 0 ||
	    hull_mount_plan_execute(&in->mounts, s->mounts_done, in->mounts.n, s->rootfd,
				    in->ns.present[HULL_NS_CGROUP], in->cg, err) < 0)
		return -1;
	hull_debug_phase("mounts", t);
	t = now_ns();
	if (hull_devices_setup(l, s->rootfd, userns, err) < 0 || setup_terminal(s, err) < 0)
		return -1;
	if (hull_rootfs_sysctl(l, err) < 0 ||
	    (s->proc && hull_process_oom_score(s->proc, err) < 0) || set_names(s, err) < 0)
		return -1;
	hull_debug_phase("devices", t);
	if (run_parent_hooks(s, err) < 0)
		return -1;
	if (s->cfg->hooks && run_container_hooks(s, s->cfg->hooks->create_container,
						 s->cfg->hooks->create_container_len,
						 "createContainer", "created", err) < 0)
		return -1;
	t = now_ns();
	/* cwd is created like a mount destination would be, before the root
	 * may turn read-only. */
	if (hull_rootfs_mask_paths(l, s->rootfd, err) < 0 ||
	    hull_rootfs_readonly_paths(l, s->rootfd, err) < 0)
		return -1;
	if (s->proc) {
		int cwd = hull_mkpath_in_root(s->rootfd, s->proc->cwd, false, err);
		if (cwd < 0)
			return hull_error_prefix(err, "process.cwd");
		close(cwd);
	}
	if (hull_rootfs_switch(in->bundle->rootfs,
			       !in->ns.present[HULL_NS_MNT] ? HULL_ROOT_CHROOT
			       : in->no_pivot		    ? HULL_ROOT_MOVE
							    : HULL_ROOT_PIVOT,
			       in->parent_detaches ? &s->oldroot : NULL, err) < 0)
		return -1;
	if (s->oldroot >= 0 &&
	    hull_sync_send_fds(sync_fd, SYNC_DETACH, 0, NULL, &s->oldroot, 1) < 0)
		return hull_fail_errno(err, "hand the old root to the parent");
	if (hull_rootfs_finish(s->cfg, err) < 0)
		return -1;
	close(s->rootfd);
	s->rootfd = -1;
	hull_debug_phase("pivot", t);
	return 0;
}

/* The old root must be gone before anything of the container runs (the
 * startContainer hooks, the process) and is awaited before a seccomp
 * filter could refuse the recvmsg: no sooner, so that the parent's detach
 * (an RCU grace period, ~170 us) overlaps the rest of setup_process. */
static void await_detached(struct init_state *s)
{
	struct hull_sync_msg m;

	if (s->oldroot < 0)
		return;
	if (hull_sync_recv(sync_fd, &m) <= 0 || m.type != SYNC_DETACHED)
		_exit(1); /* the parent could not, gave up or died */
	close(s->oldroot);
	s->oldroot = -1;
}

/* The process attributes, in the order privileges allow them. */
static int setup_process(struct init_state *s, hull_error **err)
{
	struct hull_init *in = s->in;
	const oci_process *p = s->proc;

	if (chdir(p->cwd) < 0)
		return hull_fail_errno(err, "process.cwd: chdir %s", p->cwd);
	if (s->tty_slave >= 0 && hull_terminal_make_stdio(s->tty_slave, p->console_size, err) < 0)
		return -1;
	if (hull_process_rlimits(p, err) < 0 || hull_process_sched(p, s->cfg->linux_, err) < 0)
		return -1;
	if (!in->no_new_keyring)
		hull_process_new_keyring(in->id);
	/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a
	 * filter: that is only still ours before the uid change. */
	if (!p->no_new_privileges) {
		await_detached(s);
		if (hull_seccomp_load(in->seccomp, err) < 0)
			return -1;
	}
	if ((!s->bounding_dropped && hull_caps_drop_bounding(&in->caps, err) < 0) ||
	    hull_process_set_user(p, err) < 0 || hull_caps_apply(&in->caps, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_fail_errno(err, "process.noNewPrivileges");
	s->exec_path = hull_process_find_exec(p, err);
	if (!s->exec_path)
		return -1;
	await_detached(s);
	return 0;
}

/* create: block until `hull start` writes a byte into exec.fifo. */
static int wait_start(struct init_state *s, hull_error **err)
{
	struct hull_init *in = s->in;
	struct hull_sync_msg m;

	if (in->run_at_once)
		return 0;
	if (in->run_mode) {
		if (hull_sync_recv(sync_fd, &m) <= 0 || m.type != SYNC_START)
			_exit(1);
		return 0;
	}
	for (;;) {
		struct pollfd p = {.fd = in->fifo_fd, .events = POLLIN};
		char c;
		ssize_t n;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hull_fail_errno(err, "wait for start");
		}
		n = read(in->fifo_fd, &c, 1);
		if (n == 1)
			break;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* A writer came and went without a byte: start died halfway. */
		_exit(1);
	}
	/* The fifo stays open until execve closes it (O_CLOEXEC): that is how
	 * `start` learns the user process is running. */
	return 0;
}

static void __attribute__((noreturn)) exec_process(struct init_state *s)
{
	struct hull_init *in = s->in;
	hull_error *err = NULL;
	char **env = s->proc->env_len ? s->proc->env : (char *[]){NULL};

	/* Preserved fds are inherited on purpose; all of ours are O_CLOEXEC. */
	hull_fdset_pass(&in->preserved);
	if (in->run_mode)
		hull_sync_send(sync_fd, SYNC_EXEC, 0, NULL);
	execve(s->exec_path, s->proc->args, env);
	hull_fail_errno(&err, "exec %s", s->exec_path);
	if (!in->run_mode) {
		close(sync_fd);
		sync_fd = -1;
	}
	die(err);
}

static bool on_cpus(const cpu_set_t *set)
{
	int cpu = sched_getcpu();

	return cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, set);
}

void hull_init_main(struct hull_init *in)
{
	struct init_state s = {.in = in, .rootfd = -1, .tty_slave = -1, .oldroot = -1};
	hull_error *err = NULL;

	s.cfg = in->bundle->cfg;
	s.proc = s.cfg->process;
	sync_fd = in->sync_fd;
	/* before anything else: on the parent's CPU we would delay it */
	if (in->cpus_spread && !on_cpus(&in->cpus_away))
		(void)sched_setaffinity(0, sizeof(in->cpus_away), &in->cpus_away);
	reset_signals(&in->sigmask);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, "hull:init", 0, 0, 0);
	/* Until execve this process is hull: nothing in the container may
	 * ptrace it or open its /proc/PID/exe (CVE-2019-5736).  execve makes
	 * the user's program dumpable again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	hull_log_set_forwarder(forward_log, NULL);
	/* Into the cgroups once they exist (SYNC_GO), before any user code
	 * and before the cgroup namespace is made; by ourselves, which is
	 * cheap (cgroup-join.h). */
	if (close_inherited(in, &err) < 0 || (in->early_ns && early_setup(&s, &err) < 0) ||
	    wait_go(&s, &err) < 0 || join_cgroups(&s, &err) < 0 || setup_rootfs(&s, &err) < 0 ||
	    (s.proc && setup_process(&s, &err) < 0))
		die(err);
	await_detached(&s); /* without a process */
	/* From here on the parent may exit (create); we must outlive it. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (hull_sync_send(sync_fd, SYNC_READY, 0, NULL) < 0)
		_exit(1);
	if (!in->run_mode) {
		close(sync_fd);
		sync_fd = -1;
	}
	if (!s.proc) /* nothing to start: start refuses; kill or delete end us */
		for (;;)
			pause();
	if (wait_start(&s, &err) < 0)
		die(err);
	if (s.cfg->hooks && run_container_hooks(&s, s.cfg->hooks->start_container,
						s.cfg->hooks->start_container_len, "startContainer",
						"created", &err) < 0)
		die(err);
	if (hull_process_lsm(s.proc, &err) < 0)
		die(err);
	if (s.proc->no_new_privileges && hull_seccomp_load(in->seccomp, &err) < 0)
		die(err);
	exec_process(&s);
}
