#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/fuzz/run.sh [--seconds N] [--build-dir DIR] [--no-build] [--work DIR]
#                   [--fresh] [TARGET...]
#
# Builds hull's libFuzzer targets with clang (ASan + UBSan + libFuzzer) and
# runs each for N seconds (default 60), printing TAP:
#   ok 1 - fuzz config: 123456 execs, cov 1234
# A crash, leak, timeout, out-of-memory or sanitizer report fails the target;
# the input is kept under WORK/TARGET/ and named in the output.
#
# By default the source tree holding this script is copied (git's tracked
# and untracked, not ignored, files) into a private directory and built
# there, in-tree; later runs reuse it and rebuild only what changed.
#   --build-dir DIR  the private copy (default ${TMPDIR:-/tmp}/hull-fuzz-UID);
#                    with --no-build, a tree already configured for fuzzing
#                    (make fuzz) whose targets are run as they are
#   --work DIR       generated corpora, dictionaries, logs, crash inputs
#                    (default BUILD/fuzz-work); kept, so corpora grow
#   --fresh          start from the seed corpora only
#   TARGET           config process state features seccomp mount id (all)
# Environment: FUZZ_FLAGS adds libFuzzer flags (e.g. -jobs=2).
set -uo pipefail

all_targets="config process state features seccomp mount id"
fuzz_cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
seconds=60
build=${TMPDIR:-/tmp}/hull-fuzz-$(id -u)
work=
nobuild=0
fresh=0
targets=()

usage() {
	sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?}; shift 2 ;;
	--seconds=*) seconds=${1#*=}; shift ;;
	--build-dir) build=${2:?}; shift 2 ;;
	--work) work=${2:?}; shift 2 ;;
	--no-build) nobuild=1; shift ;;
	--fresh) fresh=1; shift ;;
	-h | --help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) targets+=("${1%-fuzz}"); shift ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || read -ra targets <<<"$all_targets"
case $seconds in '' | *[!0-9]*) echo "run.sh: --seconds needs a number" >&2; exit 2 ;; esac
for t in "${targets[@]}"; do
	case " $all_targets " in *" $t "*) ;; *) echo "run.sh: unknown target $t" >&2; exit 2 ;; esac
done
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=${work:-$build/fuzz-work}
mkdir -p "$work"

# --- build ----------------------------------------------------------------
copy_tree() {
	local dst=$1
	mkdir -p "$dst"
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# mtimes are kept, so make rebuilds only what changed
		(cd "$src" && git ls-files -z --cached --others --exclude-standard |
			grep -zv '^libocispec/\.gen-stamp$' |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$dst"
	else
		(cd "$src" && tar -cf - --exclude-vcs --exclude='*.o' --exclude='*.a' \
			--exclude=.deps --exclude=autom4te.cache --exclude=config.status \
			--exclude=config.log --exclude=./config.h --exclude=stamp-h1 \
			--exclude=./Makefile --exclude=./hull --exclude='./build*' \
			--exclude='./libocispec/oci_types.[ch]' --exclude=./libocispec/.gen-stamp \
			--exclude='./tests/fuzz/*-fuzz' --exclude='./tests/unit/*-test' .) |
			tar -xf - -C "$dst"
	fi
}

build_targets() {
	local tree=$build/src log=$build/build.log
	: >"$log"
	copy_tree "$tree" || return 1
	if [ ! -x "$tree/configure" ] || [ ! -f "$tree/Makefile.in" ]; then
		(cd "$tree" && ./autogen.sh) >>"$log" 2>&1 || return 1
	fi
	if [ ! -f "$tree/config.status" ] || [ "$(cat "$build/.fuzz-cflags" 2>/dev/null)" != "$fuzz_cflags" ]; then
		(cd "$tree" && ./configure CC=clang CFLAGS="$fuzz_cflags") >>"$log" 2>&1 || return 1
		echo "$fuzz_cflags" >"$build/.fuzz-cflags"
	fi
	make -C "$tree" -j"$(nproc)" fuzz >>"$log" 2>&1
}

if [ $nobuild = 1 ]; then
	bindir=$build/tests/fuzz
else
	bindir=$build/src/tests/fuzz
	if ! command -v clang >/dev/null; then
		echo "Bail out! clang is needed (Debian: apt-get install clang libclang-rt-14-dev)"
		exit 1
	fi
	echo "# building the fuzz targets in $build/src"
	if ! build_targets; then
		echo "Bail out! build failed; the end of $build/build.log:"
		tail -n 30 "$build/build.log" | sed 's/^/# /'
		exit 1
	fi
fi

# --- run ------------------------------------------------------------------
dicts_for() {
	case $1 in
	config | features) echo "json seccomp mount" ;;
	seccomp) echo "json seccomp" ;;
	mount) echo "json mount" ;;
	process | state) echo "json" ;;
	id) echo "id" ;;
	esac
}

max_len_for() {
	case $1 in
	config | features) echo 16384 ;;
	seccomp | mount | process | state) echo 8192 ;;
	id) echo 512 ;;
	esac
}

# Sanitizer reports are fatal, leaks included.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "1..${#targets[@]}"
n=0
failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin=$bindir/$t-fuzz
	tw=$work/$t
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz $t: $bin was not built"
		failed=$((failed + 1))
		continue
	fi
	[ $fresh = 1 ] && rm -rf "$tw"
	mkdir -p "$tw/corpus" "$tw/artifacts"
	rm -f "$tw"/artifacts/*
	dictfiles=()
	for d in $(dicts_for "$t"); do dictfiles+=("$here/dict/$d.dict"); done
	if [ "$t" = id ]; then
		cat "${dictfiles[@]}" >"$tw/$t.dict"
	else
		"$here/gen-dict.sh" "$src/libocispec/spec.types" "${dictfiles[@]}" >"$tw/$t.dict"
	fi
	seeds=$here/corpus/$t
	[ -d "$seeds" ] || seeds=
	# New inputs go to the first directory; the seeds are only read.
	# shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
	"$bin" -max_total_time="$seconds" -detect_leaks=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len_for "$t")" -dict="$tw/$t.dict" -print_final_stats=1 \
		-artifact_prefix="$tw/artifacts/" ${FUZZ_FLAGS:-} \
		"$tw/corpus" ${seeds:+"$seeds"} >"$tw/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tw/$t.log" | tail -n 1)
	cov=$(grep -oE ' cov: [0-9]+' "$tw/$t.log" | tail -n 1 | grep -oE '[0-9]+')
	ft=$(grep -oE ' ft: [0-9]+' "$tw/$t.log" | tail -n 1 | grep -oE '[0-9]+')
	corp=$(find "$tw/corpus" -type f | wc -l)
	artifact=$(find "$tw/artifacts" -type f | head -n 1)
	report=$(grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY: |runtime error:|fuzz check failed|^==[0-9]+== ERROR: libFuzzer' "$tw/$t.log")
	if [ $rc -eq 0 ] && [ -z "$artifact" ] && [ -z "$report" ]; then
		echo "ok $n - fuzz $t: ${execs:-0} execs, cov ${cov:-0} (ft ${ft:-0}, corpus $corp, ${seconds}s)"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz $t: exit $rc${report:+: $report}"
		[ -n "$artifact" ] && echo "# input: $artifact (reproduce: $bin $artifact; minimize: $bin -minimize_crash=1 -runs=100000 $artifact)"
		echo "# log: $tw/$t.log"
		grep -E -A 25 '^==[0-9]+==ERROR|runtime error:|fuzz check failed|ERROR: libFuzzer' "$tw/$t.log" | head -n 40 | sed 's/^/# /'
	fi
done
exit $((failed > 0))
