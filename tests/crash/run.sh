#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/crash/run.sh [--runtime PATH] [--head] [--keep] [--tap-dir DIR]
#                    [--filter REGEX]
#
# The reliability tests (issue 7): builds hull with --enable-failpoints
# from the current tree in a scratch directory, runs
#     tests/bats/run.sh --runtime <normal hull> crash.bats concurrency.bats
# with HULL_FAILPOINTS_BIN=<the failpoints build>, then checks the whole
# run left nothing behind (tests/leaks/check-leaks.sh), and ends with the
# bats summary line "bats: N passed, N failed, N skipped" and a leak line.
# Exits non-zero when a test failed, the leak check failed or the build
# failed (2).
#
#   --runtime PATH  the normal build under test (default: <repo>/hull; when
#                   that is missing or not a hull, a release build is made
#                   in the scratch dir too)
#   --head          build from `git archive HEAD` instead of the working
#                   tree (tracked and untracked, not ignored, files)
#   --keep          keep the scratch dir (its path is printed)
#   --tap-dir DIR   where run.sh keeps the TAP files
#   --filter REGEX  only tests whose name matches
#   --v1-view DIR   on a hybrid host, then run crash.bats, lifecycle.bats and
#                   cgroups.bats again in a private mount namespace without
#                   /sys/fs/cgroup/unified (cgroup v1 only, as the benchmark
#                   sees it: hull then records the cgroup after clone), their
#                   TAP in DIR
#
# Needs root and what tests/bats needs (bats bats-support bats-assert
# busybox-static jq), plus the build tools (autoconf automake make gcc
# pkg-config python3, libyajl-dev libseccomp-dev libcap-dev).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime='' head=0 keep=0 tapdir='' filter='' v1dir=''

while [ $# -gt 0 ]; do
	case $1 in
	--runtime) runtime=$2; shift 2 ;;
	--runtime=*) runtime=${1#*=}; shift ;;
	--head) head=1; shift ;;
	--keep) keep=1; shift ;;
	--tap-dir) tapdir=$2; shift 2 ;;
	--tap-dir=*) tapdir=${1#*=}; shift ;;
	--filter) filter=$2; shift 2 ;;
	--v1-view) v1dir=$2; shift 2 ;;
	-h | --help) sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "crash/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

t0=$SECONDS
scratch=$(mktemp -d /tmp/hull-crash.XXXXXX)
cleanup() {
	if [ $keep = 1 ]; then
		echo "# scratch dir kept: $scratch"
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT

# copy_tree DEST: the sources to build, without build outputs.
copy_tree() {
	local dest=$1
	mkdir -p "$dest"
	if [ $head = 1 ]; then
		git -C "$repo" archive HEAD | tar -x -C "$dest"
	elif git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# tracked and untracked files, minus .gitignore'd ones (build
		# outputs) and files deleted in the working tree
		(cd "$repo" && git ls-files -z -co --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
			done | tar --null -T - -cf -) | tar -x -C "$dest"
	else
		tar -C "$repo" -cf - --exclude='*.o' --exclude='*.a' --exclude=.deps \
			--exclude=autom4te.cache --exclude=config.status --exclude=config.log \
			--exclude=./hull --exclude=Makefile --exclude=Makefile.in \
			--exclude=configure --exclude=config.h . | tar -x -C "$dest"
	fi
}

# build DIR CONFIGURE-ARGS...: autogen, configure and make hull in DIR.
build() {
	local dir=$1
	shift
	echo "# building hull in $dir (configure $*)"
	if ! (cd "$dir" && ./autogen.sh && ./configure "$@" && make -j"$(nproc)" hull) \
		>"$dir.build.log" 2>&1; then
		tail -n 40 "$dir.build.log"
		echo "crash/run.sh: the build in $dir failed (log: $dir.build.log)" >&2
		keep=1
		exit 2
	fi
}

copy_tree "$scratch/fp" || { echo "crash/run.sh: cannot copy the tree" >&2; exit 2; }
build "$scratch/fp" --enable-failpoints
fp_bin=$scratch/fp/hull
# the failpoint names are in the binary only when they are compiled in
if ! grep -qF create-reserved "$fp_bin"; then
	echo "crash/run.sh: $fp_bin has no failpoints compiled in" >&2
	exit 2
fi

if [ -z "$runtime" ]; then
	if [ -x "$repo/hull" ] && "$repo/hull" --version 2>/dev/null | grep -q '^hull version'; then
		runtime=$repo/hull
	else
		[ -e "$repo/hull" ] && echo "# $repo/hull does not say \"hull version\": building a release hull"
		copy_tree "$scratch/rel" || exit 2
		build "$scratch/rel"
		runtime=$scratch/rel/hull
	fi
fi
case $runtime in /*) ;; *) runtime=$(cd "$(dirname "$runtime")" && pwd)/${runtime##*/} ;; esac
[ -x "$runtime" ] || { echo "crash/run.sh: runtime $runtime is not executable" >&2; exit 2; }
if grep -qF create-reserved "$runtime"; then
	echo "# note: $runtime is a failpoints build too (inactive without HULL_FAILPOINT)"
fi
echo "# failpoints build: $fp_bin ($((SECONDS - t0))s to build)"

# bats keeps every test's dir (state roots, bundles) below TMPDIR: all of
# it in the scratch dir, which the leak check then scans.
mkdir -p "$scratch/tmp"
args=(--runtime "$runtime")
[ -n "$tapdir" ] && args+=(--tap-dir "$tapdir")
[ -n "$filter" ] && args+=(--filter "$filter")
HULL_FAILPOINTS_BIN=$fp_bin TMPDIR=$scratch/tmp \
	"$repo/tests/bats/run.sh" "${args[@]}" \
	"$repo/tests/bats/crash.bats" "$repo/tests/bats/concurrency.bats" &
runner=$!
wait $runner
bats_rc=$?
prefixes=(--cg-prefix "/hull-test-$runner")

if [ -n "$v1dir" ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	echo "# again with cgroup v1 only (private mount namespace, /sys/fs/cgroup/unified unmounted)"
	v1args=(--runtime "$runtime" --tap-dir "$v1dir")
	[ -n "$filter" ] && v1args+=(--filter "$filter")
	HULL_FAILPOINTS_BIN=$fp_bin TMPDIR=$scratch/tmp \
		unshare --mount --propagation private -- /bin/sh -c \
		'umount /sys/fs/cgroup/unified && exec "$@"' sh \
		"$repo/tests/bats/run.sh" "${v1args[@]}" "$repo/tests/bats/crash.bats" \
		"$repo/tests/bats/lifecycle.bats" "$repo/tests/bats/cgroups.bats" &
	runner=$!
	wait $runner || bats_rc=1
	# unshare and sh exec: the runner is run.sh itself, its prefix its pid
	prefixes+=(--cg-prefix "/hull-test-$runner")
fi

# run.sh's cgroups live below /hull-test-<its pid>; it removes the empty
# ones when it ends, so what is left there holds a process.
leaks_rc=0
"$repo/tests/leaks/check-leaks.sh" --wait 3 --mark "$scratch/*" --proc-root "$scratch/*" \
	--mounts "$scratch" "${prefixes[@]}" \
	--runtime "${runtime##*/}" --runtime hull || leaks_rc=$?
echo "# crash/run.sh: $((SECONDS - t0))s in all"
if [ $leaks_rc -eq 0 ]; then
	echo "leaks: none after the run"
else
	echo "leaks: found after the run (see above)"
fi
[ $bats_rc -eq 0 ] && [ $leaks_rc -eq 0 ]
