/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line's small parsers: container IDs (hull_id_validate; an ID
 * becomes a directory name under the state root), signal names and numbers
 * (hull_parse_signal, for kill) and ociVersion (hull_oci_version_check).
 * The input, cut at its first NUL, goes to all three.
 */
#include "config.h"
#include "fuzz-common.h"

#include "bundle.h"
#include "container.h"
#include "state.h"

#include <signal.h>

static void check_id(const char *s)
{
	hull_error *err = NULL;
	int r = hull_id_validate(s, &err);
	size_t len = strlen(s);

	fuzz_expect_error_message(r, err);
	if (r < 0)
		return;
	/* What makes an ID safe as one path component under the root. */
	FUZZ_CHECK(len > 0 && len <= 255, "accepted an ID of %zu bytes", len);
	FUZZ_CHECK(!strchr(s, '/'), "accepted \"%s\"", s);
	FUZZ_CHECK(strcmp(s, ".") != 0 && strcmp(s, "..") != 0, "accepted \"%s\"", s);
	for (const char *p = s; *p; p++)
		FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f,
			   "accepted byte 0x%02x", (unsigned char)*p);
}

static void check_signal(const char *s)
{
	hull_error *err = NULL;
	int sig = -12345;
	int r = hull_parse_signal(s, &sig, &err);

	fuzz_expect_error_message(r, err);
	if (r == 0)
		FUZZ_CHECK(sig >= 1 && sig <= SIGRTMAX, "\"%s\" gave signal %d", s, sig);
}

/* Accepted versions are SemVer "1.MINOR.PATCH" with MINOR 0 to 3: numbers
 * of digits only, without leading zeros, then nothing or a '-' / '+' suffix. */
static const char *semver_number(const char *p)
{
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static bool plain_version(const char *s)
{
	const char *p;

	if (strncmp(s, "1.", 2) != 0 || s[2] < '0' || s[2] > '3' || !(p = semver_number(s + 2)) ||
	    p != s + 3 || *p++ != '.' || !(p = semver_number(p)))
		return false;
	return !*p || *p == '-' || *p == '+';
}

static void check_version(const char *s)
{
	hull_error *err = NULL;
	int r = hull_oci_version_check(s, &err);

	fuzz_expect_error_message(r, err);
	if (r == 0)
		FUZZ_CHECK(plain_version(s), "accepted version \"%s\"", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);

	check_id(s);
	check_signal(s);
	check_version(s);
	free(s);
	return 0;
}
