/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Serializing: yajl_gen writes the structs described by the oci_struct_desc
 * tables; errors name the JSON path of the offending member.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "ocispec-priv.h"

/* ------------------------------------------------------------------------ */
/* Serializing */

struct sctx {
	yajl_gen g;
	const char *root;
	char *err;
	size_t depth;
	struct pcomp path[OCI_MAX_DEPTH + 1];
};

static int gen_fail(struct sctx *c, const char *what)
{
	if (c->err)
		return -1;
	sbuf b = {0};
	oci__sb_printf(&b, "serializing %s: ", c->root);
	if (c->depth) {
		oci__sb_path(&b, c->path, c->depth);
		oci__sb_puts(&b, ": ");
	}
	oci__sb_puts(&b, what);
	c->err = oci__sb_take(&b);
	if (!c->err)
		c->err = strdup("out of memory");
	return -1;
}

static int gen_check(struct sctx *c, yajl_gen_status s)
{
	switch (s) {
	case yajl_gen_status_ok:
		return 0;
	case yajl_gen_invalid_string:
		return gen_fail(c, "invalid UTF-8 in string");
	case yajl_max_depth_exceeded:
		return gen_fail(c, "nested too deeply");
	default:
		return gen_fail(c, "JSON generator error");
	}
}

static void path_push(struct sctx *c, int type, const char *s, size_t n)
{
	c->path[c->depth].type = type;
	c->path[c->depth].s = s;
	c->path[c->depth].n = n;
	c->depth++;
}

static int gen_struct(struct sctx *c, const oci_struct_desc *d, const void *v);

static int gen_str(struct sctx *c, const char *s)
{
	if (!s)
		return gen_fail(c, "NULL string");
	return gen_check(c, yajl_gen_string(c->g, (const unsigned char *)s, strlen(s)));
}

/* One value of fd's kind (not its container). */
static int gen_one(struct sctx *c, const oci_field_desc *fd, const void *at)
{
	char num[32];
	int n;

	switch (fd->kind) {
	case OCI_K_STRING:
		return gen_str(c, oci__get_ptr(at));
	case OCI_K_BOOL:
		return gen_check(c, yajl_gen_bool(c->g, oci__get_bool(at)));
	case OCI_K_STRUCT: {
		void *p = oci__get_ptr(at);
		if (!p)
			return gen_fail(c, "NULL object");
		return gen_struct(c, fd->sub, p);
	}
	case OCI_K_INT32: {
		int32_t x;
		memcpy(&x, at, sizeof x);
		n = snprintf(num, sizeof num, "%" PRId32, x);
		break;
	}
	case OCI_K_INT64: {
		int64_t x;
		memcpy(&x, at, sizeof x);
		n = snprintf(num, sizeof num, "%" PRId64, x);
		break;
	}
	case OCI_K_UINT16: {
		uint16_t x;
		memcpy(&x, at, sizeof x);
		n = snprintf(num, sizeof num, "%" PRIu16, x);
		break;
	}
	case OCI_K_UINT32: {
		uint32_t x;
		memcpy(&x, at, sizeof x);
		n = snprintf(num, sizeof num, "%" PRIu32, x);
		break;
	}
	default: {
		uint64_t x;
		memcpy(&x, at, sizeof x);
		n = snprintf(num, sizeof num, "%" PRIu64, x);
		break;
	}
	}
	return gen_check(c, yajl_gen_number(c->g, num, (size_t)n));
}

static int gen_field(struct sctx *c, const oci_field_desc *fd, const char *obj)
{
	const char *at = obj + fd->off;
	size_t n = 0;

	switch (fd->shape) {
	case OCI_S_ONE:
		if (fd->kind == OCI_K_STRING || fd->kind == OCI_K_STRUCT) {
			if (!oci__get_ptr(at))
				return 0;
		} else if (!oci__get_bool(obj + fd->aux)) {
			return 0;
		}
		break;
	case OCI_S_ARRAY:
		n = oci__get_size(obj + fd->aux);
		if (!oci__get_ptr(at) && n == 0)
			return 0;
		if (!oci__get_ptr(at))
			return gen_fail(c, "NULL array with a length");
		break;
	default:
		if (!oci__get_ptr(at))
			return 0;
		break;
	}
	if (gen_check(c, yajl_gen_string(c->g, (const unsigned char *)fd->name, fd->name_len)) < 0)
		return -1;
	path_push(c, PC_FIELD, fd->name, fd->name_len);
	int r = 0;
	if (fd->shape == OCI_S_ONE) {
		r = gen_one(c, fd, at);
	} else if (fd->shape == OCI_S_ARRAY) {
		const char *arr = oci__get_ptr(at);
		size_t esz = oci__elem_size(fd->kind);
		r = gen_check(c, yajl_gen_array_open(c->g));
		for (size_t i = 0; r == 0 && i < n; i++) {
			path_push(c, PC_INDEX, NULL, i);
			r = gen_one(c, fd, arr + i * esz);
			c->depth--;
		}
		if (r == 0)
			r = gen_check(c, yajl_gen_array_close(c->g));
	} else {
		const struct gmap *m = oci__get_ptr(at);
		r = gen_check(c, yajl_gen_map_open(c->g));
		for (size_t i = 0; r == 0 && i < m->len; i++) {
			/* a NULL value is an absent entry */
			if (!m->values[i])
				continue;
			r = gen_str(c, m->keys[i]);
			if (r < 0)
				break;
			path_push(c, PC_KEY, m->keys[i], strlen(m->keys[i]));
			r = gen_one(c, fd, &m->values[i]);
			c->depth--;
		}
		if (r == 0)
			r = gen_check(c, yajl_gen_map_close(c->g));
	}
	c->depth--;
	return r;
}

static int gen_struct(struct sctx *c, const oci_struct_desc *d, const void *v)
{
	if (c->depth >= OCI_MAX_DEPTH)
		return gen_fail(c, "nested too deeply");
	if (gen_check(c, yajl_gen_map_open(c->g)) < 0)
		return -1;
	for (unsigned i = 0; i < d->nfields; i++)
		if (gen_field(c, &d->fields[i], v) < 0)
			return -1;
	return gen_check(c, yajl_gen_map_close(c->g));
}

char *oci_struct_serialize(const oci_struct_desc *d, const void *v, bool pretty, size_t *len,
			   char **err)
{
	struct sctx c = {.root = d->name};
	char *out = NULL;

	if (err)
		*err = NULL;
	if (!v) {
		oci__fail(err, "serializing %s: NULL object", d->name);
		return NULL;
	}
	c.g = yajl_gen_alloc(NULL);
	if (!c.g) {
		oci__set_err(err, NULL);
		return NULL;
	}
	yajl_gen_config(c.g, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(c.g, yajl_gen_indent_string, "  ");
	yajl_gen_config(c.g, yajl_gen_validate_utf8, 1);
	if (gen_struct(&c, d, v) == 0) {
		const unsigned char *buf;
		size_t n;
		yajl_gen_get_buf(c.g, &buf, &n);
		out = malloc(n + 1);
		if (out) {
			memcpy(out, buf, n);
			out[n] = '\0';
			if (len)
				*len = n;
		}
	}
	yajl_gen_free(c.g);
	if (!out)
		oci__set_err(err, c.err);
	return out;
}
