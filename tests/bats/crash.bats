#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Crash tests (issue 7): the runtime is SIGKILLed at each step of create,
# run, start, exec and delete (hull's failpoints: a build configured with
# --enable-failpoints kills itself where HULL_FAILPOINT says).  Afterwards
# `list` works and shows nothing broken, `state` fails cleanly or reports a
# sane status, `delete --force` cleans up, a half-created ID can be created
# again, and the host is left clean (assert_host_clean and
# tests/leaks/check-leaks.sh).
#
# The crashing runtime is $HULL_FAILPOINTS_BIN (tests/crash/run.sh builds
# it); every other command runs $RUNTIME, the normal build.

load helpers

LEAKS=$REPO/tests/leaks/check-leaks.sh

setup() {
	if [ -z "${HULL_FAILPOINTS_BIN:-}" ] || [ ! -x "$HULL_FAILPOINTS_BIN" ]; then
		skip "HULL_FAILPOINTS_BIN is unset or not executable: these tests need hull built with --enable-failpoints (tests/crash/run.sh builds one)"
	fi
	if ! grep -qF create-reserved "$HULL_FAILPOINTS_BIN"; then
		skip "$HULL_FAILPOINTS_BIN has no failpoints: configure it with --enable-failpoints"
	fi
	hull_setup
	set_args sleep 1000
}

teardown() {
	[ -n "${T:-}" ] || return 0 # skipped before setup
	local rc=0
	force_delete_all
	leak_check || rc=1
	hull_teardown || rc=1
	return $rc
}

# leak_check: tests/leaks/check-leaks.sh on what this test may have left.
leak_check() {
	"$LEAKS" --quiet --wait 3 --root "$ROOT" --mounts "$T" --mark "$T" \
		--cg-prefix "$HULL_CG_PREFIX" --runtime "${RUNTIME##*/}" \
		--runtime "${HULL_FAILPOINTS_BIN##*/}" >&2
}

# crash FAILPOINT ARGS...: the failpoints build runs ARGS with
# HULL_FAILPOINT=FAILPOINT and must die of SIGKILL there.
crash() {
	local fp=$1 rc=0
	shift
	# a background job, and wait with stderr quiet: no "Killed" line
	HULL_FAILPOINT=$fp HULL_TEST_MARK=$T "$HULL_FAILPOINTS_BIN" --root "$ROOT" "$@" \
		</dev/null >"$T/crash.out" 2>"$T/crash.err" &
	{ wait $!; } 2>/dev/null || rc=$?
	if [ $rc -ne 137 ]; then
		echo "HULL_FAILPOINT=$fp hull $*: exit $rc, expected death by SIGKILL (137)" >&2
		cat "$T/crash.err" >&2
		return 1
	fi
}

# crash_create FAILPOINT create|run [ARGS...]: a create (or run --detach)
# of c1 that dies at FAILPOINT.
crash_create() {
	local fp=$1 how=$2
	shift 2
	track_id c1
	_set_ctr_cgroup c1
	if [ "$how" = run ]; then
		crash "$fp" run --detach --bundle "$BUNDLE" "$@" c1
	else
		crash "$fp" create --bundle "$BUNDLE" "$@" c1
	fi
}

sane_status() {
	case $1 in creating | created | running | paused | stopped) return 0 ;; esac
	return 1
}

# check_entry ID STATUS PID: a status the runtime reports is believable.
check_entry() {
	local id=$1 s=$2 pid=$3
	sane_status "$s" || { echo "$id: status '$s'" >&2; return 1; }
	case $s in
	created | running | paused)
		[ "$pid" -gt 0 ] 2>/dev/null && pid_alive "$pid" ||
			{ echo "$id: $s with pid '$pid', which is not alive" >&2; return 1; }
		;;
	esac
	# hull: a created container's init still waits in hull:init; once it
	# runs the user's program, "created" is a lie.
	if [ "$s" = created ] && runtime_is_hull; then
		local comm
		comm=$(cat "/proc/$pid/comm" 2>/dev/null)
		[ "$comm" = hull:init ] ||
			{ echo "$id: 'created', but its process $pid runs '$comm'" >&2; return 1; }
	fi
	return 0
}

# check_sane ID: after a crash, `list` (every format) works and shows only
# sane entries, and `state ID` either fails cleanly or is sane.
check_sane() {
	local id=$1 line s pid
	run rt list
	assert_success
	run rt list -q
	assert_success
	run rt list --format json
	assert_success
	jq -e 'type == "array"' <<<"$output" >/dev/null
	while IFS=$'\t' read -r line s pid; do
		check_entry "$line" "$s" "$pid"
	done < <(jq -r '.[] | [.id, .status, (.pid // 0)] | @tsv' <<<"$output")

	run rt state "$id"
	if [ "$status" -eq 0 ]; then
		s=$(jq -r .status <<<"$output")
		pid=$(jq -r '.pid // 0' <<<"$output")
		check_entry "$id" "$s" "$pid"
	else
		# fails cleanly: exit 1 and says why
		[ "$status" -eq 1 ] || { echo "state $id: exit $status" >&2; return 1; }
		[ -n "$output" ] || { echo "state $id: failed without a message" >&2; return 1; }
	fi
}

