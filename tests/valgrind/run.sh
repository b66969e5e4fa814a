#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/valgrind/run.sh HULL BUNDLE
#
# Runs each hull command once under valgrind memcheck, on a busybox bundle
# (contrib/busybox-bundle.sh BUNDLE), as root, and prints TAP (update and
# events too when hull has them):
#   ok 3 - valgrind create
# A command fails when it exits non-zero or valgrind reports an error or a
# definite/indirect leak, in hull or in a child it forked (the container's
# process is followed up to its execve, not after).
#
# BUNDLE is only read: the containers use BUNDLE/rootfs and copies of its
# config.json with their own args and a cgroupsPath under /hull-valgrind-PID.
# Environment: VALGRIND (default: valgrind), VALGRIND_FLAGS (added),
# KEEP=1 keeps the logs (otherwise kept only on failure).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
hull=$1
bundle=$2
case $hull in /*) ;; *) hull=$(cd "$(dirname "$hull")" && pwd)/${hull##*/} ;; esac
[ -x "$hull" ] || { echo "run.sh: $hull is not executable" >&2; exit 2; }
if [ ! -f "$bundle/config.json" ] || [ ! -d "$bundle/rootfs" ]; then
	echo "run.sh: $bundle is not a bundle (contrib/busybox-bundle.sh makes one)" >&2
	exit 2
fi
valgrind=${VALGRIND:-valgrind}
command -v "$valgrind" >/dev/null || { echo "Bail out! valgrind not found (apt-get install valgrind)"; exit 1; }
command -v jq >/dev/null || { echo "Bail out! jq not found (apt-get install jq)"; exit 1; }

rootfs=$(cd "$bundle/rootfs" && pwd)
tmp=$(mktemp -d /tmp/hull-valgrind.XXXXXX)
root=$tmp/state
logs=$tmp/logs
prefix=/hull-valgrind-$$
id=vg-$$
id2=vg-run-$$
mkdir -p "$root" "$logs" "$tmp/long" "$tmp/short" "$tmp/spec"

# A long-running container for the lifecycle commands, one that exits for
# run.  No process.rlimits: valgrind keeps fds for itself above the soft
# RLIMIT_NOFILE and refuses to raise it (EPERM), whatever the privileges.
mkconfig() { # DIR NAME ARGS_JSON
	jq --arg rootfs "$rootfs" --arg cg "$prefix/$2" --argjson args "$3" '
		.root.path = $rootfs | .process.args = $args | .process.terminal = false |
		.linux.cgroupsPath = $cg | del(.process.rlimits)' "$bundle/config.json" >"$1/config.json"
}
mkconfig "$tmp/long" "$id" '["sleep", "600"]' || { echo "Bail out! jq failed on $bundle/config.json"; exit 1; }
mkconfig "$tmp/short" "$id2" '["echo", "hi"]'

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	"$hull" --root "$root" kill "$id" KILL >/dev/null 2>&1
	"$hull" --root "$root" delete --force "$id" >/dev/null 2>&1
	"$hull" --root "$root" delete --force "$id2" >/dev/null 2>&1
	# the cgroups of our own prefix, if delete left any
	for d in "/sys/fs/cgroup$prefix" /sys/fs/cgroup/*"$prefix"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ] || [ "$failed" -gt 0 ]; then
		echo "# logs kept in $logs"
	else
		rm -rf "$tmp"
	fi
}
failed=0
trap cleanup EXIT

n=0
vg_errors='Invalid (read|write|free|fd)|Syscall param|Conditional jump|Use of uninitialised|Uninitialised|Mismatched|Source and destination overlap|Argument .* of function|Process terminating|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly) lost'
# vg NAME [--expect N] [--in DIR] ARGS...: runs `hull --root ROOT ARGS`
# under valgrind (in DIR).
vg() {
	local name=$1 expect=0 dir=. rc errs
	shift
	if [ "$1" = --expect ]; then expect=$2; shift 2; fi
	if [ "$1" = --in ]; then dir=$2; shift 2; fi
	n=$((n + 1))
	rm -f "$logs/$name".*
	# shellcheck disable=SC2086
	(cd "$dir" && exec "$valgrind" --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=1 --trace-children=no --num-callers=30 \
		--suppressions="$here/hull.supp" \
		--log-file="$logs/$name.%p.vg" ${VALGRIND_FLAGS:-} \
		"$hull" --root "$root" "$@" >"$logs/$name.out" 2>"$logs/$name.err" </dev/null)
	rc=$?
	# Every process valgrind watched (hull and what it forked) wrote a log;
	# those that went on to execve have no summary, so count the reports.
	errs=$(grep -hcE "^==[0-9]+== ($vg_errors)" "$logs/$name".*.vg 2>/dev/null |
		awk '{ s += $1 } END { if (s) print s " valgrind report(s)" }')
	if [ "$rc" -eq "$expect" ] && [ -z "$errs" ]; then
		echo "ok $n - valgrind $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - valgrind $name: exit $rc (expected $expect)${errs:+, $errs}"
		sed 's/^/# stderr: /' "$logs/$name.err" | head -n 10
		grep -hvE '^==[0-9]+== *$' "$logs/$name".*.vg 2>/dev/null |
			grep -hE -A 10 "^==[0-9]+== ($vg_errors)" | head -n 60 | sed 's/^/# /'
	fi
}

# wait_status ID STATUS: polls the state (not under valgrind) for up to 10 s.
wait_status() {
	local _
	for _ in $(seq 100); do
		"$hull" --root "$root" state "$1" 2>/dev/null | grep -q "\"status\": *\"$2\"" && return 0
		sleep 0.1
	done
	return 1
}

# update and events when this hull has them
help=$("$hull" --help 2>&1)
extra=()
grep -qE '^  update ' <<<"$help" && extra+=(update)
grep -qE '^  events ' <<<"$help" && extra+=(events)
echo "1..$((14 + ${#extra[@]}))"
vg spec --in "$tmp/spec" spec
grep -q '"ociVersion"' "$tmp/spec/config.json" 2>/dev/null || { echo "# spec wrote no config.json"; failed=$((failed + 1)); }
vg features features
vg create create --bundle "$tmp/long" "$id"
vg state state "$id"
vg list list
vg start start "$id"
wait_status "$id" running || echo "# $id did not reach running"
vg ps ps "$id"
vg exec exec "$id" echo exec-ok
grep -q exec-ok "$logs/exec.out" || echo "# exec printed: $(head -c 200 "$logs/exec.out")"
vg pause pause "$id"
vg resume resume "$id"
for x in "${extra[@]}"; do
	case $x in
	update) vg update update --pids-limit 100 "$id" ;;
	events) vg events events --stats "$id" ;;
	esac
done
vg kill kill "$id" KILL
wait_status "$id" stopped || echo "# $id did not stop"
vg delete delete "$id"
vg run run --bundle "$tmp/short" "$id2"
grep -q '^hi$' "$logs/run.out" || { echo "# run printed: $(head -c 200 "$logs/run.out")"; }
vg state-missing --expect 1 state "$id"
exit $((failed > 0))
