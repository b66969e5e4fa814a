/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "features.h"

#include <stdio.h>
#include <stdlib.h>

static const struct cli_opt features_opts[] = {{0}};

static int run_features(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	char **pos, *json;
	int n;

	(void)ctx;
	if (cli_parse(&cmd_features, features_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	json = hull_features_json();
	if (!json) {
		hull_fail(&err, 0, "features: could not serialize");
		return cli_fail(err);
	}
	puts(json);
	free(json);
	return 0;
}

const struct cli_cmd cmd_features = {
    "features", "", "Print what this hull supports, as the features document.", run_features};
