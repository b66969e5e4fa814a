/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"
#include "cli.h"
#include "resources-ops.h"
#include "utils.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool stats_once;
static const char *interval = "5s";

static const struct cli_opt events_opts[] = {
    {"stats", 0, CLI_BOOL, &stats_once, NULL, "print the statistics once and exit"},
    {"interval", 0, CLI_STRING, &interval, "DURATION",
     "time between statistics (5s, 500ms, 1m; default 5s)"},
    {0},
};

/* Go-style durations as runc takes them: a number with ms, s, m or h;
 * a bare number is seconds. */
static int parse_interval(const char *s, long long *ms, hull_error **err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v <= 0)
		goto bad;
	if (streq(end, "ms"))
		*ms = (long long)v;
	else if (!*end || streq(end, "s"))
		*ms = (long long)(v * 1000);
	else if (streq(end, "m"))
		*ms = (long long)(v * 60000);
	else if (streq(end, "h"))
		*ms = (long long)(v * 3600000);
	else
		goto bad;
	if (*ms > 0)
		return 0;
bad:
	return hull_fail(err, EINVAL, "events: --interval: expected a duration like 5s, got \"%s\"",
			 s);
}

static void print_event(const char *type, const char *id, const char *data)
{
	if (data)
		printf("{\"type\":\"%s\",\"id\":\"%s\",\"data\":%s}\n", type, id, data);
	else
		printf("{\"type\":\"%s\",\"id\":\"%s\"}\n", type, id);
	fflush(stdout);
}

/* Stats every interval, an "oom" event whenever the OOM kill count grew,
 * until the container stops. */
static int stream(hull_context *ctx, const char *id, long long ms, hull_error **err)
{
	uint64_t last_oom = 0;
	bool first = true;

	for (;;) {
		hull_error *e = NULL;
		char *json = NULL;
		uint64_t oom = 0;
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

		if (hull_container_stats(ctx, id, &json, &oom, &e) < 0) {
			if (!first && e->errnum == ESRCH) {
				hull_error_free(e);
				return 0; /* stopped: the stream ends */
			}
			hull_error_take(err, e);
			return -1;
		}
		if (!first && oom > last_oom)
			print_event("oom", id, NULL);
		last_oom = oom;
		first = false;
		print_event("stats", id, json);
		free(json);
		nanosleep(&ts, NULL);
	}
}

static int run_events(hull_context *ctx, int argc, char **argv)
{
	hull_error *err = NULL;
	long long ms = 0;
	char **pos;
	int n, r = 0;

	if (cli_parse(&cmd_events, events_opts, argc, argv, 0, &pos, &n, &err) < 0)
		return cli_fail(err);
	if (n != 1)
		return cli_usage_error(&cmd_events, "expected one container ID");
	if (parse_interval(interval, &ms, &err) < 0)
		return cli_fail(err);
	if (stats_once) {
		char *json = NULL;
		if (hull_container_stats(ctx, pos[0], &json, NULL, &err) < 0)
			r = cli_fail(err);
		else
			print_event("stats", pos[0], json);
		free(json);
	} else if (stream(ctx, pos[0], ms, &err) < 0) {
		r = cli_fail(err);
	}
	return r;
}

const struct cli_cmd cmd_events = {"events", "<container-id>",
				   "Print a container's resource statistics (JSON), once with "
				   "--stats or every --interval.",
				   run_events};
