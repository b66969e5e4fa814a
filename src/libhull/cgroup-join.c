/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cgroup-join.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int hull_cgroup_v2_fd(hull_cgroup *cg)
{
	for (size_t i = 0; cg && i < cg->nhier; i++) {
		if (!cg->hier[i].v2)
			continue;
		if (hull_cgroup_dir_fd(cg, i) >= 0)
			return fcntl(hull_cgroup_dir_fd(cg, i), F_DUPFD_CLOEXEC, 3);
		cleanup_free char *dir = hull_cgroup_path_at(cg, i);
		return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return -1;
}

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

pid_t hull_cgroup_clone(unsigned long flags, int cgroup_fd, bool *placed)
{
	static bool no_clone3;
	long pid;

	*placed = false;
	if (cgroup_fd >= 0 && !no_clone3) {
		struct clone3_args a = {.flags = flags | CLONE_INTO_CGROUP,
					.exit_signal = SIGCHLD,
					.cgroup = (uint64_t)cgroup_fd};
		pid = syscall(SYS_clone3, &a, sizeof(a));
		if (pid >= 0) {
			*placed = true;
			return (pid_t)pid;
		}
		/* ENOSYS/E2BIG: before 5.7.  Anything else (e.g. a v2 cgroup
		 * that refuses the task) is left to the slow path, which says
		 * why. */
		if (errno == ENOSYS || errno == E2BIG)
			no_clone3 = true;
	}
	pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	return (pid_t)pid;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

/* v1 "tasks" with "0": a thread moving itself, no global lock (the child
 * is single-threaded, so the thread is the process). */
static char *join_file(const hull_cgroup *cg, size_t i)
{
	return xasprintf("%s/%s", cg->hier[i].dir, cg->hier[i].v2 ? "cgroup.procs" : "tasks");
}

static bool joins(const hull_cgroup *cg, size_t i, bool v2_placed)
{
	return !(cg->hier[i].v2 && v2_placed);
}

int hull_cgroup_open_joins(const hull_cgroup *cg, bool v2_placed, int *fds, size_t max,
			   hull_error **err)
{
	size_t n = 0;

	for (size_t i = 0; i < cg->nhier; i++) {
		if (!joins(cg, i, v2_placed))
			continue;
		cleanup_free char *file = join_file(cg, i);
		if (n == max) {
			close_all(fds, n);
			return 0; /* the child opens them itself */
		}
		if (hull_cgroup_dir_fd(cg, i) >= 0)
			fds[n] = openat(hull_cgroup_dir_fd(cg, i), strrchr(file, '/') + 1,
					O_WRONLY | O_CLOEXEC);
		else
			fds[n] = open(file, O_WRONLY | O_CLOEXEC);
		if (fds[n] < 0) {
			hull_fail_errno(err, "join cgroup: open %s", file);
			close_all(fds, n);
			return -1;
		}
		n++;
	}
	return (int)n;
}

int hull_cgroup_join_self(hull_cgroup *cg, bool v2_placed, const int *fds, size_t nfds,
			  hull_error **err)
{
	size_t want = 0, k = 0;

	for (size_t i = 0; i < cg->nhier; i++)
		want += joins(cg, i, v2_placed);
	if (nfds != want)
		fds = NULL;
	for (size_t i = 0; i < cg->nhier; i++) {
		if (!joins(cg, i, v2_placed))
			continue;
		if (fds && write(fds[k++], "0", 1) != 1) {
			cleanup_free char *file = join_file(cg, i);
			return hull_fail_errno(err, "join cgroup: write %s", file);
		}
		if (!fds) {
			cleanup_free char *file = join_file(cg, i);
			if (write_file_at(AT_FDCWD, file, "0", 1, err) < 0)
				return hull_error_prefix(err, "join cgroup");
		}
	}
	return 0;
}
