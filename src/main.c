/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd *const commands[] = {
    &cmd_create, &cmd_start,  &cmd_exec,   &cmd_run,   &cmd_state,
    &cmd_kill,	 &cmd_delete, &cmd_list,   &cmd_pause, &cmd_resume,
    &cmd_ps,	 &cmd_update, &cmd_events, &cmd_spec,  &cmd_features,
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: hull [global options] COMMAND [options] ARGS...\n\n"
		   "hull is an OCI container runtime (runtime-spec " HULL_SPEC_VERSION ").\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nGlobal options:\n"
		   "  --root DIR              state directory (default /run/hull)\n"
		   "  --log FILE              write log lines to FILE\n"
		   "  --log-format text|json  format of log lines (default text)\n"
		   "  --log-level LEVEL       error, warning, info or debug\n"
		   "  --debug                 log level debug, with setup phase timings\n"
		   "  --systemd-cgroup        cgroupsPath is slice:prefix:name\n"
		   "  -v, --version           print the version\n"
		   "  -h, --help              this help\n");
}

static void version(void)
{
	printf("hull version " PACKAGE_VERSION "\n"
	       "spec: " HULL_SPEC_VERSION "\n"
	       "+CAP +SECCOMP +YAJL +CGROUP_V1 +CGROUP_V2 +HYBRID\n");
}

struct globals {
	const char *root, *log, *log_format, *log_level;
	bool debug, systemd_cgroup;
};

/* runc's global flags, which engines pass before the command. */
static int parse_globals(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *name = a + (a[1] == '-' ? 2 : 1), *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const char **dest = NULL;

#define IS(s) (len == strlen(s) && strncmp(name, s, len) == 0)
		if (IS("root"))
			dest = &g->root;
		else if (IS("log"))
			dest = &g->log;
		else if (IS("log-format"))
			dest = &g->log_format;
		else if (IS("log-level"))
			dest = &g->log_level;
		else if (IS("criu") || IS("rootless"))
			dest = &(const char *){NULL}; /* accepted for runc compatibility */
		else if (IS("debug"))
			g->debug = !eq || streq(eq + 1, "true");
		else if (IS("systemd-cgroup"))
			g->systemd_cgroup = !eq || streq(eq + 1, "true");
		else if (IS("version") || streq(a, "-v")) {
			version();
			exit(0);
		} else if (IS("help") || streq(a, "-h")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "hull: unknown global option %s (see hull --help)\n", a);
			exit(1);
		}
#undef IS
		if (dest) {
			if (eq)
				*dest = eq + 1;
			else if (i + 1 < argc)
				*dest = argv[++i];
			else {
				fprintf(stderr, "hull: %s needs a value\n", a);
				exit(1);
			}
		}
	}
	return i;
}

static int setup_logging(struct globals *g)
{
	hull_error *err = NULL;
	bool json = false;

	if (g->log_format && streq(g->log_format, "json"))
		json = true;
	else if (g->log_format && !streq(g->log_format, "text")) {
		fprintf(stderr, "hull: --log-format: expected text or json, got \"%s\"\n",
			g->log_format);
		return -1;
	}
	if (hull_log_open(g->log, json, &err) < 0) {
		cli_fail(err);
		return -1;
	}
	if (g->debug)
		hull_log_set_level(HULL_LOG_DEBUG);
	else if (g->log_level) {
		static const char *const names[] = {"error", "warning", "info", "debug"};
		size_t i;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (streq(g->log_level, names[i]) ||
			    (i == 1 && streq(g->log_level, "warn")))
				break;
		if (i == ARRAY_SIZE(names)) {
			fprintf(stderr, "hull: --log-level: unknown level \"%s\"\n", g->log_level);
			return -1;
		}
		hull_log_set_level((enum hull_log_level)i);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct globals g = {0};
	hull_context ctx = {0};
	int i = parse_globals(argc, argv, &g);

	/* A hook that does not read its stdin must not kill us: writes
	 * return EPIPE instead.  Children reset it (execve keeps SIG_IGN). */
	signal(SIGPIPE, SIG_IGN);
	if (setup_logging(&g) < 0)
		return 1;
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	ctx.root = g.root ? g.root : "/run/hull";
	ctx.systemd_cgroup = g.systemd_cgroup;
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		if (streq(argv[i], commands[c]->name))
			return commands[c]->run(&ctx, argc - i, argv + i);
	if (streq(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "hull: unknown command \"%s\" (see hull --help)\n", argv[i]);
	return 1;
}