# delete_gone ID [--force]: delete succeeds and ID is gone.
delete_gone() {
	local id=$1
	shift
	run rt delete "$@" "$id"
	assert_success
	run rt state "$id"
	assert_failure
	run rt list -q
	assert_success
	if grep -qxF -- "$id" <<<"$output"; then
		fail "list still shows $id"
	fi
}

# cg_only ID PID: in every hierarchy, the container's cgroup holds PID
# and nothing else.
cg_only() {
	local id=$1 pid=$2 mp p
	while IFS= read -r mp; do
		[ -f "$mp$CG_TEST-$id/cgroup.procs" ] || continue
		while read -r p; do
			[ "$p" = "$pid" ] && continue
			pid_alive "$p" || continue
			echo "cgroup $CG_TEST-$id in $mp holds $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)), not only $pid" >&2
			return 1
		done <"$mp$CG_TEST-$id/cgroup.procs"
	done < <(cgroup_mounts all)
}

# works ID: a created container starts, runs in its own cgroup alone, and
# takes an exec.
works() {
	local id=$1 pid
	run ctr_start "$id"
	assert_success
	wait_status "$id" running
	pid=$(ctr_pid "$id")
	track_pid "$pid"
	cg_only "$id" "$pid"
	run rt exec "$id" echo exec-ok
	assert_success
	assert_output exec-ok
}

# ---------------------------------------------------------------------------
# create (and run --detach, which goes through it), then delete --force

