/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_FAILPOINT_H
#define HULL_FAILPOINT_H

/*
 * Crash tests: in a build configured with --enable-failpoints,
 * HULL_FAILPOINT=NAME makes hull kill itself with SIGKILL when it reaches
 * failpoint NAME, so tests can check what a crash at each step leaves
 * behind; HULL_FAILPOINT=NAME@pause stalls there for 300 ms instead, to
 * widen a race a test looks at.  Release builds compile every failpoint
 * away.
 */
#ifdef HULL_FAILPOINTS
void hull_failpoint(const char *name);
#else
static inline void hull_failpoint(const char *name)
{
	(void)name;
}
#endif

#endif
