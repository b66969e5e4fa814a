/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The operations on an existing container: start, kill, delete, state, list. */
#include "config.h"
#include "container-priv.h"
#include "cgroup.h"
#include "failpoint.h"
#include "hooks.h"
#include "resctrl.h"
#include "rootfs.h"
#include "log.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

char *hull_state_json(const oci_hull_state *st, enum hull_status status, bool pretty)
{
	oci_state s = {0};
	char *perr = NULL, *json;

	s.oci_version = (char *)"1.3.0";
	s.id = st->id;
	s.status = (char *)hull_status_name(status);
	/* runtime.md: pid is for created and running containers */
	if (status != HULL_STATUS_STOPPED && st->pid_present) {
		s.pid = st->pid;
		s.pid_present = true;
	} else {
		s.pid = 0;
		s.pid_present = true;
	}
	s.bundle = st->bundle;
	s.annotations = st->annotations;
	s.rootfs = st->rootfs;
	s.created = st->created;
	s.owner = st->owner ? st->owner : (char *)"";
	json = oci_state_serialize(&s, pretty, NULL, &perr);
	free(perr);
	return json ? json : xstrdup("{}");
}

void hull_run_poststop(const oci_hull_state *st)
{
	cleanup_free char *json = NULL;

	if (!st->hooks || !st->hooks->poststop_len)
		return;
	json = hull_state_json(st, HULL_STATUS_STOPPED, false);
	hull_hooks_run_all(st->hooks->poststop, st->hooks->poststop_len, "poststop", json);
}

void hull_run_poststart(const oci_hull_state *st)
{
	cleanup_free char *json = NULL;

	if (!st->hooks || !st->hooks->poststart_len)
		return;
	json = hull_state_json(st, HULL_STATUS_RUNNING, false);
	hull_hooks_run_all(st->hooks->poststart, st->hooks->poststart_len, "poststart", json);
}

static int pidfd_for(pid_t pid, uint64_t start_time)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* The pidfd pins the process; checking the start time after opening
	 * it makes sure it is still ours, not a reused pid. */
	if (fd >= 0 && !hull_pid_alive(pid, start_time)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

int hull_wait_pid_gone(pid_t pid, uint64_t start_time, int timeout_ms)
{
	cleanup_close int fd = pidfd_for(pid, start_time);
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (fd < 0)
		return errno == ESRCH ? 0 : -1;
	/* A pidfd turns readable once the process has exited, even one that
	 * is not our child.  Not reaped yet (a zombie) counts as gone. */
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (poll(&p, 1, 10) > 0 || !hull_pid_alive(pid, start_time))
			return 0;
	}
	return -1;
}

static int signal_init(const oci_hull_state *st, int sig, hull_error **err)
{
	cleanup_close int fd = pidfd_for(st->pid, st->pid_start_time);

	if (fd < 0) {
		if (errno == ESRCH)
			return hull_fail(err, ESRCH, "container \"%s\" is not running", st->id);
		/* kernels without pidfd_open: plain kill after the check */
		if (!hull_pid_alive(st->pid, st->pid_start_time))
			return hull_fail(err, ESRCH, "container \"%s\" is not running", st->id);
		if (kill(st->pid, sig) < 0)
			return hull_fail_errno(err, "kill container \"%s\"", st->id);
		return 0;
	}
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
		return hull_fail_errno(err, "kill container \"%s\"", st->id);
	return 0;
}

