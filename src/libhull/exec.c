/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec: a new process in an existing container.  The parent joins the
 * container's pid namespace (for its children) and forks; the child joins
 * the other namespaces of the container's first process, the parent puts
 * it in the container's cgroups, and the child takes on the process
 * attributes (the container's, or --process) before execve.  The protocol
 * is the one of sync.h, from SYNC_GO on.
 */
#include "config.h"
#include "container-priv.h"
#include "capabilities.h"
#include "cgroup.h"
#include "cgroup-join.h"
#include "failpoint.h"
#include "log.h"
#include "namespaces.h"
#include "path.h"
#include "process.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* /proc/PID/ns names, in the order hull_ns lists the types. */
static const char *const ns_files[HULL_NS_COUNT] = {
    [HULL_NS_USER] = "user",	 [HULL_NS_PID] = "pid",	  [HULL_NS_NET] = "net",
    [HULL_NS_MNT] = "mnt",	 [HULL_NS_IPC] = "ipc",	  [HULL_NS_UTS] = "uts",
    [HULL_NS_CGROUP] = "cgroup", [HULL_NS_TIME] = "time",
};

struct exec_ctx {
	const struct hull_exec_opts *o;
	const char *root; /* the state root */
	oci_config *cfg;
	oci_process *proc;
	struct hull_caps caps;
	struct hull_seccomp *seccomp;
	int ns_fd[HULL_NS_COUNT];
	int sync_fd, child_sync;
	int console_fd, relay_sock, relay_fd;
	hull_cgroup *cg;
	bool v2_placed;
	struct hull_fdset preserved;
	sigset_t sigmask;
};

static int load_config(hull_cdir *c, oci_config **cfg, hull_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", c->path, HULL_CONFIG_FILE), *perr = NULL;

	*cfg = oci_config_parse_file(path, "config.json", &perr);
	if (!*cfg)
		return hull_fail(err, EINVAL, "container \"%s\": stored config: %s", c->id, perr);
	return 0;
}

static char **strv_append(char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 2) * sizeof(char *));
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return v;
}

/* --env NAME=VALUE replaces NAME in the container's env or adds it. */
static void set_env(oci_process *p, const char *kv)
{
	size_t len = strcspn(kv, "=");

	for (size_t i = 0; i < p->env_len; i++)
		if (strncmp(p->env[i], kv, len) == 0 && p->env[i][len] == '=') {
			free(p->env[i]);
			p->env[i] = xstrdup(kv);
			return;
		}
	p->env = strv_append(p->env, &p->env_len, kv);
}

static int parse_user(oci_process *p, const char *spec, hull_error **err)
{
	char *colon = strchr(spec, ':');
	long v;
	cleanup_free char *uid = xstrndup(spec, colon ? (size_t)(colon - spec) : strlen(spec));

	if (parse_long(uid, 0, 0xffffffffL, &v) < 0)
		return hull_fail(err, EINVAL, "--user: expected UID[:GID], got \"%s\"", spec);
	p->user->uid = (uint32_t)v;
	p->user->uid_present = true;
	if (colon) {
		if (parse_long(colon + 1, 0, 0xffffffffL, &v) < 0)
			return hull_fail(err, EINVAL, "--user: expected UID[:GID], got \"%s\"",
					 spec);
		p->user->gid = (uint32_t)v;
		p->user->gid_present = true;
	}
	return 0;
}

static void add_cap(oci_capabilities *c, const char *cap)
{
	c->bounding = strv_append(c->bounding, &c->bounding_len, cap);
	c->effective = strv_append(c->effective, &c->effective_len, cap);
	c->permitted = strv_append(c->permitted, &c->permitted_len, cap);
	c->ambient = strv_append(c->ambient, &c->ambient_len, cap);
}

