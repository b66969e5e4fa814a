#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.seccomp as the process sees it (/proc/self/status, a syscall's
# errno), and hull's cache of compiled programs in the state root
# (src/libhull/seccomp-cache.h): used when it matches, ignored when damaged
# or writable by others, written only for a container that started.

load helpers

# A profile that lets everything through but mkdir/mkdirat, which fail with
# ENOTEMPTY: an errno mkdir never gives on its own here.
deny_mkdir() {
	update_config '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 39}]
	}'
}

# mkdir_blocked: the output of probe (below) shows the filter at work.
probe='grep "^Seccomp:" /proc/self/status; mkdir /dev/shm/probe; echo "mkdir=$?"'
assert_filtered() {
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_output --partial 'Directory not empty'
	assert_line 'mkdir=1'
}

cache_files() {
	ls -A "$ROOT/.seccomp" 2>/dev/null
}

@test "seccomp: an SCMP_ACT_ERRNO rule fails the syscall with errnoRet, in filter mode" {
	deny_mkdir
	ctr_sh "$probe"
	assert_filtered
}

@test "seccomp: without linux.seccomp there is no filter" {
	ctr_sh 'grep "^Seccomp:" /proc/self/status; mkdir /dev/shm/probe && echo made'
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+0$'
	assert_line made
}

@test "seccomp: an argument comparison limits the rule to matching calls" {
	# only a chmod to mode 0700 (448) is refused
	update_config '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 39,
			args: [{index: 1, value: 448, op: "SCMP_CMP_EQ"}]},
			{names: ["fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: 39,
			args: [{index: 2, value: 448, op: "SCMP_CMP_EQ"}]}]
	}'
	ctr_sh 'mkdir /dev/shm/d; chmod 700 /dev/shm/d; echo "a=$?"; chmod 750 /dev/shm/d; echo "b=$?"; stat -c %a /dev/shm/d'
	assert_success
	assert_line 'a=1'
	assert_line 'b=0'
	assert_line 750
}

@test "seccomp: a large profile that allows by default holds every rule (hull: as several filters)" {
	# 400 rules that never match, ten per syscall, then the two that do:
	# hull compiles this as several filters (seccomp.h), each with all the
	# rules of some syscalls; the process must see every rule in force.
	update_config '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: ([range(0; 400) as $i | {
			names: [$inert[($i / 10 | floor) % ($inert | length)]],
			action: "SCMP_ACT_ERRNO", errnoRet: 38,
			args: [{index: 1, value: (2118582272 + $i), op: "SCMP_CMP_EQ"}]}]
			+ [{names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 39,
			    args: [{index: 1, value: 448, op: "SCMP_CMP_EQ"}]},
			   {names: ["fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: 39,
			    args: [{index: 2, value: 448, op: "SCMP_CMP_EQ"}]},
			   {names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 39}])
	}' --argjson inert '["personality", "syslog", "quotactl", "acct", "swapon", "swapoff",
		"iopl", "ioperm", "kexec_load", "init_module", "delete_module", "finit_module",
		"perf_event_open", "fanotify_init", "fanotify_mark", "name_to_handle_at",
		"open_by_handle_at", "mbind", "set_mempolicy", "get_mempolicy", "migrate_pages",
		"move_pages", "process_vm_readv", "process_vm_writev", "kcmp", "sched_setattr",
		"sched_getattr", "bpf", "userfaultfd", "membarrier", "mlock2", "pkey_mprotect",
		"pkey_alloc", "pkey_free", "io_setup", "io_destroy", "io_getevents", "io_submit",
		"io_cancel", "remap_file_pages"]'
	ctr_sh 'grep "^Seccomp" /proc/self/status; touch /dev/shm/f; chmod 700 /dev/shm/f; echo "a=$?"; chmod 750 /dev/shm/f; echo "b=$?"; stat -c %a /dev/shm/f; mkdir /dev/shm/d; echo "mkdir=$?"; uname -s'
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line 'a=1'
	assert_line 'b=0'
	assert_line 750
	assert_output --partial 'Directory not empty'
	assert_line 'mkdir=1'
	assert_line Linux
	if runtime_is_hull; then
		n=$(awk '/^Seccomp_filters:/ { print $2 }' <<<"$output")
		[ "$n" -ge 3 ] || fail "expected the profile split into 3 or more filters, got $n"
	fi
}

@test "seccomp cache: the first container compiles, the next one loads the stored program" {
	requires_hull
	deny_mkdir
	set_args sh -c "$probe"
	track_id c1
	run rt --debug run --bundle "$BUNDLE" c1 </dev/null
	assert_filtered
	refute_output --partial 'compiled program from'
	run cache_files
	assert_output --regexp '^[0-9][0-9]\.bpf$'
	track_id c2
	run rt --debug run --bundle "$BUNDLE" c2 </dev/null
	assert_filtered
	assert_output --partial 'seccomp: compiled program from'
}

@test "seccomp cache: a changed profile is compiled anew, not served from the cache" {
	requires_hull
	deny_mkdir
	set_args sh -c "$probe"
	track_id c1
	rt run --bundle "$BUNDLE" c1 </dev/null >/dev/null
	# same shape, other errno: must not hit the first program
	update_config '.linux.seccomp.syscalls[0].errnoRet = 17'
	track_id c2
	run rt --debug run --bundle "$BUNDLE" c2 </dev/null
	assert_success
	refute_output --partial 'compiled program from'
	assert_output --partial 'File exists'
}

@test "seccomp cache: a damaged file is not used, and is replaced" {
	requires_hull
	deny_mkdir
	set_args sh -c "$probe"
	track_id c1
	rt run --bundle "$BUNDLE" c1 </dev/null >/dev/null
	local f
	f=$ROOT/.seccomp/$(cache_files)
	# flip the program's last byte (the filter's final return)
	local size
	size=$(stat -c %s "$f")
	printf '\x55' | dd of="$f" bs=1 seek=$((size - 1)) conv=notrunc status=none
	track_id c2
	run rt --debug run --bundle "$BUNDLE" c2 </dev/null
	assert_filtered
	refute_output --partial 'compiled program from'
	track_id c3
	run rt --debug run --bundle "$BUNDLE" c3 </dev/null
	assert_filtered
	assert_output --partial 'compiled program from'
}

@test "seccomp cache: a cache directory others may write is ignored" {
	requires_hull
	deny_mkdir
	set_args sh -c "$probe"
	track_id c1
	rt run --bundle "$BUNDLE" c1 </dev/null >/dev/null
	chmod 0777 "$ROOT/.seccomp"
	track_id c2
	run rt --debug run --bundle "$BUNDLE" c2 </dev/null
	assert_filtered
	refute_output --partial 'compiled program from'
	assert_output --partial 'not ours alone'
}

@test "seccomp cache: a create that fails stores nothing" {
	requires_hull
	deny_mkdir
	set_args /no/such/program
	run ctr_create c1
	assert_failure 1
	run cache_files
	assert_output ''
}

@test "seccomp cache: exec loads the container's program from the cache" {
	requires_hull
	deny_mkdir
	set_args sleep 1000
	ctr_create c1
	ctr_start c1
	run rt --debug exec c1 sh -c "$probe"
	assert_filtered
	assert_output --partial 'compiled program from'
}
