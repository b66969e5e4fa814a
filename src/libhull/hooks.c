/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "hooks.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_OUTPUT_MAX 4096

static void __attribute__((noreturn)) exec_hook(const oci_hook *h, int in_fd, int out_fd)
{
	static char *const empty[] = {NULL};
	char *argv0[] = {h->path, NULL};
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	close_fds_from(3, NULL, 0);
	execve(h->path, h->args_len ? h->args : argv0, h->env_len ? h->env : empty);
	dprintf(2, "exec %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

static void read_some(int fd, char *out, size_t *outlen)
{
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0) {
		size_t room = HOOK_OUTPUT_MAX - 1 - *outlen;
		size_t take = (size_t)n < room ? (size_t)n : room;
		memcpy(out + *outlen, buf, take);
		*outlen += take;
	}
}

/* Waits for the hook, collecting its output, for at most timeout seconds
 * (0: no limit).  The pidfd says when it exits even if something it left
 * behind keeps the pipe open.  Returns the wait status, -1 on timeout. */
static int wait_hook(pid_t pid, int out_fd, int timeout, char *out, size_t *outlen)
{
	unsigned long long deadline =
	    timeout > 0 ? now_ns() + (unsigned long long)timeout * 1000000000ULL : 0;
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	int status;

	fcntl(out_fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		int ms = -1;
		if (deadline) {
			unsigned long long now = now_ns();
			if (now >= deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return -1;
			}
			ms = (int)((deadline - now) / 1000000) + 1;
		}
		if (pidfd < 0)
			ms = ms < 0 || ms > 50 ? 50 : ms; /* no pidfd: poll waitpid */
		if (poll(p, pidfd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			read_some(out_fd, out, outlen);
		else if (p[0].revents & (POLLHUP | POLLERR))
			p[0].fd = -1;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			read_some(out_fd, out, outlen);
			return status;
		}
	}
	waitpid(pid, &status, 0);
	return status;
}

static int run_one(const oci_hook *h, const char *kind, size_t idx, const char *state,
		   hull_error **err)
{
	int in[2] = {-1, -1}, outp[2] = {-1, -1};
	char out[HOOK_OUTPUT_MAX];
	size_t outlen = 0;
	pid_t pid;
	int status;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		hull_fail_errno(err, "hooks.%s[%zu]: pipe", kind, idx);
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		hull_fail_errno(err, "hooks.%s[%zu]: fork", kind, idx);
		goto fail;
	}
	if (pid == 0)
		exec_hook(h, in[0], outp[1]);
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	/* A hook may exit without reading stdin: EPIPE is not an error. */
	if (write_all(in[1], state, strlen(state)) < 0 && errno != EPIPE)
		hull_debug("hooks.%s[%zu]: write state: %s", kind, idx, strerror(errno));
	close(in[1]);
	in[1] = -1;
	status = wait_hook(pid, outp[0], h->timeout_present ? h->timeout : 0, out, &outlen);
	close(outp[0]);
	out[outlen] = '\0';
	while (outlen && (out[outlen - 1] == '\n'))
		out[--outlen] = '\0';
	if (status < 0)
		return hull_fail(err, ETIMEDOUT, "hooks.%s[%zu] (%s): timed out after %d s", kind,
				 idx, h->path, h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (outlen)
			hull_info("hooks.%s[%zu] (%s): %s", kind, idx, h->path, out);
		return 0;
	}
	if (WIFSIGNALED(status))
		return hull_fail(err, ECHILD, "hooks.%s[%zu] (%s): killed by signal %d%s%s", kind,
				 idx, h->path, WTERMSIG(status), outlen ? ": " : "", out);
	return hull_fail(err, ECHILD, "hooks.%s[%zu] (%s): exit status %d%s%s", kind, idx, h->path,
			 WEXITSTATUS(status), outlen ? ": " : "", out);
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	return -1;
}

void hull_hooks_run_all(oci_hook **hooks, size_t n, const char *kind, const char *state_json)
{
	for (size_t i = 0; i < n; i++) {
		hull_error *e = NULL;
		if (run_one(hooks[i], kind, i, state_json, &e) < 0) {
			hull_warn("%s", e->msg);
			hull_error_free(e);
		}
	}
}

int hull_hooks_run(oci_hook **hooks, size_t n, const char *kind, const char *state_json,
		   hull_error **err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long long t0 = now_ns();
		if (run_one(hooks[i], kind, i, state_json, err) < 0)
			return -1;
		hull_debug_phase(kind, t0);
	}
	return 0;
}
