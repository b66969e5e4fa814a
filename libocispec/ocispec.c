/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libocispec engine.  gen.py describes every struct of spec.types as an
 * array of oci_field_desc (JSON name, member offsets, kind, limits); the
 * functions here walk those tables to parse (with yajl's callback parser,
 * building the structs directly, no intermediate tree), serialize (yajl_gen)
 * and free.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "ocispec.h"

/* Found values in messages are cut after this many characters. */
#define SHOW_MAX 40

/* ------------------------------------------------------------------------ */
/* A growing string for building messages. */

typedef struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->buf, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
	char tmp[256];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->oom = true;
	} else if ((size_t)n < sizeof tmp) {
		sb_add(b, tmp, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big) {
			b->oom = true;
			return;
		}
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		sb_add(b, big, (size_t)n);
		free(big);
	}
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Takes the string out of b (NULL if memory ran out). */
static char *sb_take(sbuf *b)
{
	if (b->oom || !b->buf) {
		free(b->buf);
		b->buf = NULL;
		return NULL;
	}
	char *s = b->buf;
	b->buf = NULL;
	return s;
}

/* Sets *err to msg, or to a fixed message when msg is NULL (out of memory). */
static void set_err(char **err, char *msg)
{
	if (!msg)
		msg = strdup("out of memory");
	if (err)
		*err = msg;
	else
		free(msg);
}

static void fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(char **err, const char *fmt, ...)
{
	sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	set_err(err, sb_take(&b));
}

/* Appends s as a JSON string literal, cut after max characters. */
static void sb_quote(sbuf *b, const char *s, size_t n, size_t max)
{
	size_t chars = 0;
	sb_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80 && chars++ == max) {
			sb_add(b, "...", 3);
			break;
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			sb_add(b, e, 2);
		} else if (c == '\n') {
			sb_add(b, "\\n", 2);
		} else if (c == '\t') {
			sb_add(b, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_add(b, s + i, 1);
		}
	}
	sb_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* Raw member access (the engine only knows offsets). */

static void *get_ptr(const void *at)
{
	void *p;
	memcpy(&p, at, sizeof p);
	return p;
}

static void set_ptr(void *at, const void *p)
{
	memcpy(at, &p, sizeof p);
}

static size_t get_size(const void *at)
{
	size_t n;
	memcpy(&n, at, sizeof n);
	return n;
}

static void set_size(void *at, size_t n)
{
	memcpy(at, &n, sizeof n);
}

static void set_bool(void *at, bool v)
{
	memcpy(at, &v, sizeof v);
}

static bool get_bool(const void *at)
{
	bool v;
	memcpy(&v, at, sizeof v);
	return v;
}

/* The layout shared by oci_string_map and every oci_NAME_map. */
struct gmap {
	char **keys;
	void **values;
	size_t len;
};

static size_t elem_size(unsigned kind)
{
	switch (kind) {
	case OCI_K_BOOL:
		return sizeof(bool);
	case OCI_K_INT32:
		return sizeof(int32_t);
	case OCI_K_UINT32:
		return sizeof(uint32_t);
	case OCI_K_UINT16:
		return sizeof(uint16_t);
	case OCI_K_INT64:
		return sizeof(int64_t);
	case OCI_K_UINT64:
		return sizeof(uint64_t);
	default:
		return sizeof(void *);
	}
}

/* ------------------------------------------------------------------------ */
/* Freeing */

static void free_value(const oci_field_desc *fd, void *p)
{
	if (fd->kind == OCI_K_STRUCT)
		oci_struct_free(fd->sub, p);
	else
		free(p);
}

static void map_free(const oci_field_desc *fd, struct gmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->len; i++) {
		free(m->keys[i]);
		free_value(fd, m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m);
}

/* Frees what field fd of obj owns and resets it to absent. */
static void clear_field(const oci_field_desc *fd, void *obj)
{
	char *at = (char *)obj + fd->off;
	switch (fd->shape) {
	case OCI_S_ONE:
		if (fd->kind == OCI_K_STRING || fd->kind == OCI_K_STRUCT) {
			free_value(fd, get_ptr(at));
			set_ptr(at, NULL);
		} else {
			memset(at, 0, elem_size(fd->kind));
			set_bool((char *)obj + fd->aux, false);
		}
		break;
	case OCI_S_ARRAY: {
		void *arr = get_ptr(at);
		size_t n = get_size((char *)obj + fd->aux);
		if (arr && (fd->kind == OCI_K_STRING || fd->kind == OCI_K_STRUCT)) {
			void **v = arr;
			for (size_t i = 0; i < n; i++)
				free_value(fd, v[i]);
		}
		free(arr);
		set_ptr(at, NULL);
		set_size((char *)obj + fd->aux, 0);
		break;
	}
	case OCI_S_MAP:
		map_free(fd, get_ptr(at));
		set_ptr(at, NULL);
		break;
	}
}

void oci_struct_free(const oci_struct_desc *d, void *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < d->nfields; i++)
		clear_field(&d->fields[i], v);
	free(v);
}

