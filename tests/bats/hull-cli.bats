#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command-line surface beyond the lifecycle: spec, features, --version,
# --log-format json, terminals through --console-socket, exec.  Tests of
# runc's documented behaviour run against runc too; the rest say
# requires_hull.

load helpers

@test "spec writes a config.json that parses and runs (terminal off)" {
	mkdir "$T/s"
	run rt spec --bundle "$T/s"
	assert_success
	jq -e '.ociVersion and .process.args and .root.path == "rootfs"' "$T/s/config.json"
	cp -a "$BUNDLE/rootfs" "$T/s/rootfs"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "hostname; echo ok"]
	    | .linux.cgroupsPath = "'"$CG_TEST"'-spec"' "$T/s/config.json" >"$T/s/c" && mv "$T/s/c" "$T/s/config.json"
	track_id s1
	run rt run --bundle "$T/s" s1 </dev/null
	assert_success
	assert_line ok
}

@test "spec refuses to overwrite an existing config.json" {
	run rt spec --bundle "$BUNDLE"
	assert_failure 1
}

@test "spec --rootless maps the caller to root in a user namespace" {
	mkdir "$T/r"
	run rt spec --rootless --bundle "$T/r"
	assert_success
	jq -e '[.linux.namespaces[].type] | index("user")' "$T/r/config.json"
	jq -e '.linux.uidMappings[0] == {"containerID": 0, "hostID": 0, "size": 1}' "$T/r/config.json"
}

@test "features: the features document of features.md" {
	run rt features
	assert_success
	jq -e '.ociVersionMin and .ociVersionMax' <<<"$output"
	jq -e '.linux.namespaces | index("pid") and index("user")' <<<"$output"
	if runtime_is_hull; then
		jq -e '.linux.namespaces | index("time")' <<<"$output"
	fi
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO")' <<<"$output"
	jq -e '.hooks | index("createContainer")' <<<"$output"
}

@test "--version names the runtime and the spec version" {
	requires_hull
	run "$RUNTIME" --version
	assert_success
	assert_line --regexp '^hull version [0-9]'
	assert_line --regexp '^spec: 1\.3\.'
}

@test "--log-format json: errors are JSON lines with level, msg and time" {
	run rt --log "$T/log.json" --log-format json state no-such-container
	assert_failure 1
	[ -s "$T/log.json" ]
	jq -e -s 'map(select(.level == "error")) | length >= 1' "$T/log.json"
	jq -e -s 'map(select(.level == "error"))[0] | (.msg | length > 0) and .time' "$T/log.json"
	if runtime_is_hull; then
		jq -e -s 'map(select(.level == "error"))[0].msg | contains("no-such-container")' "$T/log.json"
	fi
}

@test "an unknown command or option fails (hull: with exit 1)" {
	run "$RUNTIME" no-such-command
	assert_failure
	if runtime_is_hull; then assert_failure 1; fi
	run rt create --no-such-option x
	assert_failure
	if runtime_is_hull; then assert_failure 1; fi
}

@test "process.terminal with --console-socket: the pty master reaches the socket" {
	command -v python3 >/dev/null || skip "needs python3"
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
	set_args sh -c 'tty; stty size; readlink /dev/console >/dev/null; ls -l /dev/console | cut -c1; echo END'
	python3 "$BATS_TEST_DIRNAME/lib/console-recv.py" "$T/cs" "$T/tty.out" &
	local rpid=$!
	on_teardown "kill $rpid 2>/dev/null; true"
	for _ in $(seq 50); do [ -e "$T/cs.ready" ] && break; sleep 0.1; done
	ctr_run_detached c1 --console-socket "$T/cs"
	for _ in $(seq 100); do grep -q END "$T/tty.out" 2>/dev/null && break; sleep 0.1; done
	run tr -d '\r' <"$T/tty.out"
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line "33 111"
	assert_line c
}

@test "process.terminal without --console-socket fails for a detached container" {
	update_config '.process.terminal = true'
	run ctr_create c1
	assert_failure 1
}

@test "exec runs in the container's namespaces and cgroup, and returns the status" {
	set_args sleep 60
	ctr_run_detached c1
	run rt exec c1 sh -c 'readlink /proc/self/ns/pid; cat /proc/self/cgroup; exit 5'
	assert_failure 5
	[ "$(sed -n 1p <<<"$output")" = "$(readlink "/proc/$(ctr_pid c1)/ns/pid")" ]
	# a cgroup namespace: the container's own cgroup is its root
	assert_line '0::/'
	run rt exec --user 1000:1000 --env HULL_X=y --cwd /tmp c1 sh -c 'id -u; id -g; echo $HULL_X; pwd'
	assert_success
	assert_output "$(printf '1000\n1000\ny\n/tmp')"
}

@test "exec --detach with --pid-file leaves the process running in the container" {
	set_args sleep 60
	ctr_run_detached c1
	# not `run`: the detached process keeps its stdout open for 30 s
	rt exec --detach --pid-file "$T/e.pid" c1 sleep 30 </dev/null >/dev/null 2>&1
	local p
	p=$(cat "$T/e.pid")
	[ "$(readlink /proc/$p/ns/pid)" = "$(readlink "/proc/$(ctr_pid c1)/ns/pid")" ]
	# the same cgroups as the container's first process, seen from the host
	diff "/proc/$p/cgroup" "/proc/$(ctr_pid c1)/cgroup"
	grep -q "$CG_TEST" "/proc/$p/cgroup"
}

@test "exec into a stopped container fails (hull: with exit 1)" {
	set_args true
	ctr_create c1
	rt start c1
	wait_status c1 stopped
	run rt exec c1 true
	assert_failure
	if runtime_is_hull; then assert_failure 1; fi
}
