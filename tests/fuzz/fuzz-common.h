/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HULL_FUZZ_COMMON_H
#define HULL_FUZZ_COMMON_H

/*
 * Shared by the libFuzzer targets in tests/fuzz: NUL-terminated copies of
 * the input, a check that aborts (so libFuzzer keeps the input as a crash)
 * and the round trip every root type of libocispec must survive.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "oci_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant is a bug like a crash: report it and abort. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__,    \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as a C string (it may hold NULs; the string ends at the first). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* prefix + data + suffix, e.g. to wrap a fuzzed member in a config. */
static inline char *fuzz_wrap(const char *prefix, const uint8_t *data, size_t size,
			      const char *suffix, size_t *len)
{
	size_t a = strlen(prefix), c = strlen(suffix);
	char *s = malloc(a + size + c + 1);

	if (!s)
		abort();
	memcpy(s, prefix, a);
	memcpy(s + a, data, size);
	memcpy(s + a + size, suffix, c + 1);
	*len = a + size + c;
	return s;
}

static inline void fuzz_quiet(void)
{
	/* Warnings (unknown syscalls, capabilities) would flood the output. */
	hull_log_set_level(HULL_LOG_ERROR);
}

/* Every target but one (which defines FUZZ_CUSTOM_INIT) starts quiet. */
#ifndef FUZZ_CUSTOM_INIT
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}
#endif

/*
 * Whatever parses must serialize, and what was serialized (compact or
 * pretty) must parse again into something that serializes to the same bytes.
 */
#define FUZZ_DEFINE_ROUND_TRIP(NAME)                                                               \
	static void fuzz_round_trip_##NAME(const oci_##NAME *v)                                    \
	{                                                                                          \
		char *err = NULL, *s1, *s2, *pretty;                                               \
		size_t len1 = 0, len2 = 0, plen = 0;                                               \
		oci_##NAME *v2;                                                                    \
                                                                                                   \
		s1 = oci_##NAME##_serialize(v, false, &len1, &err);                                \
		FUZZ_CHECK(s1, "serialize failed: %s", err ? err : "(no message)");                \
		FUZZ_CHECK(strlen(s1) == len1, "length %zu, strlen %zu", len1, strlen(s1));        \
		v2 = oci_##NAME##_parse_data(s1, len1, "round-trip", &err);                        \
		FUZZ_CHECK(v2, "re-parse failed: %s\n%s", err ? err : "(no message)", s1);         \
		s2 = oci_##NAME##_serialize(v2, false, &len2, &err);                               \
		FUZZ_CHECK(s2, "second serialize failed: %s", err ? err : "(no message)");         \
		FUZZ_CHECK(len1 == len2 && memcmp(s1, s2, len1) == 0,                              \
			   "round trip changed the document:\n%s\n%s", s1, s2);                    \
		oci_##NAME##_free(v2);                                                             \
		free(s2);                                                                          \
		pretty = oci_##NAME##_serialize(v, true, &plen, &err);                             \
		FUZZ_CHECK(pretty, "pretty serialize failed: %s", err ? err : "(no message)");     \
		v2 = oci_##NAME##_parse_data(pretty, plen, "round-trip", &err);                    \
		FUZZ_CHECK(v2, "re-parse of pretty output failed: %s\n%s",                         \
			   err ? err : "(no message)", pretty);                                    \
		s2 = oci_##NAME##_serialize(v2, false, &len2, &err);                               \
		FUZZ_CHECK(s2 &&len1 == len2 && memcmp(s1, s2, len1) == 0,                         \
			   "pretty round trip changed the document:\n%s\n%s", s1,                  \
			   s2 ? s2 : "(null)");                                                    \
		oci_##NAME##_free(v2);                                                             \
		free(s2);                                                                          \
		free(pretty);                                                                      \
		free(s1);                                                                          \
	}

/* Parses data as oci_NAME; on success runs the round trip and returns the
 * value (the caller frees it); on failure the message must be set. */
#define FUZZ_PARSE(NAME, data, size)                                                               \
	({                                                                                         \
		char *_err = NULL;                                                                 \
		oci_##NAME *_v =                                                                   \
		    oci_##NAME##_parse_data((const char *)(data), (size), "fuzz", &_err);          \
		FUZZ_CHECK(_v || _err, "parse failed without a message");                          \
		FUZZ_CHECK(!_v || !_err, "parse succeeded and set a message: %s", _err);           \
		free(_err);                                                                        \
		if (_v)                                                                            \
			fuzz_round_trip_##NAME(_v);                                                \
		_v;                                                                                \
	})

/* A fuzzed member inside a minimal config: prefix + data + suffix, parsed
 * (and round-tripped) as config.json. */
#define FUZZ_PARSE_IN_CONFIG(prefix, data, size, suffix)                                           \
	({                                                                                         \
		size_t _len;                                                                       \
		char *_doc = fuzz_wrap((prefix), (data), (size), (suffix), &_len);                 \
		oci_config *_cfg = FUZZ_PARSE(config, _doc, _len);                                 \
		free(_doc);                                                                        \
		_cfg;                                                                              \
	})

/* hull hands process.args, process.env and the hooks' args and env to
 * execve as they are: the parsed arrays must end with a NULL. */
static inline void fuzz_check_strv(char *const *v, size_t n, const char *what)
{
	if (v)
		FUZZ_CHECK(v[n] == NULL, "%s[%zu] (after the last) is not NULL", what, n);
}

static inline void fuzz_check_process_strv(const oci_process *p)
{
	if (!p)
		return;
	fuzz_check_strv(p->args, p->args_len, "process.args");
	fuzz_check_strv(p->env, p->env_len, "process.env");
}

static inline void fuzz_check_hook_strv(oci_hook *const *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fuzz_check_strv(h[i]->args, h[i]->args_len, "hook args");
		fuzz_check_strv(h[i]->env, h[i]->env_len, "hook env");
	}
}

static inline void fuzz_check_hooks_strv(const oci_hooks *h)
{
	if (!h)
		return;
	fuzz_check_hook_strv(h->prestart, h->prestart_len);
	fuzz_check_hook_strv(h->create_runtime, h->create_runtime_len);
	fuzz_check_hook_strv(h->create_container, h->create_container_len);
	fuzz_check_hook_strv(h->start_container, h->start_container_len);
	fuzz_check_hook_strv(h->poststart, h->poststart_len);
	fuzz_check_hook_strv(h->poststop, h->poststop_len);
}

/* Runs a libhull check; an error must carry a message. */
static inline void fuzz_expect_error_message(int r, hull_error *e)
{
	FUZZ_CHECK(r == 0 || r == -1, "returned %d", r);
	FUZZ_CHECK((r < 0) == (e != NULL), "returned %d with error %p", r, (void *)e);
	FUZZ_CHECK(!e || (e->msg && *e->msg), "error without a message");
	hull_error_free(e);
}

#endif
