#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Command line: kill's signal syntax and --all, container IDs, concurrent
# creates.

load helpers

# A running container that records the first signal of SIGS it gets in
# $T/shared/got and then exits.
signal_ctr() {
	local id=$1 shared trap_cmds="" s
	shift
	shared=$(host_dir shared)
	bind_mount "$shared" /shared
	for s in "$@"; do
		trap_cmds+="trap 'echo $s > /shared/got; exit 0' $s; "
	done
	rm -f "$shared/up" "$shared/got"
	set_args sh -c "$trap_cmds echo up > /shared/up; while :; do sleep 0.05; done"
	ctr_create "$id"
	ctr_start "$id"
	wait_file "$shared/up"
}

@test "kill: signal by name without SIG prefix" {
	signal_ctr c1 USR1 USR2
	run rt kill c1 USR1
	assert_success
	wait_status c1 stopped
	run cat "$T/shared/got"
	assert_output USR1
}

@test "kill: signal by name with SIG prefix" {
	signal_ctr c1 USR1 USR2
	run rt kill c1 SIGUSR2
	assert_success
	wait_status c1 stopped
	run cat "$T/shared/got"
	assert_output USR2
}

@test "kill: signal by number" {
	signal_ctr c1 USR1 HUP
	run rt kill c1 1
	assert_success
	wait_status c1 stopped
	run cat "$T/shared/got"
	assert_output HUP
}

@test "kill: the default signal is SIGTERM" {
	signal_ctr c1 TERM USR1
	run rt kill c1
	assert_success
	wait_status c1 stopped
	run cat "$T/shared/got"
	assert_output TERM
}

@test "kill: an unknown signal fails with exit 1 and leaves the container" {
	signal_ctr c1 USR1
	run rt kill c1 SIGNOPE
	assert_failure 1
	run rt kill c1 999
	assert_failure 1
	[ "$(ctr_status c1)" = running ]
	[ ! -e "$T/shared/got" ]
}

@test "kill --all signals every process of the container" {
	# Without a pid namespace the init's death does not take the others along.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	update_config '.root.readonly = false'
	set_args sh -c 'sleep 300 & echo $! > /tmp/child; exec sleep 301'
	ctr_create c1
	ctr_start c1
	wait_file "$BUNDLE/rootfs/tmp/child"
	child=$(cat "$BUNDLE/rootfs/tmp/child")
	init=$(ctr_pid c1)
	track_pid "$child"
	pid_alive "$child"
	run rt kill --all c1 KILL
	assert_success
	wait_status c1 stopped
	for i in $(seq 60); do pid_alive "$child" || break; sleep 0.05; done
	not pid_alive "$child"
	not pid_alive "$init"
}

@test "kill of a stopped container fails with exit 1" {
	set_args true
	ctr_create c1
	ctr_start c1
	wait_status c1 stopped
	run rt kill c1 KILL
	assert_failure 1
	[ "$(ctr_status c1)" = stopped ]
}

# bad_id ID: create with ID must fail with exit 1 and create nothing.
bad_id() {
	run ctr_create "$1"
	assert_failure 1
	run rt list -q
	assert_output ""
	[ -z "$(find "$ROOT" -mindepth 1 | head -n1)" ] || { find "$ROOT"; false; }
}

@test "ID with a slash is refused" {
	bad_id "a/b"
	bad_id "../escape"
	[ ! -e "$T/escape" ]
}

@test "ID '..' and '.' are refused" {
	bad_id ".."
	bad_id "."
}

@test "empty ID is refused" {
	bad_id ""
}

@test "1 KiB long ID is refused" {
	bad_id "$(printf 'x%.0s' $(seq 1024))"
}

@test "duplicate ID is refused" {
	set_args sleep 30
	ctr_create c1
	pid=$(ctr_pid c1)
	run ctr_create c1
	assert_failure 1
	[ "$(ctr_status c1)" = created ]
	[ "$(ctr_pid c1)" = "$pid" ]
	run rt list -q
	assert_output c1
}

@test "10 concurrent creates of one ID: exactly one wins" {
	runc_deviates "racy: in 5 of 42 runs two creates succeeded, or a loser removed the winner's state and left its init running (runtime.md: 'If the ID provided is not unique ... a new container MUST not be created'; errors 'MUST leave the state of the environment as if the operation were never attempted')"
	set_args sleep 30
	_set_ctr_cgroup same
	track_id same
	local i pids=()
	for i in $(seq 10); do
		rt create --bundle "$BUNDLE" same \
			</dev/null >"$T/out.$i" 2>&1 &
		pids+=($!)
	done
	local ok=0 bad=0 other=0 rc
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		case $rc in
		0) ok=$((ok + 1)) ;;
		1) bad=$((bad + 1)) ;;
		*) other=$((other + 1)); echo "create $i: exit $rc"; cat "$T/out.$((i + 1))" ;;
		esac
	done
	echo "ok=$ok failed=$bad other=$other"
	[ $ok -eq 1 ]
	[ $bad -eq 9 ]
	_record_ctr_pid same
	[ "$(ctr_status same)" = created ]
	run rt list -q
	assert_output same
	# The winner still works.
	ctr_start same
	[ "$(ctr_status same)" = running ]
}

# Only fds the caller opened reach the container: a gap in the
# --preserve-fds range must not let one of the runtime's own fds through.
# (bats keeps fds 3 and 4 for itself: they are closed for the runtime.
# The shell lists its own fds, $$, so that ls' directory fd is not counted.)
@test "--preserve-fds passes the caller's fds 3..3+N-1 and nothing of the runtime's" {
	runc_deviates "runc 1.1.5 hands its own fd 4 (/sys/fs/cgroup) to the container when the caller's fd 4 is closed"
	set_args sh -c 'ls -l /proc/$$/fd | sed -n "s/.* \([0-9]*\) -> \(.*\)/\1 \2/p"'
	run rt run --bundle "$BUNDLE" --preserve-fds 3 c1 4<&- 3</etc/hostname 5</etc/passwd </dev/null
	assert_success
	assert_line "3 /etc/hostname"
	assert_line "5 /etc/passwd"
	refute_line --regexp '^4 '
	refute_line --regexp '^([6-9]|[1-9][0-9]+) '
}

@test "without --preserve-fds the container gets stdio only" {
	set_args sh -c 'ls -l /proc/$$/fd | sed -n "s/.* \([0-9]*\) -> .*/\1/p"'
	run rt run --bundle "$BUNDLE" c1 3</etc/hostname 4</etc/passwd </dev/null
	assert_success
	refute_line --regexp '^([3-9]|[1-9][0-9]+)$'
}

@test "an ID starting with a dot is refused (it would be hidden from list)" {
	requires_hull
	run ctr_create .hidden
	assert_failure 1
	assert_output --partial 'must not start with'
}
