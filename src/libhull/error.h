/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_ERROR_H
#define HULL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

/*
 * The one error type of libhull.  A failing function returns a negative
 * value and fills *err; callers add context on the way up with
 * hull_error_prefix(), and only the top level prints it, once.
 */
typedef struct hull_error {
	int errnum;	 /* errno of the root cause, 0 if none */
	int exit_status; /* what the CLI exits with; 1 unless set */
	char *msg;	 /* full message, context first, strerror last */
} hull_error;

/* Sets *err (if err and not already set) and returns -1.  errnum is kept
 * for callers; the message is exactly fmt. */
int hull_fail(hull_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A failed system call: ": strerror(errnum)" is appended. */
int hull_fail_sys(hull_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int hull_failv(hull_error **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* hull_fail_sys with errnum = errno. */
#define hull_fail_errno(err, ...) hull_fail_sys((err), errno, __VA_ARGS__)

/* Prepends "context: " to an existing error; returns -1. */
int hull_error_prefix(hull_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void hull_error_free(hull_error *e);
void hull_error_freep(hull_error **e);
#define cleanup_error __attribute__((cleanup(hull_error_freep)))

/* Moves an error out of a sub-call (e.g. the child side of the sync
 * protocol) into *err. */
void hull_error_take(hull_error **err, hull_error *from);

#endif
