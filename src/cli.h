/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "error.h"

/*
 * The command line, runc's way: global options, a command, its options and
 * arguments.  Options may be written -x, --long, -long (Go style), with the
 * value attached (--bundle=DIR) or as the next word; `--` ends them.
 */

enum cli_opt_type { CLI_BOOL, CLI_STRING, CLI_INT, CLI_STRINGS };

/* CLI_STRINGS: a repeatable option; "a,b" counts as two values. */
struct cli_strv {
	char **v;
	size_t n;
};

struct cli_opt {
	const char *name;
	char short_name;
	enum cli_opt_type type;
	void *dest; /* bool *, const char **, int *, struct cli_strv * */
	const char *arg;
	const char *help;
};

struct cli_cmd {
	const char *name;
	const char *args; /* usage after the options */
	const char *summary;
	int (*run)(hull_context *ctx, int argc, char **argv);
};

/* Parses argv[1..] (argv[0] is the command); positional arguments go to
 * *pos (argv[1..npos], rearranged in place; nothing to free).  stop_after > 0
 * stops option parsing after that many positionals
 * (exec: the rest is the command).  --help prints the usage and exits 0. */
int cli_parse(const struct cli_cmd *cmd, const struct cli_opt *opts, int argc, char **argv,
	      int stop_after, char ***pos, int *npos, hull_error **err);

/* Usage errors: "hull create: <msg>", exit 1. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints err once (text or JSON per --log-format) and returns 1. */
int cli_fail(hull_error *err);

extern const struct cli_cmd cmd_create, cmd_run, cmd_start, cmd_state, cmd_kill, cmd_delete,
    cmd_list, cmd_spec, cmd_features, cmd_pause, cmd_resume, cmd_ps, cmd_exec, cmd_update,
    cmd_events;

#endif
