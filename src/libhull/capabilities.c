/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "capabilities.h"
#include "log.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

static int last_cap(void)
{
	static int last = -1;

	if (last < 0) {
		cleanup_free char *s = NULL;
		long v;
		if (read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &s, NULL, NULL) == 0 &&
		    parse_long(strtok(s, "\n"), 0, 63, &v) == 0)
			last = (int)v;
		else
			last = (int)cap_max_bits() - 1;
	}
	return last;
}

/* Appends "NAME (set[i])" to the list of unknown names. */
static void note_unknown(char **list, const char *name, const char *set, size_t i)
{
	char *n =
	    xasprintf("%s%s%s (%s[%zu])", *list ? *list : "", *list ? ", " : "", name, set, i);

	free(*list);
	*list = n;
}

static uint64_t parse_set(char **names, size_t n, const char *set, char **unknown)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < n; i++) {
		cap_value_t v;
		if (cap_from_name(names[i], &v) < 0 || strncasecmp(names[i], "CAP_", 4) != 0) {
			note_unknown(unknown, names[i], set, i);
			continue;
		}
		if ((int)v > last_cap()) {
			hull_warn("capability %s is not known to the running kernel; ignored",
				  names[i]);
			continue;
		}
		mask |= 1ULL << v;
	}
	return mask;
}

int hull_caps_parse(const oci_capabilities *c, const char *where, struct hull_caps *out,
		    hull_error **err)
{
	cleanup_free char *unknown = NULL;

	memset(out, 0, sizeof(*out));
	if (!c)
		return 0;
	out->set = true;
	out->bounding = parse_set(c->bounding, c->bounding_len, "bounding", &unknown);
	out->effective = parse_set(c->effective, c->effective_len, "effective", &unknown);
	out->permitted = parse_set(c->permitted, c->permitted_len, "permitted", &unknown);
	out->inheritable = parse_set(c->inheritable, c->inheritable_len, "inheritable", &unknown);
	out->ambient = parse_set(c->ambient, c->ambient_len, "ambient", &unknown);
	/* config.md: values that cannot be mapped MUST be logged as a
	 * warning, and runtimes SHOULD NOT fail. */
	if (unknown)
		hull_warn("%s: unknown capabilities ignored: %s", where, unknown);
	(void)err;
	return 0;
}

int hull_caps_drop_bounding(const struct hull_caps *c, hull_error **err)
{
	if (!c->set)
		return 0;
	for (int v = 0; v <= last_cap(); v++) {
		if (c->bounding & (1ULL << v))
			continue;
		if (prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
			return hull_fail_errno(err, "drop capability %d from the bounding set", v);
	}
	return 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, uint64_t mask)
{
	cap_value_t list[64];
	int n = 0;

	for (int v = 0; v <= last_cap(); v++)
		if (mask & (1ULL << v))
			list[n++] = v;
	return n ? cap_set_flag(caps, flag, n, list, CAP_SET) : 0;
}

int hull_caps_apply(const struct hull_caps *c, hull_error **err)
{
	cap_t caps;
	int r;

	if (!c->set)
		return 0;
	caps = cap_init();
	if (!caps)
		return hull_fail_errno(err, "capabilities");
	r = set_flag(caps, CAP_EFFECTIVE, c->effective);
	if (r == 0)
		r = set_flag(caps, CAP_PERMITTED, c->permitted);
	if (r == 0)
		r = set_flag(caps, CAP_INHERITABLE, c->inheritable);
	if (r == 0)
		r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return hull_fail_errno(err,
				       "process.capabilities: set effective/permitted/inheritable");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return hull_fail_errno(err, "process.capabilities: clear the ambient set");
	for (int v = 0; v <= last_cap(); v++) {
		if (!(c->ambient & (1ULL << v)))
			continue;
		/* The kernel allows ambient only for caps both permitted and
		 * inheritable. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0) {
			/* A capability that cannot be granted is a warning
			 * (config.md); runc's default spec, for one, lists
			 * ambient capabilities that are not inheritable. */
			char *name;
			/* For root the exec'd program gets every permitted
			 * capability anyway: nothing is lost, nothing to say. */
			if (geteuid() == 0)
				continue;
			name = cap_to_name(v);
			hull_warn(
			    "process.capabilities.ambient: %s not raised (it must be permitted "
			    "and inheritable too): %s",
			    name ? name : "?", strerror(errno));
			cap_free(name);
		}
	}
	return 0;
}

bool hull_caps_have(const int *want, size_t n)
{
	cap_t caps = cap_get_proc();
	bool all = caps != NULL;

	for (size_t i = 0; all && i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;
		all = cap_get_flag(caps, (cap_value_t)want[i], CAP_EFFECTIVE, &v) == 0 &&
		      v == CAP_SET;
	}
	cap_free(caps);
	return all;
}

char **hull_caps_known(size_t *n)
{
	char **v = xcalloc((size_t)last_cap() + 2, sizeof(char *));

	*n = 0;
	for (int i = 0; i <= last_cap(); i++) {
		char *name = cap_to_name(i);
		if (!name)
			continue;
		v[*n] = xstrdup(name);
		for (char *p = v[*n]; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		cap_free(name);
		(*n)++;
	}
	return v;
}
