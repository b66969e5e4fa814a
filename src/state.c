/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const struct cli_opt state_opts[] = {{0}};

static int run_state(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos, *json;
	int n;

	if (cli_parse(&cmd_state, state_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_state, "expected one container ID, got %d arguments",
				       n);
	if (hull_container_state(ctx, pos[0], &json, &err) < 0)
		return cli_fail(err);
	puts(json);
	free(json);
	return 0;
}

const struct cli_cmd cmd_state = {"state", "<container-id>",
				  "Print the state of a container as JSON.", run_state};