@test "create killed at create-reserved: delete --force cleans up" {
	crash_create create-reserved create
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-cgroup: delete --force cleans up" {
	crash_create create-cgroup create
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-cloned: delete --force cleans up" {
	crash_create create-cloned create
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-ready: delete --force cleans up" {
	crash_create create-ready create
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-saved: delete --force cleans up" {
	crash_create create-saved create --pid-file "$T/pid"
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "run --detach killed at each create failpoint: delete --force cleans up" {
	local fp
	for fp in create-reserved create-cgroup create-cloned create-detaching create-ready \
		create-saved; do
		echo "# $fp"
		crash_create "$fp" run
		check_sane c1
		delete_gone c1 --force
		leak_check
	done
}

@test "run with the detach of the old root delayed: the process never sees the host's mounts" {
	# The parent detaches the old root while the child finishes its setup;
	# create-detaching@pause holds the parent back 300 ms, so a child that
	# did not wait for the word would run its process meanwhile.
	set_args sh -c 'awk "{ print \$5 }" /proc/self/mountinfo'
	track_id c1
	_set_ctr_cgroup c1
	HULL_FAILPOINT=create-detaching@pause run "$HULL_FAILPOINTS_BIN" --root "$ROOT" \
		run --bundle "$BUNDLE" c1
	assert_success
	assert_line /
	assert_line /proc
	refute_line --regexp '^/(work|mnt)(/|$)'
	refute_line --partial "$T"
	leak_check
}

# ---------------------------------------------------------------------------
# create again after the crash: the half-create is reclaimed

@test "create killed at create-reserved: create of the same ID reclaims it" {
	crash_create create-reserved create
	run ctr_create c1
	assert_success
	works c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-cgroup: create of the same ID reclaims it" {
	crash_create create-cgroup create
	run ctr_create c1
	assert_success
	works c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-cloned: create of the same ID reclaims it" {
	crash_create create-cloned create
	run ctr_create c1
	assert_success
	works c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-ready: create of the same ID reclaims it" {
	crash_create create-ready create
	run ctr_create c1
	assert_success
	works c1
	delete_gone c1 --force
	leak_check
}

@test "create killed at create-saved: the container is complete, a second create fails" {
	crash_create create-saved create --pid-file "$T/pid"
	_record_ctr_pid c1
	[ "$(ctr_status c1)" = created ]
	# --pid-file is written atomically: absent, or the whole pid
	if [ -e "$T/pid" ]; then
		[ "$(cat "$T/pid")" = "$(ctr_pid c1)" ]
	fi
	run ctr_create c1
	assert_failure 1
	assert_output --partial "c1"
	assert_output --partial "exists"
	works c1
	delete_gone c1 --force
	leak_check
}

@test "run --detach killed at each create failpoint: run of the same ID reclaims it" {
	local fp pid
	for fp in create-reserved create-cgroup create-cloned create-detaching create-ready; do
		echo "# $fp"
		crash_create "$fp" run
		run ctr_run_detached c1
		assert_success
		wait_status c1 running
		pid=$(ctr_pid c1)
		cg_only c1 "$pid"
		delete_gone c1 --force
		leak_check
	done
}

# ---------------------------------------------------------------------------
# start, exec, delete

@test "start killed at start-signalled: the container runs, never stuck in created" {
	local shared s i
	shared=$(host_dir shared)
	bind_mount "$shared" /shared
	set_args sh -c 'echo ran > /shared/ran; exec sleep 1000'
	ctr_create c1
	crash start-signalled start c1
	# the start byte was written: the user's process runs
	wait_file "$shared/ran"
	for ((i = 0; i < 50; i++)); do
		s=$(ctr_status c1)
		[ "$s" = running ] || [ "$s" = stopped ] && break
		sleep 0.1
	done
	[ "$s" = running ] || [ "$s" = stopped ] ||
		fail "after start-signalled the status stays '$s' while $(ctr_pid c1) runs $(cat /proc/"$(ctr_pid c1)"/comm 2>/dev/null)"
	check_sane c1
	# a second start is refused cleanly
	run rt start c1
	assert_failure 1
	delete_gone c1 --force
	leak_check
}

@test "exec killed at exec-forked: the container is unaffected, no exec'd process lingers" {
	local shared pid i
	shared=$(host_dir shared)
	bind_mount "$shared" /shared
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	pid=$(ctr_pid c1)
	crash exec-forked exec c1 sh -c 'echo ran > /shared/exec-ran; exec sleep 999'
	# the exec'd child notices its parent is gone and goes away
	for ((i = 0; i < 30; i++)); do
		cg_only c1 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	cg_only c1 "$pid"
	# it was killed before being released: the command never ran
	sleep 0.3
	[ ! -e "$shared/exec-ran" ]
	[ "$(ctr_status c1)" = running ]
	[ "$(ctr_pid c1)" = "$pid" ]
	check_sane c1
	run rt exec c1 echo exec-ok
	assert_success
	assert_output exec-ok
	cg_only c1 "$pid"
	delete_gone c1 --force
	leak_check
}

@test "delete --force killed at delete-killed: delete --force again cleans up" {
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	crash delete-killed delete --force c1
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "delete --force killed at delete-killed: a plain delete cleans up" {
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	crash delete-killed delete --force c1
	check_sane c1
	delete_gone c1
	leak_check
}

@test "delete --force killed at delete-cgroup: delete --force again cleans up" {
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	crash delete-cgroup delete --force c1
	check_sane c1
	delete_gone c1 --force
	leak_check
}

@test "delete of a stopped container killed at delete-cgroup: a plain delete cleans up" {
	ctr_create c1
	ctr_start c1
	wait_status c1 running
	run rt kill c1 KILL
	assert_success
	wait_status c1 stopped
	crash delete-cgroup delete c1
	check_sane c1
	delete_gone c1
	leak_check
}

# ---------------------------------------------------------------------------
# list with broken entries of every kind

@test "list works beside a half-create of every kind and broken state dirs" {
	local fp n=0 ids=() id
	for fp in create-reserved create-cgroup create-cloned create-ready; do
		n=$((n + 1))
		track_id "b$n"
		_set_ctr_cgroup "b$n"
		crash "$fp" create --bundle "$BUNDLE" "b$n"
		ids+=("b$n")
	done
	# broken by hand: no state, garbage state, a truncated state, a file
	mkdir "$ROOT/e1" "$ROOT/g1" "$ROOT/t1"
	echo '{garbage' >"$ROOT/g1/state.json"
	: >"$ROOT/t1/state.json"
	: >"$ROOT/f1"
	ids+=(e1 g1 t1)
	track_id e1; track_id g1; track_id t1
	# and a healthy container
	ctr_create ok1
	ctr_start ok1
	wait_status ok1 running
	check_sane ok1
	run rt list -q
	assert_success
	assert_line ok1
	run rt list --format json
	assert_success
	[ "$(jq -r '.[] | select(.id == "ok1") | .status' <<<"$output")" = running ]
	rm -f "$ROOT/f1" # not a container: delete --force of it only says so
	run rt delete --force f1
	assert_success
	for id in "${ids[@]}"; do
		run rt state "$id"
		if [ "$status" -ne 0 ]; then
			assert_failure 1
			[ -n "$output" ]
		fi
		run rt delete --force "$id"
		assert_success
		[ ! -e "$ROOT/$id" ]
	done
	run rt list -q
	assert_success
	assert_output ok1
	delete_gone ok1 --force
	leak_check
}

@test "a stray .new-* dir of a dead create does not outlive the next create" {
	# A create killed between making its temporary dir and renaming it
	# into place leaves .new-PID-N (no failpoint there: made by hand, with
	# the pid of a process that is gone).
	local dead
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir -p -m 0700 "$ROOT/.tmp" && mkdir -m 0711 "$ROOT/.tmp/.new-$dead-0"
	run rt list
	assert_success
	ctr_create c1
	works c1
	delete_gone c1 --force
	[ ! -e "$ROOT/.tmp/.new-$dead-0" ] || fail "$ROOT/.tmp/.new-$dead-0 is still there"
	leak_check
}
