/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

static bool force;

static const struct cli_opt delete_opts[] = {
    {"force", 'f', CLI_BOOL, &force, NULL, "kill the container first if it still runs"},
    {0},
};

static int run_delete(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos;
	int n;

	if (cli_parse(&cmd_delete, delete_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_delete, "expected one container ID, got %d arguments",
				       n);
	if (hull_container_delete(ctx, pos[0], force, &err) < 0)
		return cli_fail(err);
	return 0;
}

const struct cli_cmd cmd_delete = {"delete", "<container-id>",
				   "Delete a stopped container and everything create made for it.",
				   run_delete};