/* The process to run: --process, or the container's with the flags on top. */
static int build_process(struct exec_ctx *x, hull_error **err)
{
	const struct hull_exec_opts *o = x->o;
	char *perr = NULL;

	if (o->process_file) {
		x->proc = oci_process_parse_file(o->process_file, o->process_file, &perr);
		if (!x->proc) {
			hull_fail(err, EINVAL, "--process: %s", perr);
			free(perr);
			return -1;
		}
	} else {
		if (!x->cfg->process || !o->nargs)
			return hull_fail(err, EINVAL,
					 "exec: a command (or --process FILE) is required");
		x->proc = x->cfg->process;
		x->cfg->process = NULL;
		strv_free_n(x->proc->args, x->proc->args_len);
		x->proc->args = xcalloc(o->nargs + 1, sizeof(char *));
		for (size_t i = 0; i < o->nargs; i++)
			x->proc->args[i] = xstrdup(o->args[i]);
		x->proc->args_len = o->nargs;
		x->proc->terminal = o->tty;
		x->proc->terminal_present = true;
	}
	if (o->cwd) {
		free(x->proc->cwd);
		x->proc->cwd = xstrdup(o->cwd);
	}
	for (size_t i = 0; i < o->nenv; i++)
		set_env(x->proc, o->env[i]);
	if (o->user && parse_user(x->proc, o->user, err) < 0)
		return -1;
	for (size_t i = 0; i < o->ngids; i++) {
		long g;
		if (parse_long(o->additional_gids[i], 0, 0xffffffffL, &g) < 0)
			return hull_fail(err, EINVAL, "--additional-gids: \"%s\" is not a gid",
					 o->additional_gids[i]);
		x->proc->user->additional_gids =
		    xrealloc(x->proc->user->additional_gids,
			     (x->proc->user->additional_gids_len + 1) * sizeof(uint32_t));
		x->proc->user->additional_gids[x->proc->user->additional_gids_len++] = (uint32_t)g;
	}
	if (o->ncaps && !x->proc->capabilities)
		x->proc->capabilities = xcalloc(1, sizeof(*x->proc->capabilities));
	for (size_t i = 0; i < o->ncaps; i++)
		add_cap(x->proc->capabilities, o->caps[i]);
	if (o->no_new_privs)
		x->proc->no_new_privileges = x->proc->no_new_privileges_present = true;
	return hull_process_validate(x->proc,
				     o->process_file ? "--process: process" : "exec: process", err);
}

/* The namespaces of the container's first process that are not ours. */
static int open_namespaces(struct exec_ctx *x, const oci_hull_state *st, hull_error **err)
{
	for (int i = 0; i < HULL_NS_COUNT; i++) {
		char path[64], self[64];
		struct stat a, b;

		x->ns_fd[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)st->pid, ns_files[i]);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[i]);
		if (stat(self, &b) < 0)
			continue; /* a namespace type this kernel lacks */
		x->ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (x->ns_fd[i] < 0)
			return hull_fail_errno(err, "exec: open %s", path);
		if (fstat(x->ns_fd[i], &a) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			close(x->ns_fd[i]);
			x->ns_fd[i] = -1;
		}
	}
	/* The fds are the container's only if its process is still the one
	 * the state names (pid reuse). */
	if (!hull_pid_alive(st->pid, st->pid_start_time))
		return hull_fail(err, ESRCH, "container \"%s\" is not running", st->id);
	return 0;
}

static void __attribute__((noreturn)) child_fail(int fd, hull_error *e)
{
	if (hull_sync_send(fd, SYNC_ERROR, e ? e->errnum : 0, e ? e->msg : "exec failed") < 0)
		dprintf(2, "hull: %s\n", e ? e->msg : "exec failed");
	_exit(1);
}

static int child_terminal(struct exec_ctx *x, hull_error **err)
{
	cleanup_close int root = -1, master = -1;
	int slave = -1;

	if (!x->proc->terminal)
		return 0;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return hull_fail_errno(err, "open /");
	if (hull_terminal_open(root, &master, &slave, err) < 0 ||
	    hull_terminal_send_master(x->console_fd, master, err) < 0 ||
	    hull_terminal_make_stdio(slave, x->proc->console_size, err) < 0)
		return -1;
	close(slave);
	return 0;
}

