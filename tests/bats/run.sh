#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bats/run.sh [--runtime PATH] [--tap-dir DIR] [--strict] [FILES...]
#
# Runs the bats suites (default: every tests/bats/*.bats) one file at a time
# with TAP output, keeps each file's TAP in DIR/<name>.tap, and ends with
#     bats: N passed, N failed, N skipped
# exiting non-zero when a test failed (or a file did not run to its plan).
#
#   --runtime PATH  runtime under test (default: $RUNTIME or <repo>/hull)
#   --tap-dir DIR   where to keep the TAP files (default: a temp dir,
#                   printed at the end)
#   --strict        also run tests marked "runc deviates" against runc
#   --filter REGEX  only tests whose name matches (bats --filter)
#
# Requires: bats bats-support bats-assert busybox-static jq util-linux
# coreutils (Debian packages).

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=${RUNTIME:-$repo/hull}
tapdir=
filter=
files=()

while [ $# -gt 0 ]; do
	case $1 in
	--runtime) runtime=$2; shift 2 ;;
	--runtime=*) runtime=${1#*=}; shift ;;
	--tap-dir) tapdir=$2; shift 2 ;;
	--tap-dir=*) tapdir=${1#*=}; shift ;;
	--strict) export HULL_TEST_STRICT=1; shift ;;
	--filter) filter=$2; shift 2 ;;
	-h | --help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; files+=("$@"); break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done

if [ ${#files[@]} -eq 0 ]; then
	files=("$here"/*.bats)
fi

command -v bats >/dev/null || { echo "run.sh: bats not found (apt-get install bats bats-support bats-assert)" >&2; exit 2; }
case $runtime in /*) ;; *) runtime=$(cd "$(dirname "$runtime")" && pwd)/${runtime##*/} ;; esac
if [ ! -x "$runtime" ]; then
	echo "run.sh: runtime $runtime is not executable" >&2
	exit 2
fi
export RUNTIME=$runtime
export REPO=$repo

[ -n "$tapdir" ] || tapdir=$(mktemp -d /tmp/hull-bats-tap.XXXXXX)
mkdir -p "$tapdir"

# One cgroup prefix and one fixture cache for the whole run.
export HULL_CG_PREFIX=/hull-test-$$
HULL_TEST_CACHE=$(mktemp -d /tmp/hull-bats-cache.XXXXXX)
export HULL_TEST_CACHE
cleanup() {
	rm -rf "$HULL_TEST_CACHE"
	local mp
	while IFS= read -r mp; do
		[ -d "$mp$HULL_CG_PREFIX" ] && find "$mp$HULL_CG_PREFIX" -depth -type d -exec rmdir {} \; 2>/dev/null
	done < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
		if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5 }' /proc/self/mountinfo)
}
trap cleanup EXIT

echo "# runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1))"
passed=0 failed=0 skipped=0 start=$SECONDS
for f in "${files[@]}"; do
	name=${f##*/}
	name=${name%.bats}
	tap=$tapdir/$name.tap
	echo "# --- $name"
	args=(--tap)
	[ -n "$filter" ] && args+=(--filter "$filter")
	bats "${args[@]}" "$f" >"$tap" 2>&1
	rc=$?
	cat "$tap"
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n1)
	p=$(grep -cE '^ok [0-9]+' "$tap" | head -n1)
	s=$(grep -cE '^ok [0-9]+ .*# skip' "$tap")
	x=$(grep -cE '^not ok [0-9]+' "$tap")
	p=$((p - s))
	ran=$((p + s + x))
	if [ -z "$plan" ] || [ "$ran" -lt "$plan" ]; then
		# The file died before running all its tests.
		missing=$(( ${plan:-0} - ran ))
		[ "$missing" -gt 0 ] || missing=1
		echo "# $name: ran $ran of ${plan:-?} tests (bats exit $rc)"
		x=$((x + missing))
	elif [ $rc -ne 0 ] && [ $x -eq 0 ]; then
		echo "# $name: bats exited $rc"
		x=$((x + 1))
	fi
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + x))
done

echo "# TAP files in $tapdir; $((SECONDS - start))s"
echo "bats: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
