/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static struct hull_create_opts opts;

static const struct cli_opt create_opts[] = {
    {"bundle", 'b', CLI_STRING, &opts.bundle, "DIR", "bundle directory (default: current)"},
    {"console-socket", 0, CLI_STRING, &opts.console_socket, "PATH",
     "unix socket that receives the pty master when process.terminal is set"},
    {"pid-file", 0, CLI_STRING, &opts.pid_file, "FILE", "write the container's pid to FILE"},
    {"no-pivot", 0, CLI_BOOL, &opts.no_pivot, NULL, "use MS_MOVE and chroot, not pivot_root"},
    {"no-new-keyring", 0, CLI_BOOL, &opts.no_new_keyring, NULL,
     "keep the caller's session keyring"},
    {"preserve-fds", 0, CLI_INT, &opts.preserve_fds, "N", "pass fds 3..3+N-1 to the container"},
    {0},
};

static int run_create(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n;

	if (cli_parse(&cmd_create, create_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_create, "expected one container ID, got %d arguments",
				       n);
	opts.id = pos[0];
	if (hull_container_create(ctx, &opts, &err) < 0)
		return cli_fail(err);
	return 0;
}

const struct cli_cmd cmd_create = {"create", "<container-id>",
				   "Create a container from a bundle; its process waits for start.",
				   run_create};