int hull_destroy(hull_store *store, hull_cdir *c, oci_hull_state *st, hull_error **err)
{
	cleanup_cgroup hull_cgroup *cg = NULL;
	hull_error *e = NULL;

	if (hull_pid_alive(st->pid, st->pid_start_time)) {
		signal_init(st, SIGKILL, NULL);
		if (hull_wait_pid_gone(st->pid, st->pid_start_time, 5000) < 0)
			return hull_fail(err, EBUSY, "container \"%s\": its process does not die",
					 st->id);
	}
	hull_failpoint("delete-killed");
	if (hull_cgroup_load(st, &cg, err) < 0)
		return -1;
	/* Without its own pid namespace, the init's death kills nothing else. */
	if (st->cgroup_paths && st->cgroup_paths->len) {
		pid_t *pids = NULL;
		size_t n = 0;
		if (hull_cgroup_pids(cg, &pids, &n, NULL) == 0 && n)
			hull_cgroup_kill_all(cg, SIGKILL, NULL);
		free(pids);
	}
	if (hull_cgroup_destroy(cg, &e) < 0) {
		/* keep the state: a later delete --force can retry */
		hull_error_take(err, e);
		return -1;
	}
	hull_failpoint("delete-cgroup");
	if (st->host_mount_ns)
		hull_rootfs_detach(st->rootfs);
	if (st->resctrl_group)
		hull_resctrl_remove(st->resctrl_group);
	hull_run_poststop(st);
	return hull_cdir_remove(store, c, err);
}

static int open_container(hull_context *ctx, const char *id, int lock, hull_store **store,
			  hull_cdir **c, oci_hull_state **st, hull_error **err)
{
	if (hull_store_open(ctx->root, false, store, err) < 0 ||
	    hull_cdir_open(*store, id, lock, c, err) < 0)
		return -1;
	if (hull_state_load(*c, st, err) < 0)
		return -1;
	return 0;
}

/* The init holds exec.fifo's read end open until execve closes it
 * (O_CLOEXEC); the write end then reports POLLERR.  Waiting for that puts
 * the poststart hooks after the user process really started (runtime.md),
 * not merely after it was told to. */
