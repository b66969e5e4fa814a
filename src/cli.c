/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "log.h"
#include "utils.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(const struct cli_cmd *cmd, const struct cli_opt *opts)
{
	printf("Usage: hull %s [options] %s\n\n%s\n", cmd->name, cmd->args, cmd->summary);
	if (opts && opts[0].name)
		printf("\nOptions:\n");
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-30s %s\n", o->short_name ? left : left + 2, o->help);
	}
	printf("  %-30s %s\n", "-h, --help", "show this help");
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int set_value(const struct cli_cmd *cmd, const struct cli_opt *o, const char *value,
		     hull_error **err)
{
	long v;

	switch (o->type) {
	case CLI_BOOL:
		if (!value || streq(value, "true") || streq(value, "1"))
			*(bool *)o->dest = true;
		else if (streq(value, "false") || streq(value, "0"))
			*(bool *)o->dest = false;
		else
			return hull_fail(err, EINVAL,
					 "%s: --%s: expected true or false, got \"%s\"", cmd->name,
					 o->name, value);
		return 0;
	case CLI_STRING:
		*(const char **)o->dest = value;
		return 0;
	case CLI_STRINGS: {
		struct cli_strv *sv = o->dest;
		cleanup_free char *copy = xstrdup(value);
		char *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			sv->v = xrealloc(sv->v, (sv->n + 2) * sizeof(char *));
			sv->v[sv->n++] = xstrdup(t);
			sv->v[sv->n] = NULL;
		}
		return 0;
	}
	case CLI_INT:
		if (parse_long(value, 0, 1 << 20, &v) < 0)
			return hull_fail(err, EINVAL, "%s: --%s: expected a number, got \"%s\"",
					 cmd->name, o->name, value);
		*(int *)o->dest = (int)v;
		return 0;
	}
	return 0;
}

/* One option word (argv[*i]); may consume the next word as its value. */
static int parse_option(const struct cli_cmd *cmd, const struct cli_opt *opts, int argc,
			char **argv, int *i, hull_error **err)
{
	const char *a = argv[*i], *name = a + (a[1] == '-' ? 2 : 1), *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = find_long(opts, name, len);

	if ((len == 4 && strncmp(name, "help", 4) == 0) || streq(a, "-h")) {
		print_usage(cmd, opts);
		exit(0);
	}
	if (!o && a[1] != '-' && len >= 1)
		o = find_short(opts, name[0]);
	if (!o)
		return hull_fail(err, EINVAL, "%s: unknown option %s (see hull %s --help)",
				 cmd->name, a, cmd->name);
	if (o->type == CLI_BOOL)
		return set_value(cmd, o, eq ? eq + 1 : NULL, err);
	if (eq)
		return set_value(cmd, o, eq + 1, err);
	/* -bDIR: a short option with its value attached */
	if (a[1] != '-' && !find_long(opts, name, len) && name[1])
		return set_value(cmd, o, name + 1, err);
	if (*i + 1 >= argc)
		return hull_fail(err, EINVAL, "%s: %s needs a value", cmd->name, a);
	return set_value(cmd, o, argv[++*i], err);
}

/*
 * The positional arguments are gathered in place at the front of argv
 * (argv[1..n]): each goes to a slot at or before the one it was read
 * from, so nothing unread is overwritten, and nothing is allocated.
 */
int cli_parse(const struct cli_cmd *cmd, const struct cli_opt *opts, int argc, char **argv,
	      int stop_after, char ***pos, int *npos, hull_error **err)
{
	char **p = argv + 1;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (stop_after > 0 && n >= stop_after) {
			p[n++] = a;
			continue;
		}
		if (streq(a, "--")) {
			while (++i < argc)
				p[n++] = argv[i];
			break;
		}
		if (a[0] == '-' && a[1]) {
			if (parse_option(cmd, opts, argc, argv, &i, err) < 0)
				return -1;
			continue;
		}
		p[n++] = a;
	}
	if (argc > 0)
		p[n] = NULL;
	*pos = p;
	*npos = n;
	return 0;
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	hull_error *err = NULL;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hull_fail(&err, 0, "%s: %s (see hull %s --help)", cmd->name, msg, cmd->name);
	return cli_fail(err);
}

int cli_fail(hull_error *err)
{
	int status = err ? err->exit_status : 1;

	hull_log_error(NULL, err);
	hull_error_free(err);
	return status ? status : 1;
}
