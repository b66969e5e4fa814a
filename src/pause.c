/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static const struct cli_opt pause_opts[] = {{0}};

static int run_pause(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n;

	if (cli_parse(&cmd_pause, pause_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_pause, "expected one container ID, got %d arguments",
				       n);
	if (hull_container_pause(ctx, pos[0], true, &err) < 0)
		return cli_fail(err);
	return 0;
}

const struct cli_cmd cmd_pause = {"pause", "<container-id>", "Freeze every process of a container.",
				  run_pause};
