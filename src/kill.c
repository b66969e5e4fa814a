/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

#include <signal.h>

static bool all;

static const struct cli_opt kill_opts[] = {
    {"all", 'a', CLI_BOOL, &all, NULL, "signal every process of the container"},
    {0},
};

static int run_kill(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n, sig = SIGTERM;

	if (cli_parse(&cmd_kill, kill_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n < 1 || n > 2)
		return cli_usage_error(&cmd_kill, "expected a container ID and an optional signal");
	if (n == 2 && hull_parse_signal(pos[1], &sig, &err) < 0)
		return cli_fail(err);
	if (hull_container_kill(ctx, pos[0], sig, all, &err) < 0)
		return cli_fail(err);
	return 0;
}

const struct cli_cmd cmd_kill = {"kill", "<container-id> [SIGNAL]",
				 "Send a signal (default SIGTERM) to a container's process.",
				 run_kill};
