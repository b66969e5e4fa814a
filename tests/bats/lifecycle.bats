#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Container lifecycle (runtime.md: create, start, state, kill, delete) and
# the runc-compatible `run`, `list` and --pid-file.

load helpers

# A container that drops a marker in the bind-mounted host dir $T/shared.
marker_bundle() {
	local shared
	shared=$(host_dir shared)
	bind_mount "$shared" /shared
	set_args sh -c 'echo ran > /shared/marker'
}

@test "create runs no user code; start does" {
	marker_bundle
	run ctr_create c1
	assert_success
	[ "$(ctr_status c1)" = created ]
	# The init exists, but the user's process has not run.
	sleep 0.5
	[ ! -e "$T/shared/marker" ]
	run ctr_start c1
	assert_success
	wait_file "$T/shared/marker"
	run cat "$T/shared/marker"
	assert_output ran
	wait_status c1 stopped
}

@test "status goes created -> running -> stopped" {
	set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done'
	update_config '.root.readonly = false'
	ctr_create c1
	run ctr_status c1
	assert_output created
	pid=$(ctr_pid c1)
	[ "$pid" -gt 0 ]
	ctr_start c1
	run ctr_status c1
	assert_output running
	[ "$(ctr_pid c1)" = "$pid" ]
	touch "$BUNDLE/rootfs/tmp/go"
	wait_status c1 stopped
}

