/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The foreground wait of run and exec: until the process ends, signals
 * that reach us go on to it and a terminal is relayed. */
#include "config.h"
#include "container-priv.h"
#include "log.h"
#include "terminal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int hull_wait_forwarding(pid_t pid, int relay_fd, int *exit_status, hull_error **err)
{
	sigset_t all;
	cleanup_close int sfd = -1;
	struct pollfd p[3];
	int status;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return hull_fail_errno(err, "signalfd");
	p[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
	p[1] = (struct pollfd){.fd = relay_fd, .events = POLLIN};
	p[2] = (struct pollfd){.fd = relay_fd >= 0 ? 0 : -1, .events = POLLIN};
	for (;;) {
		struct signalfd_siginfo si;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return hull_fail_errno(err, "wait for %d", (int)pid);
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			return hull_fail_errno(err, "poll");
		if (p[1].revents)
			hull_terminal_pump(relay_fd, 1, &p[1].fd);
		if (p[2].revents)
			hull_terminal_pump(0, relay_fd, &p[2].fd);
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (si.ssi_signo == SIGWINCH && relay_fd >= 0) {
			hull_terminal_copy_size(0, relay_fd);
			continue;
		}
		if (kill(pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
			hull_warn("forward signal %u: %s", si.ssi_signo, strerror(errno));
	}
	/* What the process wrote just before exiting is still in the pty. */
	if (relay_fd >= 0) {
		char buf[4096];
		ssize_t n;
		fcntl(relay_fd, F_SETFL, O_NONBLOCK);
		while ((n = read(relay_fd, buf, sizeof(buf))) > 0 &&
		       write_all(1, buf, (size_t)n) == 0)
			;
	}
	*exit_status = exit_code(status);
	return 0;
}
