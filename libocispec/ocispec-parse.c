/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing: yajl's callback parser fills the structs described by the
 * oci_struct_desc tables directly, and reports the first error with the JSON
 * path of the offending value (or the line and column of a syntax error).
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "ocispec-priv.h"

/* ------------------------------------------------------------------------ */
/* Parsing */

enum { FR_STRUCT, FR_ARRAY, FR_MAP };

struct frame {
	int kind;
	int cur;		   /* FR_STRUCT: field being read, -1 for an unknown key */
	const oci_struct_desc *sd; /* FR_STRUCT */
	const oci_field_desc *fd;  /* FR_ARRAY, FR_MAP: the field */
	void *obj;		   /* the struct; for FR_ARRAY the struct owning the array */
	size_t idx;		   /* FR_ARRAY: index of the element being read */
	size_t cap;		   /* FR_ARRAY, FR_MAP: allocated elements */
	uint64_t seen;		   /* FR_STRUCT: fields that got a value */
};

struct pctx {
	const oci_struct_desc *rd;
	const char *source;
	void *root;
	char *err; /* the first error; parsing then only checks the syntax */
	bool oom;
	int skip; /* > 0: inside a value of an unknown property */
	int depth;
	struct frame st[OCI_MAX_DEPTH];
};

/* Starts a message "SOURCE: PATH: " for the current position; with
 * child_of_top false the top frame's current child is left out. */
static void msg_start(struct pctx *c, sbuf *b, bool child_of_top)
{
	struct pcomp pc[OCI_MAX_DEPTH];
	size_t n = 0;
	int upto = child_of_top ? c->depth : c->depth - 1;
	for (int i = 0; i < upto; i++) {
		struct frame *f = &c->st[i];
		switch (f->kind) {
		case FR_STRUCT:
			if (f->cur < 0)
				continue;
			pc[n].type = PC_FIELD;
			pc[n].s = f->sd->fields[f->cur].name;
			pc[n].n = f->sd->fields[f->cur].name_len;
			break;
		case FR_ARRAY:
			pc[n].type = PC_INDEX;
			pc[n].n = f->idx;
			break;
		default: {
			struct gmap *m = f->obj;
			pc[n].type = PC_KEY;
			pc[n].s = m->keys[m->len - 1];
			pc[n].n = strlen(pc[n].s);
			break;
		}
		}
		n++;
	}
	oci__sb_puts(b, c->source);
	oci__sb_puts(b, ": ");
	if (n) {
		oci__sb_path(b, pc, n);
		oci__sb_puts(b, ": ");
	}
}

static void msg_finish(struct pctx *c, sbuf *b)
{
	c->err = oci__sb_take(b);
	if (!c->err)
		c->oom = true;
}

/* "PATH: expected X, got Y" for the value v at the current position. */
static void type_error(struct pctx *c, const oci_field_desc *fd, bool whole, bool range,
		       const struct val *v)
{
	sbuf b = {0};
	msg_start(c, &b, true);
	oci__sb_puts(&b, "expected ");
	oci__sb_expected(&b, fd, whole, range);
	oci__sb_puts(&b, ", got ");
	oci__sb_found(&b, v);
	msg_finish(c, &b);
}

static void nul_error(struct pctx *c, bool child_of_top, const char *what, const struct val *v)
{
	sbuf b = {0};
	msg_start(c, &b, child_of_top);
	oci__sb_printf(&b, "expected %s without NUL characters, got ", what);
	oci__sb_found(&b, v);
	msg_finish(c, &b);
}

static void *xcalloc(struct pctx *c, size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p)
		c->oom = true;
	return p;
}