const char *oci_string_map_get(const oci_string_map *m, const char *key)
{
	if (!m || !key)
		return NULL;
	for (size_t i = m->len; i-- > 0;)
		if (m->keys[i] && strcmp(m->keys[i], key) == 0)
			return m->values[i];
	return NULL;
}

void oci_string_map_free(oci_string_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->len; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m);
}

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

static void sb_found(sbuf *b, const struct val *v)
{
	switch (v->ev) {
	case EV_NULL:
		sb_puts(b, "null");
		break;
	case EV_BOOL:
		sb_puts(b, v->b ? "true" : "false");
		break;
	case EV_NUMBER:
		if (v->n > SHOW_MAX) {
			sb_add(b, v->s, SHOW_MAX);
			sb_puts(b, "...");
		} else {
			sb_add(b, v->s, v->n);
		}
		break;
	case EV_STRING:
		sb_quote(b, v->s, v->n, SHOW_MAX);
		break;
	case EV_OBJECT:
		sb_puts(b, "an object");
		break;
	case EV_ARRAY:
		sb_puts(b, "an array");
		break;
	}
}

/* What field fd holds: the container when whole, else one element. */
static void sb_expected(sbuf *b, const oci_field_desc *fd, bool whole, bool range)
{
	if (whole && fd->shape == OCI_S_ARRAY) {
		sb_puts(b, "an array");
		return;
	}
	if (whole && fd->shape == OCI_S_MAP) {
		sb_puts(b, "an object");
		return;
	}
	switch (fd->kind) {
	case OCI_K_STRING:
		if (!fd->enums) {
			sb_puts(b, "a string");
			break;
		}
		sb_puts(b, "one of ");
		for (const char *p = fd->enums; *p; p++)
			if (*p == '|')
				sb_puts(b, ", ");
			else
				sb_add(b, p, 1);
		break;
	case OCI_K_BOOL:
		sb_puts(b, "a boolean");
		break;
	case OCI_K_STRUCT:
		sb_puts(b, "an object");
		break;
	default:
		sb_puts(b, "an integer");
		if (range || (fd->flags & OCI_F_RANGED))
			sb_printf(b, " from %" PRId64 " to %" PRIu64, fd->min, fd->max);
		break;
	}
}

/* One step of a JSON path. */
struct pcomp {
	enum { PC_FIELD, PC_INDEX, PC_KEY } type;
	const char *s;
	size_t n;
};

static void sb_path(sbuf *b, const struct pcomp *pc, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		switch (pc[i].type) {
		case PC_FIELD:
			if (any)
				sb_add(b, ".", 1);
			sb_add(b, pc[i].s, pc[i].n);
			break;
		case PC_INDEX:
			sb_printf(b, "[%zu]", pc[i].n);
			break;
		case PC_KEY:
			sb_add(b, "[", 1);
			sb_quote(b, pc[i].s, pc[i].n, 100);
			sb_add(b, "]", 1);
			break;
		}
		any = true;
	}
}

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
	sb_puts(b, c->source);
	sb_puts(b, ": ");
	if (n) {
		sb_path(b, pc, n);
		sb_puts(b, ": ");
	}
}

static void msg_finish(struct pctx *c, sbuf *b)
{
	c->err = sb_take(b);
	if (!c->err)
		c->oom = true;
}

/* "PATH: expected X, got Y" for the value v at the current position. */
static void type_error(struct pctx *c, const oci_field_desc *fd, bool whole, bool range,
		       const struct val *v)
{
	sbuf b = {0};
	msg_start(c, &b, true);
	sb_puts(&b, "expected ");
	sb_expected(&b, fd, whole, range);
	sb_puts(&b, ", got ");
	sb_found(&b, v);
	msg_finish(c, &b);
}

static void nul_error(struct pctx *c, bool child_of_top, const char *what, const struct val *v)
{
	sbuf b = {0};
	msg_start(c, &b, child_of_top);
	sb_printf(&b, "expected %s without NUL characters, got ", what);
	sb_found(&b, v);
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
		sb_puts(&b, "nested too deeply");
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
		set_ptr(dest, s);
		return 0;
	}
	case OCI_K_BOOL:
		if (v->ev != EV_BOOL)
			break;
		set_bool(dest, v->b);
		return 0;
	case OCI_K_STRUCT: {
		if (v->ev != EV_OBJECT)
			break;
		void *o = xcalloc(c, 1, fd->sub->size);
		if (!o)
			return -1;
		set_ptr(dest, o);
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
			set_bool(obj + fd->aux, true);
	} else if (fd->shape == OCI_S_ARRAY) {
		if (v->ev != EV_ARRAY) {
			type_error(c, fd, true, false, v);
			return;
		}
		/* Never NULL, so that an empty array stays distinguishable from an
		 * absent one. */
		void *arr = xcalloc(c, 4, elem_size(fd->kind));
		if (!arr)
			return;
		set_ptr(at, arr);
		set_size(obj + fd->aux, 0);
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
		set_ptr(at, m);
		if (push(c, FR_MAP, NULL, fd, m, 0) < 0)
			return;
	}
	f->seen |= UINT64_C(1) << f->cur;
}

