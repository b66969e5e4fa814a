#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.namespaces (config-linux.md "Namespaces"), user namespace mappings,
# time namespace offsets, hostname and domainname.

load helpers

NS_FILES="pid net mnt ipc uts cgroup"

# ns_links: "type:[inode]" for each ns file of the shell ($$).
host_ns_link() { readlink "/proc/$$/ns/$1"; }

@test "each new namespace differs from the host's" {
	set_args sh -c "for n in $NS_FILES; do echo \$n=\$(readlink /proc/self/ns/\$n); done"
	run ctr_run c1
	assert_success
	for n in $NS_FILES; do
		assert_line --regexp "^$n=$n:\[[0-9]+\]$"
		refute_line "$n=$(host_ns_link "$n")"
	done
}

@test "new pid namespace: the process is pid 1 and sees only its own processes" {
	set_args sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
	run ctr_run c1
	assert_success
	[ "${lines[0]}" = 1 ]
	# sh, and the ls/wc pipeline: a handful, not the host's hundreds.
	[ "${lines[1]}" -le 4 ]
}

@test "new cgroup namespace: the container's cgroups are its root" {
	set_args cat /proc/self/cgroup
	run ctr_run c1
	assert_success
	# Every hierarchy's path is "/" inside the namespace.
	refute_line --regexp ':/.+$'
	assert_line --regexp '^[0-9]+:[^:]*:/$'
}

@test "absent namespace types are inherited from the runtime" {
	update_config '.linux.namespaces = [{"type": "pid"}, {"type": "mount"}] | del(.hostname)'
	set_args sh -c "for n in $NS_FILES; do echo \$n=\$(readlink /proc/self/ns/\$n); done"
	run ctr_run c1
	assert_success
	for n in net ipc uts cgroup; do
		assert_line "$n=$(host_ns_link "$n")"
	done
	for n in pid mnt; do
		refute_line "$n=$(host_ns_link "$n")"
	done
}

@test "network namespace joined by path (a bind-mounted namespace file)" {
	requires unshare
	# What `ip netns add` does, kept under the test's own directory so the
	# host's /run/netns is never touched.
	touch "$T/netns"
	unshare --net="$T/netns" true
	on_teardown "umount '$T/netns'"
	want=$(stat -L -c %i "$T/netns")
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: $p}' --arg p "$T/netns"
	set_args sh -c 'stat -L -c %i /proc/self/ns/net; ip link show | grep -c "^[0-9]"'
	run ctr_run c1
	assert_success
	[ "${lines[0]}" = "$want" ]
	[ "$want" != "$(stat -L -c %i /proc/$$/ns/net)" ]
	# A fresh netns has only lo.
	[ "${lines[1]}" = 1 ]
}

# hold_uts: a process in a new uts namespace with hostname "held-uts".
hold_uts() {
	requires unshare
	unshare --uts sh -c 'hostname held-uts; exec sleep 300' </dev/null >/dev/null 2>&1 &
	holder=$!
	track_pid "$holder"
	on_teardown "kill -KILL $holder; wait $holder"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(readlink /proc/$holder/ns/uts)" != "$(host_ns_link uts)" ] &&
			[ "$(cat /proc/$holder/comm)" = sleep ] && return 0
		sleep 0.05
	done
	return 1
}

@test "uts namespace joined by path (held by a process)" {
	hold_uts
	update_config '(.linux.namespaces[] | select(.type == "uts")) |= {type: "uts", path: $p} | del(.hostname)' --arg p "/proc/$holder/ns/uts"
	set_args sh -c 'readlink /proc/self/ns/uts; hostname'
	run ctr_run c1
	assert_success
	assert_line "$(readlink /proc/$holder/ns/uts)"
	assert_line held-uts
}

@test "namespace path of the wrong type fails create with exit 1" {
	hold_uts
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: $p}' --arg p "/proc/$holder/ns/uts"
	set_args true
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}

@test "namespace path that does not exist fails create with exit 1" {
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: "/proc/nonexistent/ns/net"}'
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}

@test "duplicate namespace types fail create with exit 1" {
	update_config '.linux.namespaces += [{"type": "network"}]'
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}

@test "time namespace with timeOffsets" {
	requires timens
	runc_deviates "runc 1.1.5 has no time namespace support (runtime-spec 1.2: 'time' type, linux.timeOffsets)"
	update_config '.linux.namespaces += [{"type": "time"}] |
		.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
		                       "boottime": {"secs": 172800, "nanosecs": 500}}'
	set_args sh -c 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	host_up=$(cut -d. -f1 /proc/uptime)
	run ctr_run c1
	assert_success
	refute_line "$(host_ns_link time)"
	assert_line --regexp '^monotonic +86400 +0$'
	assert_line --regexp '^boottime +172800 +500$'
	# /proc/uptime follows the boottime clock of the namespace.
	up=${lines[3]}
	[ "$up" -ge $((host_up + 172800)) ]
	[ "$up" -le $((host_up + 172800 + 30)) ]
}

@test "time namespace without offsets" {
	requires timens
	runc_deviates "runc 1.1.5 has no time namespace support (runtime-spec 1.2)"
	update_config '.linux.namespaces += [{"type": "time"}]'
	set_args sh -c 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets'
	run ctr_run c1
	assert_success
	refute_line "$(host_ns_link time)"
	assert_line --regexp '^monotonic +0 +0$'
}

# Bundles used from a user namespace must be reachable by the mapped ids.
open_bundle_path() {
	local d=$BUNDLE
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

@test "user namespace with uidMappings and gidMappings" {
	requires userns
	open_bundle_path
	update_config '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_args sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; echo ready; exec sleep 30'
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	for i in $(seq 100); do grep -q ready "$T/c1.out" && break; sleep 0.05; done
	run cat "$T/c1.out"
	refute_line "$(host_ns_link user)"
	assert_line --regexp '^ +0 +100000 +65536$'
	assert_line --regexp '^ +0 +200000 +65536$'
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	# The host sees the mapped ids.
	pid=$(ctr_pid c1)
	run awk '/^Uid:/ { print $2, $3, $4, $5 } /^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status"
	assert_line "100000 100000 100000 100000"
	assert_line "200000 200000 200000 200000"
}

@test "user namespace: unmapped root-owned files show as the overflow id" {
	requires userns
	open_bundle_path
	update_config '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_args stat -c '%u %g' /bin/busybox
	run ctr_run c1
	assert_success
	assert_output "$(cat /proc/sys/kernel/overflowuid) $(cat /proc/sys/kernel/overflowgid)"
}

@test "hostname is set in the new uts namespace" {
	update_config '.hostname = "ctr-host"'
	ctr_sh 'hostname; cat /proc/sys/kernel/hostname'
	assert_success
	assert_output $'ctr-host\nctr-host'
	[ "$(hostname)" != ctr-host ]
}

@test "domainname is set in the new uts namespace" {
	runc_deviates "runc 1.1.5 ignores domainname (runtime-spec 1.1: config.md domainname)"
	update_config '.domainname = "ctr.example"'
	set_args cat /proc/sys/kernel/domainname
	run ctr_run c1
	assert_success
	assert_output ctr.example
	[ "$(cat /proc/sys/kernel/domainname)" != ctr.example ]
}

@test "hostname without a new uts namespace fails with exit 1" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "nope"'
	before=$(hostname)
	run ctr_create c1
	assert_failure 1
	[ "$(hostname)" = "$before" ]
	run rt list -q
	assert_output ""
}