static int push(struct pctx *c, int kind, const oci_struct_desc *sd, const oci_field_desc *fd,
		void *obj, size_t cap)
{
	if (c->depth == OCI_MAX_DEPTH) {
		sbuf b = {0};
		msg_start(c, &b, true);
		oci__sb_puts(&b, "nested too deeply");
		msg_finish(c, &b);
		return -1;
	}
	struct frame *f = &c->st[c->depth++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->cur = -1;
	f->sd = sd;
	f->fd = fd;
	f->obj = obj;
	f->cap = cap;
	return 0;
}

static bool enum_ok(const char *enums, const char *s, size_t n)
{
	const char *p = enums;
	for (;;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && memcmp(p, s, n) == 0)
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

/* Parses the integer text of v into dest, a member of fd's kind. */
static int store_int(struct pctx *c, const oci_field_desc *fd, const struct val *v, void *dest)
{
	char buf[32];
	int64_t sv = 0;
	uint64_t uv = 0;
	bool neg = v->n > 0 && v->s[0] == '-';
	bool range = false;

	if (memchr(v->s, '.', v->n) || memchr(v->s, 'e', v->n) || memchr(v->s, 'E', v->n))
		goto bad;
	range = true;
	if (v->n >= sizeof buf)
		goto bad;
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	errno = 0;
	if (neg) {
		sv = strtoll(buf, NULL, 10);
		if (errno || sv < fd->min)
			goto bad;
		if (sv >= 0 && (uint64_t)sv > fd->max)
			goto bad;
	} else {
		uv = strtoull(buf, NULL, 10);
		if (errno || uv > fd->max || (fd->min > 0 && uv < (uint64_t)fd->min))
			goto bad;
		sv = (int64_t)uv;
	}
	switch (fd->kind) {
	case OCI_K_INT32: {
		int32_t x = (int32_t)sv;
		memcpy(dest, &x, sizeof x);
		break;
	}
	case OCI_K_INT64:
		memcpy(dest, &sv, sizeof sv);
		break;
	case OCI_K_UINT16: {
		uint16_t x = (uint16_t)uv;
		memcpy(dest, &x, sizeof x);
		break;
	}
	case OCI_K_UINT32: {
		uint32_t x = (uint32_t)uv;
		memcpy(dest, &x, sizeof x);
		break;
	}
	default:
		memcpy(dest, &uv, sizeof uv);
		break;
	}
	return 0;
bad:
	type_error(c, fd, false, range, v);
	return -1;
}

/* Stores one value of fd's kind (not its container) at dest. */
static int store(struct pctx *c, const oci_field_desc *fd, const struct val *v, void *dest)
{
	switch (fd->kind) {
	case OCI_K_STRING: {
		if (v->ev != EV_STRING)
			break;
		if (memchr(v->s, '\0', v->n)) {
			nul_error(c, true, "a string", v);
			return -1;
		}
		if (fd->enums && !enum_ok(fd->enums, v->s, v->n))
			break;
		char *s = malloc(v->n + 1);
		if (!s) {
			c->oom = true;
			return -1;
		}
		memcpy(s, v->s, v->n);
		s[v->n] = '\0';
		oci__set_ptr(dest, s);
		return 0;
	}
	case OCI_K_BOOL:
		if (v->ev != EV_BOOL)
			break;
		oci__set_bool(dest, v->b);
		return 0;
	case OCI_K_STRUCT: {
		if (v->ev != EV_OBJECT)
			break;
		void *o = xcalloc(c, 1, fd->sub->size);
		if (!o)
			return -1;
		oci__set_ptr(dest, o);
		return push(c, FR_STRUCT, fd->sub, NULL, o, 0);
	}
	default:
		if (v->ev != EV_NUMBER)
			break;
		return store_int(c, fd, v, dest);
	}
	type_error(c, fd, false, false, v);
	return -1;
}

static void field_value(struct pctx *c, struct frame *f, const struct val *v)
{
	if (f->cur < 0) {
		if (v->ev == EV_OBJECT || v->ev == EV_ARRAY)
			c->skip = 1;
		return;
	}
	if (v->ev == EV_NULL)
		return;
	const oci_field_desc *fd = &f->sd->fields[f->cur];
	char *obj = f->obj;
	char *at = obj + fd->off;
	if (fd->shape == OCI_S_ONE) {
		if (store(c, fd, v, at) < 0)
			return;
		if (fd->kind != OCI_K_STRING && fd->kind != OCI_K_STRUCT)
			oci__set_bool(obj + fd->aux, true);
	} else if (fd->shape == OCI_S_ARRAY) {
		if (v->ev != EV_ARRAY) {
			type_error(c, fd, true, false, v);
			return;
		}
		/* Never NULL, so that an empty array stays distinguishable from an
		 * absent one. */
		void *arr = xcalloc(c, 4, oci__elem_size(fd->kind));
		if (!arr)
			return;
		oci__set_ptr(at, arr);
		oci__set_size(obj + fd->aux, 0);
		if (push(c, FR_ARRAY, NULL, fd, obj, 4) < 0)
			return;
	} else {
		if (v->ev != EV_OBJECT) {
			type_error(c, fd, true, false, v);
			return;
		}
		struct gmap *m = xcalloc(c, 1, sizeof *m);
		if (!m)
			return;
		oci__set_ptr(at, m);
		if (push(c, FR_MAP, NULL, fd, m, 0) < 0)
			return;
	}
	f->seen |= UINT64_C(1) << f->cur;
}

static void array_value(struct pctx *c, struct frame *f, const struct val *v)
{
	const oci_field_desc *fd = f->fd;
	char *obj = f->obj;
	char *arr = oci__get_ptr(obj + fd->off);
	size_t n = oci__get_size(obj + fd->aux);
	size_t esz = oci__elem_size(fd->kind);

	f->idx = n;
	/* One spare element past the last, zeroed, so that string arrays end
	 * with a NULL: hull hands process.args and env to execve as they are. */
	if (n + 2 > f->cap) {
		size_t cap = f->cap * 2;
		if (cap < f->cap || cap > SIZE_MAX / esz) {
			c->oom = true;
			return;
		}
		char *p = realloc(arr, cap * esz);
		if (!p) {
			c->oom = true;
			return;
		}
		arr = p;
		f->cap = cap;
		oci__set_ptr(obj + fd->off, arr);
	}
	/* A struct element belongs to the array as soon as it is allocated, even
	 * when reading it fails later. */
	memset(arr + n * esz, 0, 2 * esz);
	if (store(c, fd, v, arr + n * esz) == 0 ||
	    (fd->kind == OCI_K_STRUCT && oci__get_ptr(arr + n * esz)))
		oci__set_size(obj + fd->aux, n + 1);
}

static void map_value(struct pctx *c, struct frame *f, const struct val *v)
{
	struct gmap *m = f->obj;
	if (v->ev == EV_NULL) {
		/* null counts as absent */
		free(m->keys[--m->len]);
		return;
	}
	store(c, f->fd, v, &m->values[m->len - 1]);
}

static void on_value(struct pctx *c, const struct val *v)
{
	if (c->skip) {
		if (v->ev == EV_OBJECT || v->ev == EV_ARRAY)
			c->skip++;
		return;
	}
	if (c->depth == 0) {
		if (v->ev != EV_OBJECT) {
			sbuf b = {0};
			oci__sb_printf(&b, "%s: expected a JSON object, got ", c->source);
			oci__sb_found(&b, v);
			msg_finish(c, &b);
			return;
		}
		c->root = xcalloc(c, 1, c->rd->size);
		if (c->root)
			push(c, FR_STRUCT, c->rd, NULL, c->root, 0);
		return;
	}
	struct frame *f = &c->st[c->depth - 1];
	switch (f->kind) {
	case FR_STRUCT:
		field_value(c, f, v);
		break;
	case FR_ARRAY:
		array_value(c, f, v);
		break;
	default:
		map_value(c, f, v);
		break;
	}
}

static int cb_result(struct pctx *c)
{
	return !c->oom;
}

static int cb_null(void *ctx)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_NULL};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int cb_boolean(void *ctx, int b)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_BOOL, .b = b != 0};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_NUMBER, .s = s, .n = n};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_STRING, .s = (const char *)s, .n = n};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int cb_start_map(void *ctx)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_OBJECT};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int cb_start_array(void *ctx)
{
	struct pctx *c = ctx;
	if (!c->err) {
		struct val v = {.ev = EV_ARRAY};
		on_value(c, &v);
	}
	return cb_result(c);
}

