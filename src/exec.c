/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static struct hull_exec_opts opts;
static struct cli_strv env, caps, gids;

static const struct cli_opt exec_opts[] = {
    {"process", 'p', CLI_STRING, &opts.process_file, "FILE", "a process.json to run"},
    {"tty", 't', CLI_BOOL, &opts.tty, NULL, "give the process a terminal"},
    {"console-socket", 0, CLI_STRING, &opts.console_socket, "PATH",
     "unix socket that receives the pty master"},
    {"cwd", 0, CLI_STRING, &opts.cwd, "DIR", "working directory in the container"},
    {"env", 'e', CLI_STRINGS, &env, "NAME=VALUE", "set an environment variable"},
    {"user", 'u', CLI_STRING, &opts.user, "UID[:GID]", "run as this user"},
    {"additional-gids", 'g', CLI_STRINGS, &gids, "GID", "an additional group"},
    {"cap", 'c', CLI_STRINGS, &caps, "CAP", "add a capability"},
    {"no-new-privs", 0, CLI_BOOL, &opts.no_new_privs, NULL, "set no_new_privs"},
    {"detach", 'd', CLI_BOOL, &opts.detach, NULL, "do not wait for the process"},
    {"pid-file", 0, CLI_STRING, &opts.pid_file, "FILE", "write the process's pid to FILE"},
    {"preserve-fds", 0, CLI_INT, &opts.preserve_fds, "N", "pass fds 3..3+N-1 to the process"},
    {0},
};

static int run_exec(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n, status;

	if (cli_parse(&cmd_exec, exec_opts, argc, argv, 1, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n < 1)
		return cli_usage_error(&cmd_exec, "expected a container ID");
	opts.id = pos[0];
	opts.args = pos + 1;
	opts.nargs = (size_t)n - 1;
	opts.env = env.v;
	opts.nenv = env.n;
	opts.caps = caps.v;
	opts.ncaps = caps.n;
	opts.additional_gids = gids.v;
	opts.ngids = gids.n;
	if (hull_container_exec(ctx, &opts, &status, &err) < 0)
		return cli_fail(err);
	return status;
}

const struct cli_cmd cmd_exec = {"exec", "<container-id> [COMMAND [ARG...]]",
				 "Run a new process in a created or running container.", run_exec};
