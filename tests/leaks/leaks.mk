# SPDX-License-Identifier: GPL-2.0-or-later
# Host-leak checks and crash tests; included from Makefile.am.  Need root.
#
#   make check-leaks                       # /run/hull and its runtime processes
#   make check-leaks CHECK_LEAKS_FLAGS='--root /tmp/st --cg-prefix /mytests --mark "*"'
#   make check-leaks CHECK_LEAKS_FLAGS='--since /tmp/before.snap'
#   make crash-tests                       # tests/crash/run.sh: failpoints build,
#                                          # crash.bats and concurrency.bats
#
# CHECK_LEAKS_FLAGS  options for tests/leaks/check-leaks.sh (see its --help)
# CRASH_FLAGS        options for tests/crash/run.sh

CHECK_LEAKS_FLAGS =
CRASH_FLAGS =

EXTRA_DIST += tests/leaks/check-leaks.sh tests/leaks/leaks.mk tests/crash/run.sh \
	tests/bats/crash.bats tests/bats/concurrency.bats

check-leaks:
	bash $(srcdir)/tests/leaks/check-leaks.sh $(CHECK_LEAKS_FLAGS)

crash-tests: hull$(EXEEXT)
	bash $(srcdir)/tests/crash/run.sh --runtime $(abs_top_builddir)/hull$(EXEEXT) $(CRASH_FLAGS)

.PHONY: check-leaks crash-tests
