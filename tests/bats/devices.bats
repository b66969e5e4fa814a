#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /dev (config-linux.md "Default Devices") and linux.devices.

load helpers

@test "default devices: null zero full random urandom tty with their numbers" {
	set_args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
	run ctr_run c1
	assert_success
	assert_line "/dev/null character special file 1:3"
	assert_line "/dev/zero character special file 1:5"
	assert_line "/dev/full character special file 1:7"
	assert_line "/dev/random character special file 1:8"
	assert_line "/dev/urandom character special file 1:9"
	assert_line "/dev/tty character special file 5:0"
}

@test "default devices work" {
	set_args sh -c 'echo x > /dev/null && echo null-ok
		head -c 7 /dev/zero | wc -c
		head -c 5 /dev/urandom | wc -c
		head -c 5 /dev/random | wc -c
		echo x 2>/dev/null > /dev/full || echo full-err'
	run ctr_run c1
	assert_success
	assert_output $'null-ok\n7\n5\n5\nfull-err'
}

@test "/dev/ptmx is the container's pts/ptmx" {
	set_args sh -c 'if [ -L /dev/ptmx ]; then echo link $(readlink /dev/ptmx); else stat -c "dev %t:%T" /dev/ptmx; fi; stat -c "%F %t:%T" /dev/pts/ptmx'
	run ctr_run c1
	assert_success
	[[ ${lines[0]} == "link pts/ptmx" || ${lines[0]} == "link /dev/pts/ptmx" || ${lines[0]} == "dev 5:2" ]]
	assert_line "character special file 5:2"
}

@test "/dev/pts and /dev/shm are usable" {
	set_args sh -c '[ -d /dev/pts ] && echo pts; echo hi > /dev/shm/x && cat /dev/shm/x; stat -c %a /dev/shm'
	run ctr_run c1
	assert_success
	assert_output $'pts\nhi\n1777'
}

@test "/dev/fd, stdin, stdout, stderr symlinks" {
	set_args sh -c 'for l in fd stdin stdout stderr; do echo $l=$(readlink /dev/$l); done'
	run ctr_run c1
	assert_success
	assert_line "fd=/proc/self/fd"
	assert_line "stdin=/proc/self/fd/0"
	assert_line "stdout=/proc/self/fd/1"
	assert_line "stderr=/proc/self/fd/2"
}

@test "/dev holds only the expected entries" {
	set_args ls -A /dev
	run ctr_run c1
	assert_success
	# Nothing of the host's /dev leaks in (e.g. its disk).
	refute_line --regexp '^(vda|sda|nvme.*|loop[0-9]+|kmsg|mem)$'
	assert_line null
}

@test "linux.devices: char, block and fifo with mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/mychar", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 1000, "gid": 100},
		{"path": "/dev/myblk", "type": "b", "major": 7, "minor": 0, "fileMode": 416, "uid": 0, "gid": 6},
		{"path": "/dev/sub/myfifo", "type": "p", "fileMode": 400, "uid": 1000, "gid": 1000}
	]'
	set_args sh -c 'for d in mychar myblk sub/myfifo; do stat -c "%n|%F|%t:%T|%a|%u|%g" /dev/$d; done'
	run ctr_run c1
	assert_success
	assert_line "/dev/mychar|character special file|1:3|600|1000|100"
	assert_line "/dev/myblk|block special file|7:0|640|0|6"
	assert_line --regexp '^/dev/sub/myfifo\|fifo\|[0-9a-f]+:[0-9a-f]+\|620\|1000\|1000$'
}

@test "linux.devices: a device allowed by resources.devices can be used" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}] |
		.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}]'
	set_args sh -c 'echo x > /dev/mynull && echo ok'
	run ctr_run c1
	assert_success
	assert_output ok
}

@test "linux.devices: default fileMode and owner" {
	update_config '.linux.devices = [{"path": "/dev/myzero", "type": "c", "major": 1, "minor": 5}]'
	set_args stat -c "%F|%t:%T|%u|%g" /dev/myzero
	run ctr_run c1
	assert_success
	assert_output "character special file|1:5|0|0"
}

@test "linux.devices: an existing non-matching file at path fails with exit 1" {
	runc_deviates "runc keeps the regular file and succeeds (config-linux.md: 'If a file already exists at path that does not match the requested device, the runtime MUST generate an error')"
	update_config '.root.readonly = false'
	echo not-a-device >"$BUNDLE/rootfs/etc/notadev"
	update_config '.linux.devices = [{"path": "/etc/notadev", "type": "c", "major": 1, "minor": 3}]'
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}