static void wait_exec(int fifo_fd)
{
	struct pollfd p = {.fd = fifo_fd, .events = 0};

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

int hull_container_start(hull_context *ctx, const char *id, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	cleanup_close int fd = -1;
	oci_hull_state *st = NULL;
	enum hull_status status;
	int r = -1;

	if (open_container(ctx, id, LOCK_EX, &store, &c, &st, err) < 0)
		goto out;
	status = hull_state_status(c, st);
	if (status != HULL_STATUS_CREATED) {
		hull_fail(err, EINVAL, "container \"%s\" is %s, not created: it can't be started",
			  id, hull_status_name(status));
		goto out;
	}
	if (st->no_process) {
		/* It can never run: stop it, so it reads "stopped" and delete
		 * works without --force. */
		signal_init(st, SIGKILL, NULL);
		hull_wait_pid_gone(st->pid, st->pid_start_time, 5000);
		hull_fail(err, EINVAL,
			  "container \"%s\" has no process to start (its config.json has none)",
			  id);
		goto out;
	}
	fd = openat(c->dirfd, HULL_FIFO_FILE, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		hull_fail_sys(err, errno, "container \"%s\" is not waiting to start%s", id,
			      errno == ENXIO ? " (its process is gone)" : "");
		goto out;
	}
	if (write(fd, "0", 1) != 1) {
		hull_fail_errno(err, "start container \"%s\"", id);
		goto out;
	}
	hull_failpoint("start-signalled");
	/* Gone fifo == started: status reads "running" from now on. */
	unlinkat(c->dirfd, HULL_FIFO_FILE, 0);
	wait_exec(fd);
	hull_run_poststart(st);
	r = 0;
out:
	oci_hull_state_free(st);
	return r;
}

int hull_container_kill(hull_context *ctx, const char *id, int sig, bool all, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;
	enum hull_status status;
	int r = -1;

	if (open_container(ctx, id, LOCK_SH, &store, &c, &st, err) < 0)
		goto out;
	status = hull_state_status(c, st);
	if (status == HULL_STATUS_STOPPED || status == HULL_STATUS_CREATING) {
		hull_fail(err, ESRCH, "container \"%s\" is %s: nothing to signal", id,
			  hull_status_name(status));
		goto out;
	}
	if (all) {
		cleanup_cgroup hull_cgroup *cg = NULL;
		if (hull_cgroup_load(st, &cg, err) < 0 || hull_cgroup_kill_all(cg, sig, err) < 0)
			goto out;
		/* a paused container gets the signal once it is thawed */
		r = 0;
		goto out;
	}
	r = signal_init(st, sig, err);
out:
	oci_hull_state_free(st);
	return r;
}

int hull_container_delete(hull_context *ctx, const char *id, bool force, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;
	hull_error *lerr = NULL;
	enum hull_status status;
	int r = -1;

	if (hull_store_open(ctx->root, false, &store, err) < 0)
		return -1;
	if (hull_cdir_open(store, id, LOCK_EX, &c, &lerr) < 0) {
		/* --force means "make sure it is gone", as runc reads it: a
		 * container that never got created is not an error then. */
		if (force && lerr->errnum == ENOENT) {
			hull_error_free(lerr);
			return 0;
		}
		hull_error_take(err, lerr);
		return -1;
	}
	if (hull_state_load(c, &st, &lerr) < 0) {
		/* a create that died before writing any state */
		if (!force) {
			hull_error_take(err, lerr);
			return -1;
		}
		hull_error_free(lerr);
		return hull_cdir_remove(store, c, err);
	}
	status = hull_state_status(c, st);
	if (status != HULL_STATUS_STOPPED && !force) {
		hull_fail(err, EBUSY,
			  "container \"%s\" is %s: stop it first, or use delete --force", id,
			  hull_status_name(status));
		goto out;
	}
	if (status == HULL_STATUS_PAUSED) {
		cleanup_cgroup hull_cgroup *cg = NULL;
		if (hull_cgroup_load(st, &cg, NULL) == 0) {
			hull_cgroup_kill_all(cg, SIGKILL, NULL);
			hull_cgroup_freeze(cg, false, NULL);
		}
	}
	r = hull_destroy(store, c, st, err);
out:
	oci_hull_state_free(st);
	return r;
}

int hull_container_state(hull_context *ctx, const char *id, char **json, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	oci_hull_state *st = NULL;

	if (open_container(ctx, id, 0, &store, &c, &st, err) < 0) {
		oci_hull_state_free(st);
		return -1;
	}
	*json = hull_state_json(st, hull_state_status(c, st), true);
	oci_hull_state_free(st);
	return 0;
}

int hull_container_list(hull_context *ctx, struct hull_list_entry **out, size_t *n,
			hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_strv char **ids = NULL;
	struct hull_list_entry *v;
	size_t count = 0, nids = 0;

	*out = NULL;
	*n = 0;
	if (hull_store_open(ctx->root, false, &store, err) < 0 ||
	    hull_store_list(store, &ids, &nids, err) < 0)
		return -1;
	v = xcalloc(nids + 1, sizeof(*v));
	for (size_t i = 0; i < nids; i++) {
		cleanup_cdir hull_cdir *c = NULL;
		oci_hull_state *st = NULL;
		hull_error *e = NULL;
		enum hull_status status;

		/* Broken or half-made entries are skipped, never fatal. */
		if (hull_cdir_open(store, ids[i], 0, &c, &e) < 0 ||
		    hull_state_load(c, &st, &e) < 0) {
			hull_debug("list: skipping %s: %s", ids[i], e ? e->msg : "?");
			hull_error_free(e);
			continue;
		}
		status = hull_state_status(c, st);
		if (st->creating && status == HULL_STATUS_STOPPED) {
			oci_hull_state_free(st);
			continue;
		}
		v[count].id = xstrdup(st->id);
		v[count].status = xstrdup(hull_status_name(status));
		v[count].bundle = xstrdup(st->bundle);
		v[count].created = xstrdup(st->created ? st->created : "");
		v[count].owner = xstrdup(st->owner ? st->owner : "");
		v[count].rootfs = xstrdup(st->rootfs ? st->rootfs : "");
		v[count].pid = status == HULL_STATUS_STOPPED ? 0 : st->pid;
		count++;
		oci_hull_state_free(st);
	}
	*out = v;
	*n = count;
	return 0;
}

void hull_list_free(struct hull_list_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].id);
		free(e[i].status);
		free(e[i].bundle);
		free(e[i].created);
		free(e[i].owner);
		free(e[i].rootfs);
	}
	free(e);
}