@test "state JSON: ociVersion, id, status, pid, bundle, annotations" {
	update_config '.annotations = {"org.hull.test": "yes", "k2": "v2"}'
	set_args sleep 30
	# A relative bundle path must be reported as an absolute one.
	cd "$T"
	track_id c1
	rt create --bundle bundle c1 </dev/null >/dev/null 2>"$T/err" || { cat "$T/err"; false; }
	_record_ctr_pid c1
	run rt state c1
	assert_success
	echo "$output" | jq -e . >/dev/null
	[ "$(jq -r .id <<<"$output")" = c1 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[[ $(jq -r .ociVersion <<<"$output") =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
	[ "$(jq -r '.pid | type' <<<"$output")" = number ]
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
	[ "$(jq -r '.annotations["org.hull.test"]' <<<"$output")" = yes ]
	[ "$(jq -r '.annotations.k2' <<<"$output")" = v2 ]
	ctr_start c1
	run rt state c1
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]
}

@test "state: the pid is the container init as seen by the host" {
	set_args sleep 30
	ctr_create c1
	ctr_start c1
	pid=$(ctr_pid c1)
	[ "$(cat /proc/$pid/comm)" = sleep ]
	# ... and it lives in the new pid namespace as its pid 1.
	[ "$(ns_inode_of "$pid" pid)" != "$(host_ns_inode pid)" ]
	run awk '/^NSpid:/ { print $NF }' "/proc/$pid/status"
	assert_output 1
}

@test "state: created timestamp and owner (runc extensions)" {
	set_args sleep 30
	before=$(date -u +%s)
	ctr_create c1
	after=$(date -u +%s)
	run rt state c1
	created=$(jq -r .created <<<"$output")
	# RFC 3339 with optional fractional seconds, UTC or offset.
	[[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
	t=$(date -u -d "$(sed -E 's/\.[0-9]+//' <<<"$created")" +%s)
	[ "$t" -ge $((before - 1)) ]
	[ "$t" -le $((after + 1)) ]
	owner=$(jq -r '.owner | if type == "string" then . else error("not a string") end' <<<"$output")
	# Empty, or the name of the user that created the container.
	[ -z "$owner" ] || [ "$owner" = "$(id -un)" ]
}

@test "start of a running container fails with exit 1" {
	set_args sleep 30
	ctr_create c1
	ctr_start c1
	run rt start c1
	assert_failure 1
	[ "$(ctr_status c1)" = running ]
}

@test "start of a stopped container fails with exit 1" {
	set_args true
	ctr_create c1
	ctr_start c1
	wait_status c1 stopped
	run rt start c1
	assert_failure 1
	[ "$(ctr_status c1)" = stopped ]
}

@test "start runs the process only once" {
	marker_bundle
	set_args sh -c 'echo ran >> /shared/marker; sleep 30'
	ctr_create c1
	ctr_start c1
	wait_file "$T/shared/marker"
	run rt start c1
	assert_failure 1
	sleep 0.3
	run cat "$T/shared/marker"
	assert_output ran
}

@test "kill SIGKILL on a created container stops it" {
	set_args sleep 30
	ctr_create c1
	pid=$(ctr_pid c1)
	run rt kill c1 KILL
	assert_success
	wait_status c1 stopped
	not pid_alive "$pid"
}

@test "kill on a running container delivers the signal" {
	marker_bundle
	set_args sh -c 'trap "echo term > /shared/marker; exit 0" TERM; echo up > /shared/up; while :; do sleep 0.05; done'
	ctr_create c1
	ctr_start c1
	wait_file "$T/shared/up"
	run rt kill c1 TERM
	assert_success
	wait_status c1 stopped
	run cat "$T/shared/marker"
	assert_output term
}

@test "delete of a running container fails without --force" {
	set_args sleep 30
	ctr_create c1
	ctr_start c1
	run rt delete c1
	assert_failure 1
	[ "$(ctr_status c1)" = running ]
	pid=$(ctr_pid c1)
	run rt delete --force c1
	assert_success
	run rt state c1
	assert_failure 1
	for i in $(seq 50); do pid_alive "$pid" || break; sleep 0.05; done
	not pid_alive "$pid"
}

@test "delete of a stopped container removes it from list" {
	set_args true
	ctr_create c1
	ctr_start c1
	wait_status c1 stopped
	run rt list -q
	assert_output c1
	run rt delete c1
	assert_success
	run rt list -q
	assert_output ""
	run rt state c1
	assert_failure 1
}

@test "operations on an unknown ID fail with exit 1" {
	for op in state start "kill" delete; do
		run rt $op no-such-ctr
		assert_failure 1
	done
	run rt kill no-such-ctr KILL
	assert_failure 1
	[ -z "$(state_entries)" ]
}

@test "errors on an unknown ID name the ID" {
	requires_hull "runc says only 'container does not exist'; the spec does not mandate messages"
	for op in state start "kill" delete; do
		run rt $op no-such-ctr
		assert_failure 1
		assert_output --partial no-such-ctr
	done
}

@test "create --pid-file writes the init's host pid" {
	set_args sleep 30
	ctr_create c1 --pid-file "$T/c1.pid"
	[ -s "$T/c1.pid" ]
	[ "$(cat "$T/c1.pid")" = "$(ctr_pid c1)" ]
	run cat "/proc/$(cat "$T/c1.pid")/comm"
	assert_success
}

@test "run --detach --pid-file writes the process's host pid" {
	set_args sleep 30
	run ctr_run_detached c1 --pid-file "$T/c1.pid"
	assert_success
	[ "$(ctr_status c1)" = running ]
	[ "$(cat "$T/c1.pid")" = "$(ctr_pid c1)" ]
	[ "$(cat "/proc/$(cat "$T/c1.pid")/comm")" = sleep ]
}

@test "run --pid-file (foreground) writes the process's host pid" {
	set_args sleep 30
	ctr_run c1 --pid-file "$T/c1.pid" >"$T/c1.out" 2>&1 &
	rpid=$!
	wait_status c1 running
	wait_file "$T/c1.pid"
	pid=$(ctr_pid c1)
	track_pid "$pid"
	[ "$(cat "$T/c1.pid")" = "$pid" ]
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	rt kill c1 KILL
	wait $rpid || true
}

@test "run in the foreground returns the process's exit status" {
	set_args sh -c 'echo out; exit 7'
	run ctr_run c1
	assert_failure 7
	assert_output out
	set_args true
	run ctr_run c2
	assert_success
}

@test "run returns 128+N when the process is killed by signal N" {
	set_args sleep 30
	ctr_run c1 >"$T/c1.out" 2>&1 &
	rpid=$!
	wait_status c1 running
	rt kill c1 KILL
	rc=0
	wait $rpid || rc=$?
	[ "$rc" -eq 137 ]
}

@test "run forwards SIGTERM and SIGINT to the container process" {
	marker_bundle
	for sig in TERM INT; do
		code=$([ $sig = TERM ] && echo 42 || echo 43)
		rm -f "$T/shared/up"
		set_args sh -c "trap 'exit $code' $sig; echo up > /shared/up; while :; do sleep 0.05; done"
		track_id "c-$sig"
		_set_ctr_cgroup "c-$sig"
		# The runtime itself must get the signal (not a bash subshell), with
		# default dispositions (bash makes background jobs ignore SIGINT).
		HULL_TEST_MARK=$T env --default-signal=INT,TERM "$RUNTIME" --root "$ROOT" run \
			--bundle "$BUNDLE" "c-$sig" </dev/null >"$T/$sig.out" 2>&1 &
		rpid=$!
		wait_file "$T/shared/up"
		kill -$sig $rpid
		rc=0
		wait $rpid || rc=$?
		[ "$rc" -eq "$code" ] || { echo "$sig: exit $rc, wanted $code"; false; }
	done
}

@test "run --detach leaves a running container" {
	set_args sleep 30
	run ctr_run_detached c1
	assert_success
	[ "$(ctr_status c1)" = running ]
	pid=$(ctr_pid c1)
	[ "$(cat /proc/$pid/comm)" = sleep ]
}

@test "list, list -q and list --format json" {
	set_args sleep 30
	ctr_create a1
	ctr_create b2
	ctr_start b2
	run rt list
	assert_success
	assert_line --regexp '^ID +PID +STATUS +BUNDLE'
	assert_line --regexp "^a1 +[0-9]+ +created +$BUNDLE "
	assert_line --regexp "^b2 +[0-9]+ +running +$BUNDLE "
	run rt list -q
	assert_success
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "a1 b2 " ]
	run rt list --format json
	assert_success
	[ "$(jq -r 'sort_by(.id) | map(.id + "=" + .status) | join(" ")' <<<"$output")" = "a1=created b2=running" ]
	[ "$(jq -r --arg b "$BUNDLE" 'map(select(.bundle == $b)) | length' <<<"$output")" = 2 ]
	[ "$(jq -r 'map(.pid > 0) | all' <<<"$output")" = true ]
}

@test "list of an empty root" {
	run rt list -q
	assert_success
	assert_output ""
	run rt list --format json
	assert_success
	[ "$(jq -r 'length' <<<"${output:-[]}")" = 0 ]
}

@test "config.json changes after create do not affect the container" {
	update_config '.hostname = "before"'
	set_args hostname
	ctr_create c1
	update_config '.hostname = "after"'
	set_args sh -c 'echo wrong'
	ctr_start c1
	wait_status c1 stopped
	run cat "$T/c1.out"
	assert_output before
}
