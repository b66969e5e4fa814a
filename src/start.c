/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static const struct cli_opt start_opts[] = {{0}};

static int run_start(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n;

	if (cli_parse(&cmd_start, start_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_start, "expected one container ID, got %d arguments",
				       n);
	if (hull_container_start(ctx, pos[0], &err) < 0)
		return cli_fail(err);
	return 0;
}

const struct cli_cmd cmd_start = {"start", "<container-id>", "Start a created container's process.",
				  run_start};