static void array_value(struct pctx *c, struct frame *f, const struct val *v)
{
	const oci_field_desc *fd = f->fd;
	char *obj = f->obj;
	char *arr = get_ptr(obj + fd->off);
	size_t n = get_size(obj + fd->aux);
	size_t esz = elem_size(fd->kind);

	f->idx = n;
	if (n == f->cap) {
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
		set_ptr(obj + fd->off, arr);
	}
	/* A struct element belongs to the array as soon as it is allocated, even
	 * when reading it fails later. */
	memset(arr + n * esz, 0, esz);
	if (store(c, fd, v, arr + n * esz) == 0 ||
	    (fd->kind == OCI_K_STRUCT && get_ptr(arr + n * esz)))
		set_size(obj + fd->aux, n + 1);
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
			sb_printf(&b, "%s: expected a JSON object, got ", c->source);
			sb_found(&b, v);
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
			clear_field(&f->sd->fields[f->cur], f->obj);
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
				free_value(fd, m->values[i]);
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
				sb_puts(&b, "required property missing (expected ");
				sb_expected(&b, fd, true, false);
				sb_puts(&b, ")");
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
 * after reading the whole token. */
static size_t token_start(const char *data, size_t pos)
{
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
static size_t utf8_run_start(const char *data, size_t pos)
{
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
			pos = token_start(data, pos);
		else if (strstr(reason, "UTF8"))
			pos = utf8_run_start(data, pos);
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
	sb_printf(&b, "%s: invalid JSON at line %lu, column %lu: ", source, line, col);
	sb_add(&b, reason, rlen);
	if (yerr)
		yajl_free_error(h, yerr);
	return sb_take(&b);
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
		fail(err, "%s: empty document (expected a JSON object)", c.source);
		return NULL;
	}

	yajl_handle h = yajl_alloc(&callbacks, NULL, &c);
	if (!h) {
		set_err(err, NULL);
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
			set_err(err, c.err);
		else
			fail(err, "%s: expected a JSON object", c.source);
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

/* ------------------------------------------------------------------------ */
/* Files */

char *oci_read_file(const char *path, size_t max, size_t *len, char **err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap, lim;
	int fd;

	if (err)
		*err = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fail(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		fail(err, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > max)
		goto too_large;
	/* st_size is a hint: the file may change, /proc files say 0 */
	lim = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX;
	cap = (size_t)st.st_size + 1;
	if (cap < 4096)
		cap = 4096;
	if (cap > lim)
		cap = lim;
	buf = malloc(cap);
	if (!buf) {
		set_err(err, NULL);
		goto out;
	}
	for (;;) {
		if (n + 1 == cap) {
			if (n > max)
				goto too_large;
			size_t ncap = cap < lim / 2 ? cap * 2 : lim;
			char *p = realloc(buf, ncap);
			if (!p) {
				set_err(err, NULL);
				goto fail_buf;
			}
			buf = p;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail(err, "%s: read: %s", path, strerror(errno));
			goto fail_buf;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		goto too_large;
	buf[n] = '\0';
	close(fd);
	if (len)
		*len = n;
	return buf;

too_large:
	fail(err, "%s: file too large (more than %zu bytes)", path, max);
fail_buf:
	free(buf);
	buf = NULL;
out:
	close(fd);
	return NULL;
}

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
	sb_printf(&b, "serializing %s: ", c->root);
	if (c->depth) {
		sb_path(&b, c->path, c->depth);
		sb_puts(&b, ": ");
	}
	sb_puts(&b, what);
	c->err = sb_take(&b);
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
		return gen_str(c, get_ptr(at));
	case OCI_K_BOOL:
		return gen_check(c, yajl_gen_bool(c->g, get_bool(at)));
	case OCI_K_STRUCT: {
		void *p = get_ptr(at);
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
			if (!get_ptr(at))
				return 0;
		} else if (!get_bool(obj + fd->aux)) {
			return 0;
		}
		break;
	case OCI_S_ARRAY:
		n = get_size(obj + fd->aux);
		if (!get_ptr(at) && n == 0)
			return 0;
		if (!get_ptr(at))
			return gen_fail(c, "NULL array with a length");
		break;
	default:
		if (!get_ptr(at))
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
		const char *arr = get_ptr(at);
		size_t esz = elem_size(fd->kind);
		r = gen_check(c, yajl_gen_array_open(c->g));
		for (size_t i = 0; r == 0 && i < n; i++) {
			path_push(c, PC_INDEX, NULL, i);
			r = gen_one(c, fd, arr + i * esz);
			c->depth--;
		}
		if (r == 0)
			r = gen_check(c, yajl_gen_array_close(c->g));
	} else {
		const struct gmap *m = get_ptr(at);
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
		fail(err, "serializing %s: NULL object", d->name);
		return NULL;
	}
	c.g = yajl_gen_alloc(NULL);
	if (!c.g) {
		set_err(err, NULL);
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
		set_err(err, c.err);
	return out;
}