static int find_field(const oci_struct_desc *d, const char *key, size_t n)
{
	for (unsigned i = 0; i < d->nfields; i++) {
		const oci_field_desc *fd = &d->fields[i];
		if (fd->name_len == n && memcmp(fd->name, key, n) == 0)
			return (int)i;
	}
	return -1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t n)
{
	struct pctx *c = ctx;
	if (c->err || c->skip)
		return cb_result(c);
	const char *key = (const char *)k;
	struct frame *f = &c->st[c->depth - 1];
	if (f->kind == FR_STRUCT) {
		f->cur = find_field(f->sd, key, n);
		if (f->cur >= 0 && (f->seen & (UINT64_C(1) << f->cur))) {
			/* a duplicate key: the last one wins */
			oci__clear_field(&f->sd->fields[f->cur], f->obj);
			f->seen &= ~(UINT64_C(1) << f->cur);
		}
		return cb_result(c);
	}
	struct gmap *m = f->obj;
	if (memchr(key, '\0', n)) {
		struct val v = {.ev = EV_STRING, .s = key, .n = n};
		nul_error(c, false, "a key", &v);
		return cb_result(c);
	}
	if (m->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		char **keys = realloc(m->keys, cap * sizeof *keys);
		if (keys)
			m->keys = keys;
		void **values = keys ? realloc(m->values, cap * sizeof *values) : NULL;
		if (!values) {
			c->oom = true;
			return 0;
		}
		m->values = values;
		f->cap = cap;
	}
	char *s = malloc(n + 1);
	if (!s) {
		c->oom = true;
		return 0;
	}
	memcpy(s, key, n);
	s[n] = '\0';
	m->keys[m->len] = s;
	m->values[m->len] = NULL;
	m->len++;
	return 1;
}

