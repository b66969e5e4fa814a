/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "utils.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
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

/* table: ps(1) with the given options (default -ef), filtered to the
 * container's processes by the PID column. */
static int print_table(const pid_t *pids, size_t n, char **args, int nargs)
{
	char **argv = xcalloc((size_t)nargs + 2, sizeof(char *));
	char line[4096];
	int pidcol = -1;
	FILE *f;
	int fds[2];
	pid_t child;

	argv[0] = (char *)"ps";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (!nargs)
		argv[1] = (char *)"-ef";
	if (pipe(fds) < 0 || (child = fork()) < 0)
		return -1;
	if (child == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (pidcol < 0) {
			char copy[4096], *save = NULL;
			int col = 0;
			strcpy(copy, line);
			for (char *t = strtok_r(copy, " \t\n", &save); t;
			     t = strtok_r(NULL, " \t\n", &save), col++)
				if (streq(t, "PID"))
					pidcol = col;
			fputs(line, stdout);
			continue;
		}
		char copy[4096], *save = NULL, *t;
		strcpy(copy, line);
		t = strtok_r(copy, " \t\n", &save);
		for (int col = 0; t && col < pidcol; col++)
			t = strtok_r(NULL, " \t\n", &save);
		if (t && has_pid(pids, n, strtol(t, NULL, 10)))
			fputs(line, stdout);
	}
	if (f)
		fclose(f);
	free(argv);
	return 0;
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
		print_table(pids, n, pos + 1, npos - 1);
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
