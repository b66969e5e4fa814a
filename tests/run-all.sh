#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/run-all.sh: every test of hull, from a built tree, as root.
#   1. unit tests (make check: libocispec)
#   2. the bats suites against ./hull on this host; the crash suite, and
#      with it the lifecycle and cgroup suites, also with cgroup v1 only
#   3. the cgroup suites again in a pure cgroup v2 guest (tests/vm), when
#      qemu and a kernel are there
#   3a. a short libFuzzer pass (tests/fuzz) and valgrind over every command
#   4. the OCI conformance suite (runtime-tools) against ./hull, gated on
#      tests/conformance/expected-pass.txt, then in the v2 guest, gated on
#      tests/conformance/expected-pass-v2.txt
# Each part's TAP is summed; the last line is "N passed, N failed" and the
# exit status is non-zero on any failure.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=${HULL_TEST_OUT:-$(mktemp -d /tmp/hull-tests.XXXXXX)}
mkdir -p "$out"
passed=0
failed=0
t0=$SECONDS

# count_tap FILE...: adds the ok / not ok lines of TAP files (a "# SKIP"
# counts as passed, as bats and prove count it) and fails a file whose plan
# was not met.
count_tap() {
	local f ok nok plan
	for f in "$@"; do
		[ -f "$f" ] || continue
		ok=$(grep -cE '^ok ' "$f")
		nok=$(grep -cE '^not ok ' "$f")
		plan=$(sed -n 's/^1\.\.\([0-9]\+\).*/\1/p' "$f" | head -1)
		if [ -n "$plan" ] && [ $((ok + nok)) -lt "$plan" ]; then
			echo "run-all: $f: only $((ok + nok)) of $plan tests ran" >&2
			nok=$((nok + plan - ok - nok))
		fi
		passed=$((passed + ok))
		failed=$((failed + nok))
	done
}

# One build of the conformance suite for the host and the v2 guest.
suite_cache=${HULL_CONFORMANCE_CACHE:-/var/tmp/hull-conformance-cache}

