/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's processes through its cgroup: list, signal, freeze. */
#include "config.h"
#include "cgroup.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static void pid_list_add(struct pid_list *l, pid_t pid)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = pid;
}

/* cgroup.procs of dir and of every cgroup below it: a container may make
 * sub-cgroups (systemd inside, nested runtimes) and they are still its. */
static int read_pids_tree(const char *dir, struct pid_list *l, int depth, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/cgroup.procs", dir), *data = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, file, &data, NULL, err) < 0)
		return -1;
	for (char *t = strtok_r(data, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		pid_list_add(l, (pid_t)atoi(t));
	if (depth > 32 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		/* a sub-cgroup removed meanwhile is not an error */
		read_pids_tree(sub, l, depth + 1, NULL);
	}
	return 0;
}

int hull_cgroup_pids(hull_cgroup *cg, pid_t **pids, size_t *n, hull_error **err)
{
	struct pid_list l = {0};
	/* pids (or any hierarchy: every process is in each) */
	const char *dir = hull_cgroup_dir(cg, "pids", NULL);

	if (!dir)
		dir = hull_cgroup_dir(cg, NULL, NULL);
	if (!dir)
		return hull_fail(err, ENOENT, "container has no cgroup");
	if (read_pids_tree(dir, &l, 0, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v ? l.v : xcalloc(1, sizeof(pid_t));
	*n = l.n;
	return 0;
}

static int signal_each(hull_cgroup *cg, int sig, hull_error **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (hull_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return hull_fail_errno(err, "kill %d", (int)pids[i]);
	return 0;
}

int hull_cgroup_kill_all(hull_cgroup *cg, int sig, hull_error **err)
{
	bool v2 = false, froze = false;
	const char *dir = hull_cgroup_dir(cg, "", &v2);
	int r;

	/* cgroup.kill (5.14) kills the whole subtree atomically; on a hybrid
	 * host the unified tree holds the same processes. */
	if (sig == SIGKILL && dir && v2) {
		cleanup_free char *kill_file = xasprintf("%s/cgroup.kill", dir);
		if (access(kill_file, F_OK) == 0 &&
		    write_file_at(AT_FDCWD, kill_file, "1", 1, NULL) == 0)
			return 0;
	}
	/* Freeze first so nothing forks between reading the list and killing;
	 * a paused container stays paused. */
	if (!hull_cgroup_is_frozen(cg))
		froze = hull_cgroup_freeze(cg, true, NULL) == 0;
	r = signal_each(cg, sig, err);
	if (froze)
		hull_cgroup_freeze(cg, false, NULL);
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static int freezer_v1(const char *dir, bool freeze, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/freezer.state", dir);
	const char *want = freeze ? "FROZEN" : "THAWED";

	/* FREEZING turns FROZEN once every task stopped; re-writing nudges
	 * tasks that were in an uninterruptible sleep. */
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *cur = NULL;
		if (write_file_at(AT_FDCWD, file, want, strlen(want), err) < 0)
			return -1;
		if (read_file_at(AT_FDCWD, file, &cur, NULL, err) < 0)
			return -1;
		if (strncmp(cur, want, strlen(want)) == 0)
			return 0;
		sleep_ms(1);
	}
	return hull_fail(err, EBUSY, "%s: the cgroup did not reach %s", file, want);
}

static int freezer_v2(const char *dir, bool freeze, hull_error **err)
{
	cleanup_free char *file = xasprintf("%s/cgroup.freeze", dir);
	cleanup_free char *events = xasprintf("%s/cgroup.events", dir);

	if (write_file_at(AT_FDCWD, file, freeze ? "1" : "0", 1, err) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *ev = NULL;
		const char *f;
		if (read_file_at(AT_FDCWD, events, &ev, NULL, err) < 0)
			return -1;
		f = strstr(ev, "frozen ");
		if (f && f[7] == (freeze ? '1' : '0'))
			return 0;
		sleep_ms(1);
	}
	return hull_fail(err, EBUSY, "%s: the cgroup did not %s", file, freeze ? "freeze" : "thaw");
}

/* The v1 freezer where one is mounted (on a hybrid host it is what runc
 * and systemd use too), else cgroup.freeze of the v2 tree. */
int hull_cgroup_freeze(hull_cgroup *cg, bool freeze, hull_error **err)
{
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "freezer", &v2);

	if (dir)
		return freezer_v1(dir, freeze, err);
	if ((dir = hull_cgroup_dir(cg, "", &v2)) && v2)
		return freezer_v2(dir, freeze, err);
	return hull_fail(err, ENOTSUP,
			 "cannot freeze: neither a v1 freezer hierarchy nor a cgroup v2 tree is "
			 "mounted");
}

bool hull_cgroup_is_frozen(hull_cgroup *cg)
{
	cleanup_free char *data = NULL, *file = NULL;
	bool v2 = false;
	const char *dir = hull_cgroup_dir(cg, "freezer", &v2);

	if (dir) {
		file = xasprintf("%s/freezer.state", dir);
		/* FREEZING (a pause still settling) is not paused yet */
		return read_file_at(AT_FDCWD, file, &data, NULL, NULL) == 0 &&
		       strncmp(data, "FROZEN", 6) == 0;
	}
	if ((dir = hull_cgroup_dir(cg, "", &v2)) && v2) {
		file = xasprintf("%s/cgroup.freeze", dir);
		return read_file_at(AT_FDCWD, file, &data, NULL, NULL) == 0 && data[0] == '1';
	}
	return false;
}

bool hull_cgroup_is_frozen_from_state(const oci_hull_state *st)
{
	cleanup_cgroup hull_cgroup *cg = NULL;

	if (!st->cgroup_paths || hull_cgroup_load(st, &cg, NULL) < 0)
		return false;
	return hull_cgroup_is_frozen(cg);
}
