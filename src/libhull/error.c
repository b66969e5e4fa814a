/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hull_error oom_error = {ENOMEM, 1, (char *)"out of memory"};

static void set_error(hull_error **err, int errnum, char *msg)
{
	hull_error *e;

	if (!err || *err) {
		free(msg);
		return;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !msg) {
		free(e);
		free(msg);
		*err = &oom_error;
		return;
	}
	e->errnum = errnum;
	e->exit_status = 1;
	e->msg = msg;
	*err = e;
}

int hull_failv(hull_error **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
	char *base = NULL, *msg = NULL;

	if (vasprintf(&base, fmt, ap) < 0)
		base = NULL;
	if (base && errnum && with_strerror) {
		if (asprintf(&msg, "%s: %s", base, strerror(errnum)) < 0)
			msg = NULL;
		free(base);
	} else {
		msg = base;
	}
	set_error(err, errnum, msg);
	return -1;
}

int hull_fail(hull_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hull_failv(err, errnum, false, fmt, ap);
	va_end(ap);
	return -1;
}

int hull_fail_sys(hull_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hull_failv(err, errnum, true, fmt, ap);
	va_end(ap);
	return -1;
}

int hull_error_prefix(hull_error **err, const char *fmt, ...)
{
	char *ctx = NULL, *msg = NULL;
	va_list ap;

	if (!err || !*err || *err == &oom_error)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return -1;
}

void hull_error_free(hull_error *e)
{
	if (!e || e == &oom_error)
		return;
	free(e->msg);
	free(e);
}

void hull_error_freep(hull_error **e)
{
	hull_error_free(*e);
	*e = NULL;
}

void hull_error_take(hull_error **err, hull_error *from)
{
	if (!from)
		return;
	if (!err || *err) {
		hull_error_free(from);
		return;
	}
	*err = from;
}