struct keyidx {
	const char *key;
	size_t idx;
};

static int keyidx_cmp(const void *a, const void *b)
{
	const struct keyidx *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Duplicate keys in a map: the last one wins. */
static int map_dedupe(const oci_field_desc *fd, struct gmap *m)
{
	size_t n = m->len;
	if (n < 2)
		return 0;
	unsigned char *dead = calloc(n, 1);
	if (!dead)
		return -1;
	size_t ndead = 0;
	if (n <= 16) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(m->keys[i], m->keys[j]) == 0) {
					dead[i] = 1;
					ndead++;
					break;
				}
	} else {
		struct keyidx *ki = malloc(n * sizeof *ki);
		if (!ki) {
			free(dead);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			ki[i].key = m->keys[i];
			ki[i].idx = i;
		}
		qsort(ki, n, sizeof *ki, keyidx_cmp);
		for (size_t i = 0; i + 1 < n; i++)
			if (strcmp(ki[i].key, ki[i + 1].key) == 0) {
				dead[ki[i].idx] = 1;
				ndead++;
			}
		free(ki);
	}
	if (ndead) {
		size_t w = 0;
		for (size_t i = 0; i < n; i++) {
			if (dead[i]) {
				free(m->keys[i]);
				oci__free_value(fd, m->values[i]);
				continue;
			}
			m->keys[w] = m->keys[i];
			m->values[w] = m->values[i];
			w++;
		}
		m->len = w;
	}
	free(dead);
	return 0;
}

static int cb_end_map(void *ctx)
{
	struct pctx *c = ctx;
	if (c->err)
		return cb_result(c);
	if (c->skip) {
		c->skip--;
		return 1;
	}
	struct frame *f = &c->st[c->depth - 1];
	if (f->kind == FR_STRUCT) {
		for (unsigned i = 0; i < f->sd->nfields; i++) {
			const oci_field_desc *fd = &f->sd->fields[i];
			if ((fd->flags & OCI_F_REQUIRED) && !(f->seen & (UINT64_C(1) << i))) {
				sbuf b = {0};
				f->cur = (int)i;
				msg_start(c, &b, true);
				oci__sb_puts(&b, "required property missing (expected ");
				oci__sb_expected(&b, fd, true, false);
				oci__sb_puts(&b, ")");
				msg_finish(c, &b);
				return cb_result(c);
			}
		}
	} else if (map_dedupe(f->fd, f->obj) < 0) {
		c->oom = true;
		return 0;
	}
	c->depth--;
	return 1;
}

static int cb_end_array(void *ctx)
{
	struct pctx *c = ctx;
	if (c->err)
		return cb_result(c);
	if (c->skip)
		c->skip--;
	else
		c->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end_array,
};

static bool is_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* what numbers, true, false and null are made of */
#define TOKEN_CHARS "0123456789+-.eEtruefalsn"

/* The start of the token ending at data[pos]: yajl reports grammar errors
 * after reading the whole token.  data[len] need not be readable. */
