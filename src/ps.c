/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *format = "table";

static const struct cli_opt ps_opts[] = {
    {"format", 'f', CLI_STRING, &format, "table|json", "output format"},
    {0},
};

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The index of the PID column in ps(1)'s header line, or -1. */
static int pid_column(const char *header)
{
	char copy[4096], *save = NULL;
	int col = 0;

	snprintf(copy, sizeof(copy), "%s", header);
	for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
		if (streq(t, "PID"))
			return col;
	return -1;
}

static bool line_has_pid(const char *line, int pidcol, const pid_t *pids, size_t n)
{
	char copy[4096], *save = NULL, *t;

	snprintf(copy, sizeof(copy), "%s", line);
	t = strtok_r(copy, " \t\n", &save);
	for (int col = 0; t && col < pidcol; col++)
		t = strtok_r(NULL, " \t\n", &save);
	return t && has_pid(pids, n, strtol(t, NULL, 10));
}

/* table: ps(1) with the given options (default -ef), filtered to the
 * container's processes by the PID column.  Returns the exit status. */
static int print_table(const pid_t *pids, size_t n, char **args, int nargs)
{
	/* "ps", the options (or "-ef") and the terminating NULL. */
	char **argv = xcalloc((size_t)nargs + 3, sizeof(char *));
	char line[4096];
	int pidcol = -1, status = 0;
	hull_error *err = NULL;
	FILE *f;
	int fds[2];
	pid_t child;

	argv[0] = (char *)"ps";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (!nargs)
		argv[1] = (char *)"-ef";
	if (pipe2(fds, O_CLOEXEC) < 0) {
		hull_fail_errno(&err, "ps: pipe");
		free(argv);
		return cli_fail(err);
	}
	child = fork();
	if (child < 0) {
		hull_fail_errno(&err, "ps: fork");
		close(fds[0]);
		close(fds[1]);
		free(argv);
		return cli_fail(err);
	}
	if (child == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp("ps", argv);
		fprintf(stderr, "hull ps: cannot run ps: %s\n", strerror(errno));
		_exit(127);
	}
	free(argv);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f)
		close(fds[0]);
	while (f && fgets(line, sizeof(line), f)) {
		if (pidcol < 0) {
			pidcol = pid_column(line);
			fputs(line, stdout);
		} else if (line_has_pid(line, pidcol, pids, n)) {
			fputs(line, stdout);
		}
	}
	if (f)
		fclose(f);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && pidcol >= 0)
		return 0;
	if (pidcol < 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fprintf(stderr, "hull ps: the output of ps has no PID column\n");
	return 1;
}

static int run_ps(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	char **pos;
	int npos;

	if (cli_parse(&cmd_ps, ps_opts, argc, argv, 1, &pos, &npos, &err) < 0)
		return cli_fail(err);
	if (npos < 1)
		return cli_usage_error(&cmd_ps, "expected a container ID");
	if (hull_container_pids(ctx, pos[0], &pids, &n, &err) < 0)
		return cli_fail(err);
	if (streq(format, "json")) {
		fputs("[", stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
	} else if (streq(format, "table")) {
		int rc = print_table(pids, n, pos + 1, npos - 1);
		free(pids);
		return rc;
	} else {
		free(pids);
		return cli_usage_error(&cmd_ps, "--format: expected table or json, got \"%s\"",
				       format);
	}
	free(pids);
	return 0;
}

const struct cli_cmd cmd_ps = {"ps", "<container-id> [ps options]",
			       "List the processes of a container.", run_ps};
