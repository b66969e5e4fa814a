/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef OCISPEC_PRIV_H
#define OCISPEC_PRIV_H

/*
 * Internal to libocispec: what ocispec.c, ocispec-parse.c and
 * ocispec-serialize.c share.  Not installed; generated code and libhull
 * include ocispec.h only.
 */

#include <stdbool.h>
#include <stddef.h>

#include "ocispec.h"

#define OCI__HIDDEN __attribute__((visibility("hidden")))

/* ------------------------------------------------------------------------ */
/* A growing string for building messages (ocispec.c). */

typedef struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
} sbuf;

OCI__HIDDEN void oci__sb_add(sbuf *b, const char *s, size_t n);
OCI__HIDDEN void oci__sb_puts(sbuf *b, const char *s);
OCI__HIDDEN void oci__sb_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes the string out of b (NULL if memory ran out). */
OCI__HIDDEN char *oci__sb_take(sbuf *b);
/* Appends s as a JSON string literal, cut after max characters. */
OCI__HIDDEN void oci__sb_quote(sbuf *b, const char *s, size_t n, size_t max);

/* Sets *err to msg, or to a fixed message when msg is NULL (out of memory). */
OCI__HIDDEN void oci__set_err(char **err, char *msg);
OCI__HIDDEN void oci__fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* Raw member access (the engine only knows offsets). */

OCI__HIDDEN void *oci__get_ptr(const void *at);
OCI__HIDDEN void oci__set_ptr(void *at, const void *p);
OCI__HIDDEN size_t oci__get_size(const void *at);
OCI__HIDDEN void oci__set_size(void *at, size_t n);
OCI__HIDDEN void oci__set_bool(void *at, bool v);
OCI__HIDDEN bool oci__get_bool(const void *at);

/* The layout shared by oci_string_map and every oci_NAME_map. */
struct gmap {
	char **keys;
	void **values;
	size_t len;
};

OCI__HIDDEN size_t oci__elem_size(unsigned kind);

/* ------------------------------------------------------------------------ */
/* Freeing */

OCI__HIDDEN void oci__free_value(const oci_field_desc *fd, void *p);
/* Frees what field fd of obj owns and resets it to absent. */
OCI__HIDDEN void oci__clear_field(const oci_field_desc *fd, void *obj);

/* ------------------------------------------------------------------------ */
/* Messages */

enum ev { EV_NULL, EV_BOOL, EV_NUMBER, EV_STRING, EV_OBJECT, EV_ARRAY };

/* A JSON value as the parser reports it. */
struct val {
	enum ev ev;
	bool b;
	const char *s; /* EV_NUMBER, EV_STRING */
	size_t n;
};

OCI__HIDDEN void oci__sb_found(sbuf *b, const struct val *v);
/* What field fd holds: the container when whole, else one element. */
OCI__HIDDEN void oci__sb_expected(sbuf *b, const oci_field_desc *fd, bool whole, bool range);

/* One step of a JSON path. */
struct pcomp {
	enum { PC_FIELD, PC_INDEX, PC_KEY } type;
	const char *s;
	size_t n;
};

OCI__HIDDEN void oci__sb_path(sbuf *b, const struct pcomp *pc, size_t n);

#endif