static size_t token_start(const char *data, size_t len, size_t pos)
{
	if (pos >= len)
		return pos;
	char ch = data[pos];
	if (ch == '"') {
		while (pos > 0) {
			pos--;
			if (data[pos] != '"')
				continue;
			size_t bs = 0;
			while (bs < pos && data[pos - 1 - bs] == '\\')
				bs++;
			if (bs % 2 == 0)
				break;
		}
	} else if (ch && strchr(TOKEN_CHARS, ch)) {
		while (pos > 0 && data[pos - 1] && strchr(TOKEN_CHARS, data[pos - 1]))
			pos--;
	}
	return pos;
}

/* The first byte of the non-ASCII sequence at or before data[pos]. */
static size_t utf8_run_start(const char *data, size_t len, size_t pos)
{
	if (pos >= len)
		return pos;
	if ((unsigned char)data[pos] < 0x80 && pos > 0 && (unsigned char)data[pos - 1] >= 0x80)
		pos--;
	while (pos > 0 && ((unsigned char)data[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

/* "invalid JSON at line L, column C: REASON" */
static char *syntax_error(yajl_handle h, const char *source, const char *data, size_t len,
			  bool at_end)
{
	size_t pos;
	unsigned char *yerr = yajl_get_error(h, 0, NULL, 0);
	const char *reason = yerr ? (const char *)yerr : "syntax error";
	const char *colon = strstr(reason, "error: ");
	if (colon)
		reason = colon + 7;
	size_t rlen = strlen(reason);
	while (rlen && (is_json_space(reason[rlen - 1]) || reason[rlen - 1] == '.'))
		rlen--;

	if (at_end) {
		/* premature end: just after the last character */
		pos = len;
		while (pos > 0 && is_json_space(data[pos - 1]))
			pos--;
	} else {
		pos = yajl_get_bytes_consumed(h);
		if (pos > len)
			pos = len;
		/* yajl has consumed the offending byte, except inside strings */
		if (!strstr(reason, "inside") && pos > 0)
			pos--;
		if (yerr && strncmp((const char *)yerr, "parse error", 11) == 0)
			pos = token_start(data, len, pos);
		else if (strstr(reason, "UTF8"))
			pos = utf8_run_start(data, len, pos);
	}
	unsigned long line = 1, col = 1;
	for (size_t i = 0; i < pos; i++) {
		unsigned char ch = (unsigned char)data[i];
		if (ch == '\n') {
			line++;
			col = 1;
		} else if ((ch & 0xc0) != 0x80) {
			col++;
		}
	}
	sbuf b = {0};
	oci__sb_printf(&b, "%s: invalid JSON at line %lu, column %lu: ", source, line, col);
	oci__sb_add(&b, reason, rlen);
	if (yerr)
		yajl_free_error(h, yerr);
	return oci__sb_take(&b);
}

void *oci_struct_parse_data(const oci_struct_desc *d, const char *data, size_t len,
			    const char *source, char **err)
{
	struct pctx c = {.rd = d, .source = source ? source : "input"};
	size_t i = 0;

	if (err)
		*err = NULL;
	while (i < len && is_json_space(data[i]))
		i++;
	if (i == len) {
		oci__fail(err, "%s: empty document (expected a JSON object)", c.source);
		return NULL;
	}

	yajl_handle h = yajl_alloc(&callbacks, NULL, &c);
	if (!h) {
		oci__set_err(err, NULL);
		return NULL;
	}
	bool at_end = false;
	yajl_status st = yajl_parse(h, (const unsigned char *)data, len);
	if (st == yajl_status_ok) {
		at_end = true;
		st = yajl_complete_parse(h);
	}
	if (c.oom) {
		free(c.err);
		c.err = NULL;
	} else if (st != yajl_status_ok) {
		/* Broken syntax trumps any error found before it. */
		free(c.err);
		c.err = syntax_error(h, c.source, data, len, at_end);
		if (!c.err)
			c.oom = true;
	}
	yajl_free(h);

	if (c.oom || c.err || !c.root) {
		oci_struct_free(d, c.root);
		if (c.err || c.oom)
			oci__set_err(err, c.err);
		else
			oci__fail(err, "%s: expected a JSON object", c.source);
		return NULL;
	}
	return c.root;
}

void *oci_struct_parse_file(const oci_struct_desc *d, const char *path, const char *source,
			    char **err)
{
	size_t len;
	char *data = oci_read_file(path, OCI_MAX_FILE_SIZE, &len, err);
	if (!data)
		return NULL;
	void *v = oci_struct_parse_data(d, data, len, source ? source : path, err);
	free(data);
	return v;
}