# count_summary LOG PREFIX: adds the last "PREFIX N passed, N failed" line
# of LOG; no such line is one failure (the run broke before its verdict).
count_summary() {
	local line
	line=$(grep -E "${2}[0-9]+ passed, [0-9]+ failed\$" "$1" | tail -1)
	if [ -z "$line" ]; then
		tail -n 20 "$1"
		echo "run-all: $1 gave no result" >&2
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")))
	failed=$((failed + $(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")))
}

section() { printf '\n=== %s (%ds)\n' "$1" $((SECONDS - t0)); }

section "unit tests"
make -s check >"$out/make-check.log" 2>&1 || echo "run-all: make check failed (see $out/make-check.log)" >&2
count_tap tests/unit/*.log

section "bats on this host"
# crash.bats and concurrency.bats run in their own section below
host_suites=()
for f in tests/bats/*.bats; do
	case $f in */crash.bats | */concurrency.bats) ;; *) host_suites+=("$f") ;; esac
done
tests/bats/run.sh --runtime "$repo/hull" --tap-dir "$out/bats-host" "${host_suites[@]}" 2>&1 | tail -n 30
count_tap "$out"/bats-host/*.tap

if [ -x tests/crash/run.sh ]; then
	# crash.bats needs a --enable-failpoints build; run.sh makes one in a
	# scratch dir and runs crash.bats and concurrency.bats with it.
	section "crashes and concurrency"
	tests/crash/run.sh --runtime "$repo/hull" --tap-dir "$out/crash" --v1-view "$out/crash-v1" \
		2>&1 | tail -n 40
	count_tap "$out"/crash/*.tap "$out"/crash-v1/*.tap
fi

if command -v clang >/dev/null && [ -x tests/fuzz/run.sh ]; then
	# A short pass over every libFuzzer target: the seeds (with every
	# crash reproducer found so far) and a few seconds of new inputs.
	# Long runs are tests/fuzz/run.sh --seconds N by hand.
	section "fuzzing (libFuzzer, ASan+UBSan, ${HULL_FUZZ_SECONDS:-10} s per target)"
	tests/fuzz/run.sh --seconds "${HULL_FUZZ_SECONDS:-10}" --build-dir "$out/fuzz-build" \
		>"$out/fuzz.tap" 2>"$out/fuzz.log"
	grep -E '^(ok|not ok) ' "$out/fuzz.tap"
	count_tap "$out/fuzz.tap"
	grep -q '^1\.\.' "$out/fuzz.tap" || { echo "run-all: fuzz build failed (see $out/fuzz.log)" >&2; failed=$((failed + 1)); }
else
	echo "run-all: no clang: fuzzing did not run" >&2
	failed=$((failed + 1))
fi

if command -v valgrind >/dev/null && [ -x tests/valgrind/run.sh ]; then
	section "valgrind (leaks and memory errors of every command)"
	contrib/busybox-bundle.sh "$out/vg-bundle" >/dev/null
	tests/valgrind/run.sh "$repo/hull" "$out/vg-bundle" >"$out/valgrind.tap" 2>&1
	grep -E '^(ok|not ok) ' "$out/valgrind.tap"
	count_tap "$out/valgrind.tap"
	grep -q '^1\.\.' "$out/valgrind.tap" || { echo "run-all: valgrind run failed (see $out/valgrind.tap)" >&2; failed=$((failed + 1)); }
	rm -rf "$out/vg-bundle"
else
	echo "run-all: no valgrind: the valgrind checks did not run" >&2
	failed=$((failed + 1))
fi

if [ -x tests/vm/run-in-vm.sh ] && ls tests/bats/cgroups*.bats >/dev/null 2>&1 &&
	command -v qemu-system-x86_64 >/dev/null && ls /boot/vmlinuz-* >/dev/null 2>&1; then
	section "cgroup suites in a pure cgroup v2 guest"
	mkdir -p "$out/bats-v2"
	tests/vm/run-in-vm.sh --timeout 3600 --share "$out/bats-v2" -- \
		tests/bats/run.sh --runtime "$repo/hull" --tap-dir "$out/bats-v2" tests/bats/cgroups*.bats 2>&1 | tail -n 30
	count_tap "$out"/bats-v2/*.tap
else
	echo "run-all: no qemu guest (tests/vm): the v2 tier did not run" >&2
	failed=$((failed + 1))
fi

if [ -x tests/conformance/run.sh ]; then
	# Each file on the expected list counts as one test.
	section "OCI conformance (runtime-tools)"
	tests/conformance/run.sh --runtime "$repo/hull" --out "$out/conformance" --cache "$suite_cache" \
		--expected tests/conformance/expected-pass.txt >"$out/conformance.log" 2>&1
	grep -vE 'warning: cannot remove' "$out/conformance.log" | tail -n 75
	count_summary "$out/conformance.log" '^conformance: .*: '
fi

if [ -x tests/conformance/run-v2.sh ] && command -v qemu-system-x86_64 >/dev/null; then
	# The same suite in the pure v2 guest, only the files of its list (the
	# others are off it for reasons written there, and TCG is slow).
	section "OCI conformance on cgroup v2 (qemu guest)"
	v2_files=$(sed -e 's/#.*//' tests/conformance/expected-pass-v2.txt | awk 'NF { print $1 }' | paste -sd, -)
	tests/conformance/run-v2.sh --runtime "$repo/hull" --out "$out/conformance-v2" --cache "$suite_cache" \
		--expected tests/conformance/expected-pass-v2.txt --only "$v2_files" \
		>"$out/conformance-v2.log" 2>&1
	grep -E '^  [a-z_]+ +(clean|created|not ok|not run)' "$out/conformance-v2.log"
	count_summary "$out/conformance-v2.log" '^conformance: .* on cgroup v2: '
fi

section "done"
echo "results in $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