static void __attribute__((noreturn)) exec_child(struct exec_ctx *x)
{
	const oci_process *p = x->proc;
	struct hull_sync_msg m;
	hull_error *e = NULL;
	char *path;
	int keep[HULL_NS_COUNT + 2], nkeep = 0;

	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &x->sigmask, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* joins the container next: no ptrace, no /proc/PID/exe for it
	 * until execve (CVE-2019-5736) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NAME, "hull:exec", 0, 0, 0);
	keep[nkeep++] = x->child_sync;
	if (x->console_fd >= 0)
		keep[nkeep++] = x->console_fd;
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (x->ns_fd[i] >= 0)
			keep[nkeep++] = x->ns_fd[i];
	close_fds_from(3 + x->o->preserve_fds, keep, (size_t)nkeep);
	if (hull_cgroup_join_self(x->cg, x->v2_placed, NULL, 0, &e) < 0)
		child_fail(x->child_sync, e);
	if (hull_sync_recv(x->child_sync, &m) <= 0 || m.type != SYNC_GO)
		_exit(1);
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (i != HULL_NS_PID && x->ns_fd[i] >= 0 &&
		    setns(x->ns_fd[i], hull_ns_clone_flag((enum hull_ns)i)) < 0) {
			hull_fail_errno(&e, "exec: join %s namespace",
					hull_ns_name((enum hull_ns)i));
			child_fail(x->child_sync, e);
		}
	if (chdir(p->cwd) < 0) {
		hull_fail_errno(&e, "exec: cwd %s", p->cwd);
		child_fail(x->child_sync, e);
	}
	if (child_terminal(x, &e) < 0 || hull_process_rlimits(p, &e) < 0 ||
	    hull_process_sched(p, x->cfg->linux_, &e) < 0 ||
	    (!p->no_new_privileges && hull_seccomp_load(x->seccomp, &e) < 0) ||
	    hull_caps_drop_bounding(&x->caps, &e) < 0 || hull_process_set_user(p, &e) < 0 ||
	    hull_caps_apply(&x->caps, &e) < 0)
		child_fail(x->child_sync, e);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		hull_fail_errno(&e, "exec: noNewPrivileges");
		child_fail(x->child_sync, e);
	}
	path = hull_process_find_exec(p, &e);
	if (!path || hull_process_lsm(p, &e) < 0 ||
	    (p->no_new_privileges && hull_seccomp_load(x->seccomp, &e) < 0))
		child_fail(x->child_sync, e);
	hull_fdset_pass(&x->preserved);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	hull_sync_send(x->child_sync, SYNC_EXEC, 0, NULL);
	execve(path, p->args, p->env_len ? p->env : (char *[]){NULL});
	hull_fail_errno(&e, "exec %s", path);
	child_fail(x->child_sync, e);
}

static int fork_child(struct exec_ctx *x, pid_t *pid, hull_error **err)
{
	int pair[2], saved = -1, cgfd;
	sigset_t all;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return hull_fail_errno(err, "socketpair");
	x->sync_fd = pair[0];
	x->child_sync = pair[1];
	if (x->ns_fd[HULL_NS_PID] >= 0) {
		saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (saved < 0 || setns(x->ns_fd[HULL_NS_PID], CLONE_NEWPID) < 0)
			return hull_fail_errno(err, "exec: join the pid namespace");
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &x->sigmask);
	cgfd = hull_cgroup_v2_fd(x->cg);
	*pid = hull_cgroup_clone(0, cgfd, &x->v2_placed);
	if (*pid == 0)
		exec_child(x);
	if (cgfd >= 0)
		close(cgfd);
	if (saved >= 0) {
		setns(saved, CLONE_NEWPID);
		close(saved);
	}
	if (*pid < 0)
		return hull_fail_errno(err, "fork");
	close(x->child_sync);
	x->child_sync = -1;
	return 0;
}

static int wait_exec(struct exec_ctx *x, pid_t pid, hull_error **err)
{
	struct hull_sync_msg m;
	bool seen = false;

	for (;;) {
		int r = hull_sync_recv(x->sync_fd, &m);
		if (r < 0)
			return hull_fail_errno(err, "exec");
		if (r == 0) {
			if (seen)
				return 0;
			waitpid(pid, NULL, 0);
			return hull_fail(err, EIO, "exec: the process ended during setup");
		}
		if (m.type == SYNC_EXEC)
			seen = true;
		else if (m.type == SYNC_ERROR) {
			waitpid(pid, NULL, 0);
			return hull_fail(err, m.errnum, "%s", m.data);
		}
	}
}

