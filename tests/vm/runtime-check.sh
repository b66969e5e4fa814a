#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check that OCI runtimes run a container on this (pure cgroup v2) machine
# with an absolute cgroupsPath and resource limits, and that the limits land
# in the cgroup v2 files.  Meant to run inside the test VM:
#
#   tests/vm/run-in-vm.sh -- tests/vm/runtime-check.sh [RUNTIME...]
#
# RUNTIME defaults to "runc crun"; ones that are not installed are skipped.
# Needs busybox-static (for the container's rootfs) and jq.

set -uo pipefail

# One { ... } block: bash parses all of it before running it, so editing the
# file meanwhile cannot upset a run.
{

cg=/sys/fs/cgroup
if [ "$(stat -fc %T $cg 2>/dev/null)" != cgroup2fs ]; then
	echo "runtime-check: $cg is not cgroup2 (run me in the VM: tests/vm/run-in-vm.sh)" >&2
	exit 2
fi
for t in jq /bin/busybox; do
	command -v "$t" >/dev/null || { echo "runtime-check: $t not found" >&2; exit 2; }
done

work=$(mktemp -d /tmp/hull-vm-rtcheck.XXXXXX)
parent=hull-vm-check-$$
trap 'rm -rf "$work"; rmdir "$cg/$parent" 2>/dev/null' EXIT

passed=0
failed=0
skipped=0
n=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# A busybox rootfs: the static binary plus applet links made from inside.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$rootfs/bin/busybox"
chroot "$rootfs" /bin/busybox --install -s /bin

mem=67108864
pids=42

make_bundle() { # make_bundle RUNTIME BUNDLE_NAME CGROUPSPATH ARGS_JSON
	local b=$work/$2
	mkdir -p "$b"
	(cd "$b" && runc spec) || return 1
	jq --arg root "$rootfs" --arg cgp "$3" --argjson args "$4" --argjson mem $mem --argjson pids $pids '
		.root.path = $root
		| .process.terminal = false
		| .process.args = $args
		| .linux.cgroupsPath = $cgp
		| .linux.resources.memory = {limit: $mem}
		| .linux.resources.pids = {limit: $pids}
		| .linux.namespaces |= (if any(.type == "cgroup") then . else . + [{type: "cgroup"}] end)
	' "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

state_of() { # state_of RUNTIME STATE_ROOT ID
	"$1" --root "$2" state "$3" 2>/dev/null | jq -r .status 2>/dev/null
}

runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(runc crun)
command -v runc >/dev/null || { echo "runtime-check: runc is needed for 'runc spec'" >&2; exit 2; }

for rt in "${runtimes[@]}"; do
	if ! command -v "$rt" >/dev/null; then
		echo "ok $((n + 1)) - $rt # SKIP not installed"
		n=$((n + 1)); skipped=$((skipped + 1))
		continue
	fi
	name=${rt##*/} # RUNTIME may be a path, e.g. ./hull
	state=$work/state-$name
	mkdir -p "$state"

	# 1. "RUNTIME run": the container reads its own limits through its
	#    cgroup namespace.
	path=/$parent/$name-run
	make_bundle "$rt" "$name-run" "$path" \
		'["sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; cat /proc/self/cgroup"]' ||
		{ not_ok "$rt: make bundle"; continue; }
	out=$("$rt" --root "$state" run --bundle "$work/$name-run" "$name-run-$$" </dev/null 2>&1)
	rc=$?
	check "$rt run: exit status" 0 "$rc"
	check "$rt run: memory.max and pids.max seen inside, in its own cgroup" \
		"$mem $pids 0::/" "$(echo $out)"
	[ ! -d "$cg$path" ] && ok "$rt run: cgroup $path removed" || not_ok "$rt run: cgroup $path left behind"

	# 2. "RUNTIME create": look at the cgroup from outside before start.
	path=/$parent/$name-create
	make_bundle "$rt" "$name-create" "$path" '["true"]' ||
		{ not_ok "$rt: make bundle"; continue; }
	id=$name-create-$$
	if "$rt" --root "$state" create --bundle "$work/$name-create" "$id" </dev/null >"$work/$id.out" 2>&1; then
		ok "$rt create"
	else
		not_ok "$rt create: $(cat "$work/$id.out")"
		continue
	fi
	check "$rt create: state" created "$(state_of "$rt" "$state" "$id")"
	check "$rt create: $path/memory.max" $mem "$(cat "$cg$path/memory.max" 2>&1)"
	check "$rt create: $path/pids.max" $pids "$(cat "$cg$path/pids.max" 2>&1)"
	pid=$("$rt" --root "$state" state "$id" | jq -r .pid)
	check "$rt create: init pid in $path/cgroup.procs" "$pid" "$(cat "$cg$path/cgroup.procs" 2>&1)"
	"$rt" --root "$state" start "$id" </dev/null >>"$work/$id.out" 2>&1
	check "$rt start: exit status" 0 $?
	for _ in $(seq 100); do
		[ "$(state_of "$rt" "$state" "$id")" = stopped ] && break
		sleep 0.1
	done
	check "$rt start: state" stopped "$(state_of "$rt" "$state" "$id")"
	"$rt" --root "$state" delete "$id" </dev/null >>"$work/$id.out" 2>&1
	check "$rt delete: exit status" 0 $?
	[ ! -d "$cg$path" ] && ok "$rt delete: cgroup $path removed" || not_ok "$rt delete: cgroup $path left behind"
done

echo "1..$n"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
exit
}