int hull_container_pause(hull_context *ctx, const char *id, bool pause, hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	cleanup_cgroup hull_cgroup *cg = NULL;
	oci_hull_state *st = NULL;
	enum hull_status status;
	int r = -1;

	if (open_container(ctx, id, LOCK_EX, &store, &c, &st, err) < 0)
		goto out;
	status = hull_state_status(c, st);
	if (pause && status != HULL_STATUS_RUNNING && status != HULL_STATUS_CREATED) {
		hull_fail(err, EINVAL,
			  "container \"%s\" is %s: only a running container can be paused", id,
			  hull_status_name(status));
		goto out;
	}
	if (!pause && status != HULL_STATUS_PAUSED) {
		hull_fail(err, EINVAL, "container \"%s\" is %s, not paused", id,
			  hull_status_name(status));
		goto out;
	}
	if (hull_cgroup_load(st, &cg, err) < 0 || hull_cgroup_freeze(cg, pause, err) < 0)
		goto out;
	r = 0;
out:
	oci_hull_state_free(st);
	return r;
}

int hull_container_pids(hull_context *ctx, const char *id, pid_t **pids, size_t *n,
			hull_error **err)
{
	cleanup_store hull_store *store = NULL;
	cleanup_cdir hull_cdir *c = NULL;
	cleanup_cgroup hull_cgroup *cg = NULL;
	oci_hull_state *st = NULL;
	int r = -1;

	*pids = NULL;
	*n = 0;
	if (open_container(ctx, id, LOCK_SH, &store, &c, &st, err) < 0)
		goto out;
	if (hull_state_status(c, st) == HULL_STATUS_STOPPED) {
		r = 0;
		goto out;
	}
	if (hull_cgroup_load(st, &cg, err) < 0 || hull_cgroup_pids(cg, pids, n, err) < 0)
		goto out;
	r = 0;
out:
	oci_hull_state_free(st);
	return r;
}

static const struct {
	const char *name;
	int sig;
} signal_table[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},	{"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT},	{"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL},	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE},	{"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},	{"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},	   {"XCPU", SIGXCPU},	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},	   {"WINCH", SIGWINCH}, {"IO", SIGIO},	   {"POLL", SIGPOLL},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

int hull_parse_signal(const char *s, int *sig, hull_error **err)
{
	const char *name = s;
	long v;

	if (parse_long(s, 1, SIGRTMAX, &v) == 0) {
		*sig = (int)v;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (strcasecmp(name, signal_table[i].name) == 0) {
			*sig = signal_table[i].sig;
			return 0;
		}
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = toupper((unsigned char)name[3]) == 'I';
		long off = 0;
		if (name[5] && parse_long(name + 5, -32, 32, &off) < 0)
			goto bad;
		*sig = (min ? SIGRTMIN : SIGRTMAX) + (int)off;
		if (*sig >= SIGRTMIN && *sig <= SIGRTMAX)
			return 0;
	}
bad:
	return hull_fail(err, EINVAL, "unknown signal \"%s\"", s);
}

char *hull_user_name(uid_t uid)
{
	cleanup_free char *data = NULL;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/etc/passwd", &data, NULL, NULL) == 0)
		for (char *line = strtok_r(data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2 && strtoul(c2 + 1, NULL, 10) == uid && c2[1] != ':') {
				*c1 = '\0';
				return xstrdup(line);
			}
		}
	return xasprintf("%u", uid);
}