static int open_terminal_socket(struct exec_ctx *x, hull_error **err)
{
	int pair[2];

	if (!x->proc->terminal)
		return 0;
	if (x->o->console_socket) {
		x->console_fd = hull_console_socket_connect(x->o->console_socket, err);
		return x->console_fd < 0 ? -1 : 0;
	}
	if (x->o->detach)
		return hull_fail(err, EINVAL, "exec: --tty with --detach needs --console-socket");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return hull_fail_errno(err, "socketpair");
	x->relay_sock = pair[0];
	x->console_fd = pair[1];
	return 0;
}

static int write_pid(const char *path, pid_t pid, hull_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		return hull_fail_errno(err, "--pid-file %s", path);
	return 0;
}

static int do_exec(struct exec_ctx *x, hull_cdir *c, oci_hull_state *st, int *status,
		   hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = NULL;
	enum hull_status s = hull_state_status(c, st);
	char buf[32];
	pid_t pid = -1;

	if (s != HULL_STATUS_RUNNING && s != HULL_STATUS_CREATED)
		return hull_fail(err, EINVAL, "container \"%s\" is %s: can't exec in it", st->id,
				 hull_status_name(s));
	if (load_config(c, &x->cfg, err) < 0 || build_process(x, err) < 0 ||
	    hull_caps_parse(x->proc->capabilities, "process.capabilities", &x->caps, err) < 0)
		return -1;
	if (x->cfg->linux_ && x->cfg->linux_->seccomp &&
	    hull_seccomp_compile(x->cfg->linux_->seccomp, x->root, &x->seccomp, err) < 0)
		return -1;
	if (hull_cgroup_load(st, &cg, err) < 0 || open_namespaces(x, st, err) < 0 ||
	    open_terminal_socket(x, err) < 0)
		return -1;
	x->cg = cg;
	if (fork_child(x, &pid, err) < 0)
		return -1;
	hull_failpoint("exec-forked");
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (hull_sync_send(x->sync_fd, SYNC_GO, 0, buf) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err && *err ? -1 : hull_fail_errno(err, "exec");
	}
	if (x->relay_sock >= 0 && (x->relay_fd = hull_terminal_receive(x->relay_sock, err)) < 0)
		return -1;
	if (wait_exec(x, pid, err) < 0)
		return -1;
	hull_seccomp_remember(x->seccomp, x->root);
	if (x->o->pid_file && write_pid(x->o->pid_file, pid, err) < 0)
		return -1;
	if (x->o->detach)
		return 0;
	if (x->relay_fd >= 0) {
		hull_terminal_copy_size(0, x->relay_fd);
		hull_terminal_raw_stdin();
	}
	return hull_wait_forwarding(pid, x->relay_fd, status, err);
}

int hull_container_exec(hull_context *ctx, const struct hull_exec_opts *o, int *status,
			hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;
	struct exec_ctx x = {.o = o,
			     .sync_fd = -1,
			     .child_sync = -1,
			     .console_fd = -1,
			     .relay_sock = -1,
			     .relay_fd = -1};
	int r = -1;

	for (int i = 0; i < HULL_NS_COUNT; i++)
		x.ns_fd[i] = -1;
	x.root = ctx->root;
	*status = 0;
	/* before hull opens anything of its own */
	hull_fdset_snapshot(&x.preserved, o->preserve_fds);
	if (hull_store_open(ctx->root, false, &store, err) < 0 ||
	    hull_cdir_open(store, o->id, LOCK_SH, &c, err) < 0 || hull_state_load(c, &st, err) < 0)
		goto out;
	/* The lock is for reading the state; the exec'd process must not
	 * keep delete waiting. */
	flock(c->dirfd, LOCK_UN);
	r = do_exec(&x, c, st, status, err);
out:
	for (int i = 0; i < HULL_NS_COUNT; i++)
		if (x.ns_fd[i] >= 0)
			close(x.ns_fd[i]);
	for (int *fd = (int[]){x.sync_fd, x.child_sync, x.console_fd, x.relay_sock, x.relay_fd},
		 i = 0;
	     i < 5; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	hull_fdset_free(&x.preserved);
	oci_process_free(x.proc);
	oci_config_free(x.cfg);
	hull_seccomp_free(x.seccomp);
	oci_hull_state_free(st);
	return r;
}
