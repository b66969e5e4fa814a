#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# process (config.md "Process"): args, env, cwd, user, umask, rlimits,
# oomScoreAdj, noNewPrivileges, capabilities.

load helpers

@test "args are passed verbatim" {
	set_args sh -c 'for a in "$@"; do printf "<%s>" "$a"; done; echo' argv0 "a b" 'c"d' '' "\$HOME" '*'
	run ctr_run c1
	assert_success
	assert_output '<a b><c"d><><$HOME><*>'
}

@test "args[0] is looked up in the process PATH" {
	update_config '.process.env = ["PATH=/usr/bin"]'
	set_args echo found
	run ctr_run c1
	assert_success
	assert_output found
	set_args /bin/echo absolute
	run ctr_run c2
	assert_success
	assert_output absolute
}

@test "a missing executable fails and leaves nothing" {
	set_args /no/such/program
	run ctr_run c1
	assert_failure
	run rt list -q
	assert_output ""
}

@test "env is exactly the configured environment" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	set_args sh -c 'env | sort'
	BATS_HOST_ONLY=leak run ctr_run c1
	assert_success
	assert_line "FOO=bar baz"
	assert_line "EMPTY="
	assert_line "PATH=/bin"
	refute_line --partial BATS_
	refute_line --partial HOST_ONLY
}

@test "cwd is the working directory" {
	update_config '.process.cwd = "/etc"'
	set_args pwd
	run ctr_run c1
	assert_success
	assert_output /etc
}

@test "user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 65534]}'
	set_args sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; id -u; id -g; id -un'
	run ctr_run c1
	assert_success
	assert_line --regexp '^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$'
	assert_line --regexp '^Gid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$'
	groups=$(grep '^Groups:' <<<"$output" | cut -d: -f2 | tr -s ' \t' '\n' | grep . | sort -n | tr '\n' ' ')
	[ "$groups" = "5 65534 " ] || { echo "groups: $groups"; false; }
	assert_line 1000
	assert_line user
}

@test "user without additionalGids has no supplementary groups" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args grep '^Groups:' /proc/self/status
	run ctr_run c1
	assert_success
	assert_output --regexp '^Groups:[[:space:]]*$'
}

@test "user.umask" {
	update_config '.process.user.umask = 23'
	set_args sh -c 'umask; touch /tmp/f && stat -c %a /tmp/f'
	update_config '.root.readonly = false'
	run ctr_run c1
	assert_success
	assert_output $'0027\n640'
}

@test "rlimits: lowering NOFILE soft and hard" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]'
	set_args sh -c 'ulimit -Sn; ulimit -Hn; grep "Max open files" /proc/self/limits'
	run ctr_run c1
	assert_success
	assert_line --index 0 100
	assert_line --index 1 200
	assert_line --regexp '^Max open files +100 +200 +files'
}

@test "rlimits: several types" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
		{"type": "RLIMIT_NPROC", "soft": 4000, "hard": 5000}]'
	set_args grep -E 'Max (open files|core file size|processes)' /proc/self/limits
	run ctr_run c1
	assert_success
	assert_line --regexp '^Max open files +512 +512 '
	assert_line --regexp '^Max core file size +0 +0 '
	assert_line --regexp '^Max processes +4000 +5000 '
}

@test "rlimits: raising a hard limit without CAP_SYS_RESOURCE fails with exit 1" {
	requires no_cap_sys_resource
	hard=$(ulimit -Hn)
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]' --argjson h $((hard * 2))
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}

@test "oomScoreAdj is applied" {
	cur=$(cat /proc/self/oom_score_adj)
	# Raising needs no privilege; lowering would need CAP_SYS_RESOURCE.
	want=$((cur + 100 > 1000 ? 1000 : cur + 100))
	update_config '.process.oomScoreAdj = $v' --argjson v "$want"
	set_args cat /proc/self/oom_score_adj
	run ctr_run c1
	assert_success
	assert_output "$want"
}

@test "oomScoreAdj unset leaves the runtime's value" {
	update_config 'del(.process.oomScoreAdj)'
	set_args cat /proc/self/oom_score_adj
	run ctr_run c1
	assert_success
	assert_output "$(cat /proc/self/oom_score_adj)"
}

@test "noNewPrivileges true and false" {
	update_config '.process.noNewPrivileges = true'
	set_args awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status
	run ctr_run c1
	assert_success
	assert_output 1
	update_config '.process.noNewPrivileges = false'
	run ctr_run c2
	assert_success
	assert_output 0
}

cap_status() {
	set_args sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
	run ctr_run "$1"
	assert_success
}

@test "capabilities: the default set" {
	cap_status c1
	m=$(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE)
	assert_line "CapBnd:	$m"
	assert_line "CapPrm:	$m"
	assert_line "CapEff:	$m"
	assert_line "CapInh:	0000000000000000"
	assert_line "CapAmb:	0000000000000000"
}

