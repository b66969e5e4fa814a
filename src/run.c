/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static struct hull_create_opts opts;
static bool keep;

static const struct cli_opt run_opts[] = {
    {"bundle", 'b', CLI_STRING, &opts.bundle, "DIR", "bundle directory (default: current)"},
    {"console-socket", 0, CLI_STRING, &opts.console_socket, "PATH",
     "unix socket that receives the pty master when process.terminal is set"},
    {"pid-file", 0, CLI_STRING, &opts.pid_file, "FILE", "write the container's pid to FILE"},
    {"detach", 'd', CLI_BOOL, &opts.detach, NULL, "start the container and return"},
    {"keep", 0, CLI_BOOL, &keep, NULL, "accepted for runc compatibility"},
    {"no-pivot", 0, CLI_BOOL, &opts.no_pivot, NULL, "use MS_MOVE and chroot, not pivot_root"},
    {"no-new-keyring", 0, CLI_BOOL, &opts.no_new_keyring, NULL,
     "keep the caller's session keyring"},
    {"preserve-fds", 0, CLI_INT, &opts.preserve_fds, "N", "pass fds 3..3+N-1 to the container"},
    {0},
};

static int run_run(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n, status;

	if (cli_parse(&cmd_run, run_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_run, "expected one container ID, got %d arguments", n);
	opts.id = pos[0];
	if (hull_container_run(ctx, &opts, &status, &err) < 0)
		return cli_fail(err);
	return status;
}

const struct cli_cmd cmd_run = {"run", "<container-id>",
				"Create and start a container; without --detach, wait for it and "
				"return its exit status.",
				run_run};
