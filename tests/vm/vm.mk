# SPDX-License-Identifier: GPL-2.0-or-later
#
# The pure cgroup v2 test tier: a qemu guest booted with cgroup_no_v1=all
# that runs commands from this machine's filesystem (tests/vm/README.md).
# Needs root, qemu-system-x86, linux-image-amd64, busybox-static; not part of
# `make check`.
#
#   make check-vm                      # tests/vm/selftest.sh, then VM_SUITES
#   make check-vm VM_SELFTEST=--quick  # selftest without the runc/crun check
#   make check-vm VM_SELFTEST=no VM_SUITES='tests/bats/cgroups.bats'
#
# VM_SUITES    bats files run in one guest (bats --tap), HULL=./hull in env
# VM_FLAGS     more run-in-vm.sh options (--smp 1, --memory 4G, --timeout N)
# VM_SELFTEST  "" (full), "--quick", or "no" to skip the self-test

EXTRA_DIST += tests/vm/README.md tests/vm/run-in-vm.sh tests/vm/guest-init.sh \
	tests/vm/selftest.sh tests/vm/runtime-check.sh

VM_SUITES =
VM_FLAGS =
VM_SELFTEST =

check-vm: $(bin_PROGRAMS)
	@if test "$(VM_SELFTEST)" != no; then \
		echo "bash $(srcdir)/tests/vm/selftest.sh $(VM_SELFTEST)"; \
		bash $(srcdir)/tests/vm/selftest.sh $(VM_SELFTEST) || exit 1; \
	fi
	@if test -n "$(VM_SUITES)"; then \
		set -x; \
		bash $(srcdir)/tests/vm/run-in-vm.sh --timeout 3600 $(VM_FLAGS) \
			--env HULL=$(abs_top_builddir)/hull$(EXEEXT) -- bats --tap $(VM_SUITES); \
	fi

.PHONY: check-vm