@test "capabilities: five distinct sets for root" {
	# For uid 0 the kernel recomputes at execve: P' = (B | I) & P (capped
	# by no_new_privs) | A, E' = P'.  With I, P within B and A within P & I
	# that is exactly P, so effective is configured equal to permitted.
	B=(CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID NET_BIND_SERVICE SYS_CHROOT AUDIT_WRITE)
	P=(CHOWN KILL NET_BIND_SERVICE SETUID AUDIT_WRITE)
	I=(KILL NET_BIND_SERVICE SYS_CHROOT)
	A=(KILL NET_BIND_SERVICE)
	update_config '.process.noNewPrivileges = true |
		.process.capabilities = {bounding: $b, permitted: $p, effective: $p, inheritable: $i, ambient: $a}' \
		--argjson b "$(caps_json "${B[@]}")" --argjson p "$(caps_json "${P[@]}")" \
		--argjson i "$(caps_json "${I[@]}")" --argjson a "$(caps_json "${A[@]}")"
	cap_status c1
	assert_line "CapBnd:	$(cap_mask "${B[@]}")"
	assert_line "CapPrm:	$(cap_mask "${P[@]}")"
	assert_line "CapEff:	$(cap_mask "${P[@]}")"
	assert_line "CapInh:	$(cap_mask "${I[@]}")"
	assert_line "CapAmb:	$(cap_mask "${A[@]}")"
}

@test "capabilities: ambient capabilities survive exec as a non-root user" {
	# Without file capabilities a non-root execve keeps only the ambient
	# set: P' = E' = A.
	B=(KILL NET_BIND_SERVICE SETUID CHOWN)
	P=(KILL NET_BIND_SERVICE CHOWN)
	E=(KILL NET_BIND_SERVICE)
	I=(NET_BIND_SERVICE CHOWN)
	A=(NET_BIND_SERVICE)
	update_config '.process.user = {"uid": 1000, "gid": 1000} |
		.process.capabilities = {bounding: $b, permitted: $p, effective: $e, inheritable: $i, ambient: $a}' \
		--argjson b "$(caps_json "${B[@]}")" --argjson p "$(caps_json "${P[@]}")" --argjson e "$(caps_json "${E[@]}")" \
		--argjson i "$(caps_json "${I[@]}")" --argjson a "$(caps_json "${A[@]}")"
	cap_status c1
	assert_line "CapBnd:	$(cap_mask "${B[@]}")"
	assert_line "CapInh:	$(cap_mask "${I[@]}")"
	assert_line "CapAmb:	$(cap_mask "${A[@]}")"
	assert_line "CapPrm:	$(cap_mask "${A[@]}")"
	assert_line "CapEff:	$(cap_mask "${A[@]}")"
}

# hull drops the bounding set while it waits for its cgroups, unless a
# createContainer hook will run: hooks run with the runtime's capabilities.
@test "capabilities: a createContainer hook keeps the runtime's bounding set, the process gets its own" {
	update_config '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"]} |
		.hooks = {createContainer: [{path: "/bin/sh", args: ["sh", "-c", $cmd]}]}' \
		--arg cmd "grep ^CapBnd /proc/self/status > $BATS_TEST_TMPDIR/hook.out"
	cap_status c1
	assert_line "CapBnd:	$(cap_mask KILL)"
	run cat "$BATS_TEST_TMPDIR/hook.out"
	assert_output "$(grep ^CapBnd /proc/self/status)"
}

@test "capabilities: empty sets leave no capability" {
	update_config '.process.capabilities = {bounding: [], permitted: [], effective: [], inheritable: [], ambient: []}'
	cap_status c1
	for s in Bnd Prm Eff Inh Amb; do
		assert_line "Cap$s:	0000000000000000"
	done
}

# config.md (v1.1 and later): "Any value which cannot be mapped to a relevant
# kernel interface, or cannot be granted otherwise MUST be logged as a
# warning by the runtime. Runtimes SHOULD NOT fail if the container
# configuration requests capabilities that cannot be granted".
@test "capabilities: an unknown name is a warning naming it, and the rest apply" {
	update_config '.process.capabilities = {bounding: ["CAP_KILL", "CAP_NO_SUCH_THING"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"]}'
	set_args sh -c 'grep ^CapBnd /proc/self/status'
	run ctr_run c1
	assert_success
	assert_line "CapBnd:	$(cap_mask CAP_KILL)"
	if runtime_is_hull; then
		assert_output --partial 'CAP_NO_SUCH_THING'
	fi
}

@test "process runs with the configured capabilities, not the runtime's" {
	update_config '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"]}'
	update_config '.root.readonly = false'
	set_args sh -c 'chown 1000 /etc/passwd 2>&1 || true; mknod /dev/x c 1 3 2>&1 || true'
	run ctr_run c1
	assert_success
	assert_line --index 0 --partial "Operation not permitted"
	assert_line --index 1 --partial "Operation not permitted"
}
