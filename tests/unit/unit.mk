# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests of libocispec; included from Makefile.am.  `make check` builds
# and runs them.  Under valgrind:
#   valgrind --leak-check=full --error-exitcode=1 tests/unit/ocispec-test
#   valgrind --leak-check=full --error-exitcode=1 tests/unit/ocispec-oom-test

check_PROGRAMS += tests/unit/ocispec-test
TESTS += tests/unit/ocispec-test

tests_unit_ocispec_test_SOURCES = tests/unit/ocispec-test.c
nodist_tests_unit_ocispec_test_SOURCES = libocispec/oci_types.h
tests_unit_ocispec_test_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_ocispec_test_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/unit/data"' \
	-DGEN_PY='"$(abs_top_srcdir)/libocispec/gen.py"' \
	-DPYTHON3='"$(PYTHON3)"'
tests_unit_ocispec_test_LDADD = libocispec/libocispec.a $(YAJL_LIBS)

# The same program failing each allocation of libocispec in turn.
check_PROGRAMS += tests/unit/ocispec-oom-test
TESTS += tests/unit/ocispec-oom-test
tests_unit_ocispec_oom_test_SOURCES = tests/unit/ocispec-test.c
nodist_tests_unit_ocispec_oom_test_SOURCES = libocispec/oci_types.h
tests_unit_ocispec_oom_test_CFLAGS = $(tests_unit_ocispec_test_CFLAGS)
tests_unit_ocispec_oom_test_CPPFLAGS = $(tests_unit_ocispec_test_CPPFLAGS) -DOCISPEC_OOM_TEST
tests_unit_ocispec_oom_test_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=strdup
tests_unit_ocispec_oom_test_LDADD = $(tests_unit_ocispec_test_LDADD)

EXTRA_DIST += \
	tests/unit/data/full-config.json \
	tests/unit/data/features.json \
	tests/unit/data/process.json \
	tests/unit/data/hull-state.json \
	tests/unit/data/bad.types \
	tests/unit/data/bad.types.expected

# The parent/child sync socket.
check_PROGRAMS += tests/unit/sync-test
TESTS += tests/unit/sync-test
tests_unit_sync_test_SOURCES = tests/unit/sync-test.c
tests_unit_sync_test_LDADD = src/libhull/libhull.a libocispec/libocispec.a $(DEPS_LIBS)
