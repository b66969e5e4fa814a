/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "oci_types.h"
#include "utils.h"

#include <stdio.h>
#include <string.h>

static const char *format = "table";
static bool quiet;

static const struct cli_opt list_opts[] = {
    {"format", 'f', CLI_STRING, &format, "table|json", "output format"},
    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "print the IDs only"},
    {0},
};

static void print_json(struct hull_list_entry *e, size_t n)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		oci_state s = {.oci_version = (char *)HULL_SPEC_VERSION,
			       .id = e[i].id,
			       .status = e[i].status,
			       .pid = e[i].pid,
			       .pid_present = true,
			       .bundle = e[i].bundle,
			       .rootfs = e[i].rootfs,
			       .created = e[i].created,
			       .owner = e[i].owner};
		char *perr = NULL, *json = oci_state_serialize(&s, false, NULL, &perr);
		printf("%s%s", i ? "," : "", json ? json : "{}");
		free(json);
		free(perr);
	}
	puts("]");
}

/* Columns as wide as their widest cell plus three, twelve at least. */
static void print_table(struct hull_list_entry *e, size_t n)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t w[6];
	char pid[16];

	for (int c = 0; c < 6; c++)
		w[c] = strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const char *cells[6] = {e[i].id,     "",	   e[i].status,
					e[i].bundle, e[i].created, e[i].owner};
		snprintf(pid, sizeof(pid), "%d", (int)e[i].pid);
		cells[1] = pid;
		for (int c = 0; c < 6; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	for (int c = 0; c < 6; c++)
		w[c] = w[c] + 3 < 12 ? 12 : w[c] + 3;
	for (int c = 0; c < 5; c++)
		printf("%-*s", (int)w[c], head[c]);
	printf("%s\n", head[5]);
	for (size_t i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)e[i].pid);
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], e[i].id, (int)w[1], pid, (int)w[2],
		       e[i].status, (int)w[3], e[i].bundle, (int)w[4], e[i].created, e[i].owner);
	}
}

static int run_list(hull_context *ctx, int argc, char **argv)
{
	struct hull_list_entry *e;
	hull_error *err = NULL;
	char **pos;
	size_t n;
	int npos;

	if (cli_parse(&cmd_list, list_opts, argc, argv, 0, &pos, &npos, &err) < 0)
		return cli_fail(err);
	if (npos)
		return cli_usage_error(&cmd_list, "takes no arguments");
	if (!streq(format, "table") && !streq(format, "json"))
		return cli_usage_error(&cmd_list, "--format: expected table or json, got \"%s\"",
				       format);
	if (hull_container_list(ctx, &e, &n, &err) < 0)
		return cli_fail(err);
	if (quiet)
		for (size_t i = 0; i < n; i++)
			puts(e[i].id);
	else if (streq(format, "json"))
		print_json(e, n);
	else
		print_table(e, n);
	hull_list_free(e, n);
	return 0;
}

const struct cli_cmd cmd_list = {"list", "", "List the containers in the state directory.",
				 run_list};
