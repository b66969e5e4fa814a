# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets; included from Makefile.am.  Not part of `make`: they
# need clang and a tree configured with the fuzzing flags, e.g.
#   ./configure CC=clang \
#     CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
#   make fuzz
# tests/fuzz/run.sh does all of that in a private copy and runs each target.

FUZZ_TARGETS = \
	tests/fuzz/config-fuzz \
	tests/fuzz/process-fuzz \
	tests/fuzz/state-fuzz \
	tests/fuzz/features-fuzz \
	tests/fuzz/seccomp-fuzz \
	tests/fuzz/mount-fuzz \
	tests/fuzz/id-fuzz
EXTRA_PROGRAMS = \
	tests/fuzz/config-fuzz \
	tests/fuzz/process-fuzz \
	tests/fuzz/state-fuzz \
	tests/fuzz/features-fuzz \
	tests/fuzz/seccomp-fuzz \
	tests/fuzz/mount-fuzz \
	tests/fuzz/id-fuzz
CLEANFILES += $(FUZZ_TARGETS)

FUZZ_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer
FUZZ_LIBS = src/libhull/libhull.a libocispec/libocispec.a $(DEPS_LIBS)
FUZZ_HDRS = tests/fuzz/fuzz-common.h tests/fuzz/bpf-eval.h

tests_fuzz_config_fuzz_SOURCES = tests/fuzz/config-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_config_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_config_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_config_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_process_fuzz_SOURCES = tests/fuzz/process-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_process_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_process_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_process_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_state_fuzz_SOURCES = tests/fuzz/state-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_state_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_state_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_state_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_features_fuzz_SOURCES = tests/fuzz/features-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_features_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_features_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_features_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_seccomp_fuzz_SOURCES = tests/fuzz/seccomp-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_seccomp_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_seccomp_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_seccomp_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_mount_fuzz_SOURCES = tests/fuzz/mount-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_mount_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_mount_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_mount_fuzz_LDADD = $(FUZZ_LIBS)

tests_fuzz_id_fuzz_SOURCES = tests/fuzz/id-fuzz.c $(FUZZ_HDRS)
nodist_tests_fuzz_id_fuzz_SOURCES = libocispec/oci_types.h
tests_fuzz_id_fuzz_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_id_fuzz_LDADD = $(FUZZ_LIBS)

# Build the targets (BUILT_SOURCES first: the generated oci_types.h).
fuzz: $(BUILT_SOURCES)
	@case " $(CC) $(CFLAGS) " in *fuzzer-no-link*) ;; *) \
	  echo "make fuzz: configure with CC=clang and CFLAGS containing" \
	       "-fsanitize=fuzzer-no-link,address,undefined (or use tests/fuzz/run.sh)" >&2; \
	  exit 1;; esac
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_TARGETS)

# Build and run every target for FUZZ_SECONDS each, in this build tree.
FUZZ_SECONDS = 60
fuzz-run: fuzz
	$(srcdir)/tests/fuzz/run.sh --no-build --build-dir $(abs_top_builddir) \
	  --seconds $(FUZZ_SECONDS)

.PHONY: fuzz fuzz-run

EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/gen-dict.sh tests/fuzz/README.md \
	tests/fuzz/corpus tests/fuzz/dict \
	tests/valgrind/run.sh tests/valgrind/hull.supp
