/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libocispec engine.  gen.py describes every struct of spec.types as an
 * array of oci_field_desc (JSON name, member offsets, kind, limits); the
 * functions here and in ocispec-parse.c (yajl's callback parser, building the
 * structs directly, no intermediate tree) and ocispec-serialize.c (yajl_gen)
 * walk those tables.  This file holds the shared pieces: the message builder,
 * raw member access, freeing, string maps and file reading.
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

#include "ocispec-priv.h"

/* Found values in messages are cut after this many characters. */
#define SHOW_MAX 40

/* ------------------------------------------------------------------------ */
/* A growing string for building messages. */

void oci__sb_add(sbuf *b, const char *s, size_t n)
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

void oci__sb_puts(sbuf *b, const char *s)
{
	oci__sb_add(b, s, strlen(s));
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
		oci__sb_add(b, tmp, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big) {
			b->oom = true;
			return;
		}
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		oci__sb_add(b, big, (size_t)n);
		free(big);
	}
}

void oci__sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Takes the string out of b (NULL if memory ran out). */
char *oci__sb_take(sbuf *b)
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
void oci__set_err(char **err, char *msg)
{
	if (!msg)
		msg = strdup("out of memory");
	if (err)
		*err = msg;
	else
		free(msg);
}

void oci__fail(char **err, const char *fmt, ...)
{
	sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	oci__set_err(err, oci__sb_take(&b));
}

/* Appends s as a JSON string literal, cut after max characters. */
void oci__sb_quote(sbuf *b, const char *s, size_t n, size_t max)
{
	size_t chars = 0;
	oci__sb_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80 && chars++ == max) {
			oci__sb_add(b, "...", 3);
			break;
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			oci__sb_add(b, e, 2);
		} else if (c == '\n') {
			oci__sb_add(b, "\\n", 2);
		} else if (c == '\t') {
			oci__sb_add(b, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			oci__sb_printf(b, "\\u%04x", c);
		} else {
			oci__sb_add(b, s + i, 1);
		}
	}
	oci__sb_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* Raw member access (the engine only knows offsets). */

void *oci__get_ptr(const void *at)
{
	void *p;
	memcpy(&p, at, sizeof p);
	return p;
}

void oci__set_ptr(void *at, const void *p)
{
	memcpy(at, &p, sizeof p);
}

size_t oci__get_size(const void *at)
{
	size_t n;
	memcpy(&n, at, sizeof n);
	return n;
}

void oci__set_size(void *at, size_t n)
{
	memcpy(at, &n, sizeof n);
}

void oci__set_bool(void *at, bool v)
{
	memcpy(at, &v, sizeof v);
}

bool oci__get_bool(const void *at)
{
	bool v;
	memcpy(&v, at, sizeof v);
	return v;
}

size_t oci__elem_size(unsigned kind)
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

void oci__free_value(const oci_field_desc *fd, void *p)
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
		oci__free_value(fd, m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m);
}

/* Frees what field fd of obj owns and resets it to absent. */
void oci__clear_field(const oci_field_desc *fd, void *obj)
{
	char *at = (char *)obj + fd->off;
	switch (fd->shape) {
	case OCI_S_ONE:
		if (fd->kind == OCI_K_STRING || fd->kind == OCI_K_STRUCT) {
			oci__free_value(fd, oci__get_ptr(at));
			oci__set_ptr(at, NULL);
		} else {
			memset(at, 0, oci__elem_size(fd->kind));
			oci__set_bool((char *)obj + fd->aux, false);
		}
		break;
	case OCI_S_ARRAY: {
		void *arr = oci__get_ptr(at);
		size_t n = oci__get_size((char *)obj + fd->aux);
		if (arr && (fd->kind == OCI_K_STRING || fd->kind == OCI_K_STRUCT)) {
			void **v = arr;
			for (size_t i = 0; i < n; i++)
				oci__free_value(fd, v[i]);
		}
		free(arr);
		oci__set_ptr(at, NULL);
		oci__set_size((char *)obj + fd->aux, 0);
		break;
	}
	case OCI_S_MAP:
		map_free(fd, oci__get_ptr(at));
		oci__set_ptr(at, NULL);
		break;
	}
}

void oci_struct_free(const oci_struct_desc *d, void *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < d->nfields; i++)
		oci__clear_field(&d->fields[i], v);
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

void oci__sb_found(sbuf *b, const struct val *v)
{
	switch (v->ev) {
	case EV_NULL:
		oci__sb_puts(b, "null");
		break;
	case EV_BOOL:
		oci__sb_puts(b, v->b ? "true" : "false");
		break;
	case EV_NUMBER:
		if (v->n > SHOW_MAX) {
			oci__sb_add(b, v->s, SHOW_MAX);
			oci__sb_puts(b, "...");
		} else {
			oci__sb_add(b, v->s, v->n);
		}
		break;
	case EV_STRING:
		oci__sb_quote(b, v->s, v->n, SHOW_MAX);
		break;
	case EV_OBJECT:
		oci__sb_puts(b, "an object");
		break;
	case EV_ARRAY:
		oci__sb_puts(b, "an array");
		break;
	}
}

/* What field fd holds: the container when whole, else one element. */
void oci__sb_expected(sbuf *b, const oci_field_desc *fd, bool whole, bool range)
{
	if (whole && fd->shape == OCI_S_ARRAY) {
		oci__sb_puts(b, "an array");
		return;
	}
	if (whole && fd->shape == OCI_S_MAP) {
		oci__sb_puts(b, "an object");
		return;
	}
	switch (fd->kind) {
	case OCI_K_STRING:
		if (!fd->enums) {
			oci__sb_puts(b, "a string");
			break;
		}
		oci__sb_puts(b, "one of ");
		for (const char *p = fd->enums; *p; p++)
			if (*p == '|')
				oci__sb_puts(b, ", ");
			else
				oci__sb_add(b, p, 1);
		break;
	case OCI_K_BOOL:
		oci__sb_puts(b, "a boolean");
		break;
	case OCI_K_STRUCT:
		oci__sb_puts(b, "an object");
		break;
	default:
		oci__sb_puts(b, "an integer");
		if (range || (fd->flags & OCI_F_RANGED))
			oci__sb_printf(b, " from %" PRId64 " to %" PRIu64, fd->min, fd->max);
		break;
	}
}

void oci__sb_path(sbuf *b, const struct pcomp *pc, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		switch (pc[i].type) {
		case PC_FIELD:
			if (any)
				oci__sb_add(b, ".", 1);
			oci__sb_add(b, pc[i].s, pc[i].n);
			break;
		case PC_INDEX:
			oci__sb_printf(b, "[%zu]", pc[i].n);
			break;
		case PC_KEY:
			oci__sb_add(b, "[", 1);
			oci__sb_quote(b, pc[i].s, pc[i].n, 100);
			oci__sb_add(b, "]", 1);
			break;
		}
		any = true;
	}
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
		oci__fail(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		oci__fail(err, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		oci__fail(err, "%s: not a regular file", path);
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
		oci__set_err(err, NULL);
		goto out;
	}
	for (;;) {
		if (n + 1 == cap) {
			if (n > max)
				goto too_large;
			size_t ncap = cap < lim / 2 ? cap * 2 : lim;
			char *p = realloc(buf, ncap);
			if (!p) {
				oci__set_err(err, NULL);
				goto fail_buf;
			}
			buf = p;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			oci__fail(err, "%s: read: %s", path, strerror(errno));
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
	oci__fail(err, "%s: file too large (more than %zu bytes)", path, max);
fail_buf:
	free(buf);
	buf = NULL;
out:
	close(fd);
	return NULL;
}
