#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.resources.devices: deny by default, rules in order, the runtime's
# default devices always usable.  v1 enforces with devices.allow/deny, v2
# with a BPF program the runtime attaches; the tests check what the
# container can do, so they hold on either.  The device used is /dev/kmsg
# (c 1:11), made in the container through linux.devices; the container
# gets CAP_SYSLOG (reading kmsg needs it) and CAP_MKNOD, so only the device
# cgroup can say no.

load helpers
load cgroups-lib

setup() {
	hull_setup
	[ -c /dev/kmsg ] || skip "the host has no /dev/kmsg"
	requires_controller devices
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420}]
		| .process.capabilities.bounding += ["CAP_MKNOD", "CAP_SYSLOG"]
		| .process.capabilities.effective += ["CAP_MKNOD", "CAP_SYSLOG"]
		| .process.capabilities.permitted += ["CAP_MKNOD", "CAP_SYSLOG"]'
}

# devices JSON: linux.resources.devices = JSON
devices() {
	update_config '.linux.resources.devices = $d' --argjson d "$1"
}

# try_kmsg: reads and writes of /dev/kmsg as "r=0|1 w=0|1" (0: allowed).
# A write is an empty one, so nothing reaches the kernel log.
KMSG='r=1; w=1; (: </dev/kmsg) 2>/dev/null && r=0; (: >>/dev/kmsg) 2>/dev/null && w=0; echo "r=$r w=$w"'

@test "devices: deny all makes a listed device unusable" {
	devices '[{"allow": false, "access": "rwm"}]'
	ctr_sh "$KMSG"
	assert_success
	assert_output "r=1 w=1"
}

@test "devices: an allow rule opens the device with exactly its access" {
	devices '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
	ctr_sh "$KMSG"
	assert_success
	assert_output "r=0 w=1"
}

@test "devices: rules apply in order, the last match wins" {
	devices '[{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	ctr_sh "$KMSG"
	assert_output "r=0 w=1"
}

@test "devices: a later deny-all resets earlier allows" {
	devices '[{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"},
		{"allow": false, "access": "rwm"}]'
	ctr_sh "$KMSG"
	assert_output "r=1 w=1"
}

@test "devices: a missing minor is a wildcard" {
	devices '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "access": "rw"}]'
	ctr_sh "$KMSG"
	assert_output "r=0 w=0"
}

@test "devices: allow all (type a) permits everything" {
	devices '[{"allow": true, "access": "rwm"}]'
	ctr_sh "$KMSG"
	assert_output "r=0 w=0"
}

@test "devices: without resources.devices the list still denies by default" {
	requires_hull "runc applies its own default list (same outcome: denied)"
	update_config 'del(.linux.resources)'
	ctr_sh "$KMSG"
	assert_output "r=1 w=1"
}

@test "devices: the runtime's default devices stay usable under deny all" {
	devices '[{"allow": false, "access": "rwm"}]'
	ctr_sh 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c &&
		head -c 4 /dev/random | wc -c && (echo x >/dev/full) 2>&1 | grep -c "No space"'
	assert_success
	assert_output "$(printf '4\n4\n4\n1')"
}

@test "devices: a denied device cannot be made with mknod, an allowed one can" {
	runc_deviates "runc allows mknod of every device (c *:* m, b *:* m)"
	devices '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 1, "access": "m"}]'
	ctr_sh 'mknod /dev/mem1 c 1 1 && echo mem-ok; mknod /dev/port4 c 1 4 2>/dev/null || echo port-denied'
	assert_output "$(printf 'mem-ok\nport-denied')"
}

@test "devices: the linux.devices nodes can be made, but not opened unless allowed" {
	runc_deviates "runc allows mknod of every device"
	devices '[{"allow": false, "access": "rwm"}]'
	ctr_sh "ls -l /dev/kmsg | cut -c1; mknod /dev/other c 1 4 2>/dev/null || echo other-denied; $KMSG"
	assert_output "$(printf 'c\nother-denied\nr=1 w=1')"
}

@test "devices: a bad access string names the rule" {
	requires_hull "error text"
	devices '[{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwx"}]'
	set_args true
	run ctr_create c1
	assert_failure 1
	assert_output --partial 'linux.resources.devices[0].access'
}

@test "devices: v1 writes the list to devices.list" {
	[ "$(cg_version devices)" = v1 ] || skip "v1 devices controller only"
	devices '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
	cg_create_sleep c1
	run cat "$(cg_host_dir devices c1)/devices.list"
	# r from the rule (hull adds m: it makes the linux.devices node; runc
	# allows m for all devices instead)
	assert_line --regexp '^c 1:11 rm?$'
	assert_line "c 1:3 rwm"
	refute_line "a *:* rwm"
}

@test "devices: on a hybrid host the BPF program on the unified cgroup enforces the same list" {
	requires_hull "hull also attaches its v2 program on hybrid hosts"
	[ "$(cg_layout)" = hybrid ] || skip "hybrid hosts only (pure v2 is covered by every test above)"
	devices '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
	cg_create_sleep c1
	# A host shell in the container's unified cgroup only: the v1 device
	# cgroup (the host's root) allows everything, the program must not.
	local u=/sys/fs/cgroup/unified$(cg_path_of c1)
	run sh -c "echo \$\$ > $u/cgroup.procs && $KMSG && (: </dev/full) 2>/dev/null && echo full-ok"
	assert_success
	assert_output "$(printf 'r=0 w=1\nfull-ok')"
}
