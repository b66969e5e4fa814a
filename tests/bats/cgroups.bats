#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The container's cgroup: where linux.cgroupsPath puts it in every mounted
# hierarchy (on hybrid hosts the unified one too), its removal, and the
# commands that act through it: pause/resume, ps, kill --all, update and
# events.  Values are checked in the files of the host's layout.

load helpers
load cgroups-lib

# cg_proc_paths PID: the distinct paths of /proc/PID/cgroup.
# cg_proc_lines PID: /proc/PID/cgroup, without the v2 line ("0::") when no
# cgroup2 is mounted here (cgroup v1 only in a private mount namespace: the
# kernel still lists the unmounted v2 hierarchy, where nobody places the
# container).
cg_proc_lines() {
	if [ "$(cg_layout)" = v1 ]; then
		grep -v '^0::' "/proc/$1/cgroup"
	else
		cat "/proc/$1/cgroup"
	fi
}

cg_proc_paths() {
	cg_proc_lines "$1" | cut -d: -f3- | sort -u
}

# cg_all_dirs PATH: PATH below every mounted hierarchy.
cg_all_dirs() {
	local mp
	while IFS= read -r mp; do
		echo "$mp$1"
	done < <(cgroup_mounts all)
}

@test "cgroupsPath absolute: the container is in it in every hierarchy, unified too" {
	cg_create_sleep c1
	local pid path
	pid=$(ctr_pid c1)
	path=$(cg_path_of c1)
	# one line per hierarchy (v1 ones and the v2 "0::" line), all the path
	run cg_proc_paths "$pid"
	assert_output "$path"
	local n
	n=$(cg_proc_lines "$pid" | wc -l)
	[ "$n" -eq "$(cgroup_mounts all | wc -l)" ] ||
		fail "/proc/$pid/cgroup has $n lines, $(cgroup_mounts all | wc -l) hierarchies are mounted"
	while IFS= read -r d; do
		grep -qx "$pid" "$d/cgroup.procs" || fail "$pid not in $d/cgroup.procs"
	done < <(cg_all_dirs "$path")
}

# The mounts of a hierarchy's root (mountinfo's root field "/").
cg_root_mounts() {
	awk '{
		for (i = 7; i <= NF; i++) if ($i == "-") break
		if (($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") && $4 == "/") print $5
	}' /proc/self/mountinfo | sort -u
}

@test "hierarchies: those mountinfo lists, found without reading it on Linux 6.10+" {
	# mountinfo's cost grows with every mount of the host; where the kernel
	# lists the mounts on /sys/fs/cgroup (listmount, statmount's options
	# from 6.10) hull looks at those only.  Its debug log says which way.
	requires_hull "the hierarchies hull found are in its debug log"
	set_args true
	track_id h1
	_set_ctr_cgroup h1
	rt --debug --log "$T/debug.log" run --bundle "$BUNDLE" h1 </dev/null
	local found how want=mountinfo major minor
	found=$(sed -n 's/.*cgroup hierarchy ([a-z]*): \([^ ]*\) .*/\1/p' "$T/debug.log" | sort -u)
	assert_equal "$found" "$(cg_root_mounts)"
	IFS=. read -r major minor _ < <(uname -r)
	if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "${minor%%[!0-9]*}" -ge 10 ]; }; then
		want=listmount
	fi
	how=$(sed -n 's/.*cgroup hierarchy (\([a-z]*\)).*/\1/p' "$T/debug.log" | sort -u)
	assert_equal "$how" "$want"
}

@test "the container runs on every CPU the runtime may use, or those of cpu.cpus" {
	# hull moves its child off its own CPU for a moment during setup
	# (spawn.c plan_spread); the process must end up with the full mask.
	[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to spread over"
	local want
	want=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
	ctr_sh 'awk "/^Cpus_allowed_list/ { print \$2 }" /proc/self/status'
	assert_success
	assert_output "$want"
	requires_controller cpuset
	cg_set_resources '{"cpu": {"cpus": "1"}}'
	ctr_sh 'awk "/^Cpus_allowed_list/ { print \$2 }" /proc/self/status'
	assert_success
	assert_output 1
}

# cg_view_inside: run in the container, one line per hierarchy under its
# /sys/fs/cgroup: "ok DIR" when DIR is the container's own cgroup (a v1 root
# has release_agent, a v2 root lacks cgroup.type) and holds its init.
cg_view_inside() {
	set_args sh -c '
	check() {
		if [ -e "$1/cgroup.controllers" ]; then
			[ -e "$1/cgroup.type" ] || { echo "root $1"; return; }
		else
			[ ! -e "$1/release_agent" ] || { echo "root $1"; return; }
		fi
		grep -qx 1 "$1/cgroup.procs" && echo "ok $1" || echo "no-init $1"
	}
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then check /sys/fs/cgroup
	else for d in /sys/fs/cgroup/*; do check "$d"; done; fi'
	run ctr_run c1
	assert_success
	refute_line --regexp '^(root|no-init) '
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$(cgroup_mounts all | wc -l)" ] ||
		fail "expected one container cgroup per host hierarchy, got: $output"
}

@test "/sys/fs/cgroup inside is the container's own cgroup (cgroup namespace)" {
	cg_view_inside
}

@test "/sys/fs/cgroup inside is the container's own cgroup (no cgroup namespace)" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
	cg_view_inside
}

@test "cgroupsPath absolute: delete removes the cgroup from every hierarchy" {
	cg_create_sleep c1
	rt kill c1 KILL
	wait_status c1 stopped
	rt delete c1
	while IFS= read -r d; do
		[ ! -d "$d" ] || fail "$d still exists"
	done < <(cg_all_dirs "$(cg_path_of c1)")
}

@test "cgroupsPath nested: parents the runtime made go, a parent that existed stays" {
	runc_deviates "runc removes only the container's own cgroup"
	local pre=$CG_TEST-pre mine=$CG_TEST-pre/made/deeper
	# one hierarchy gets the first level in advance
	local first
	first=$(cgroup_mounts all | head -n1)
	mkdir -p "$first$pre"
	on_teardown "rmdir '$first$pre' 2>/dev/null"
	update_config '.linux.cgroupsPath = $p' --arg p "$mine"
	set_args sleep 1000
	track_id c1
	rt create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ -d "$first$mine" ]
	rt delete --force c1
	[ -d "$first$pre" ] || fail "the pre-existing $first$pre was removed"
	while IFS= read -r d; do
		[ ! -d "$d/made" ] || fail "$d/made left behind"
		[ "$d" = "$first$pre" ] || [ ! -d "$d" ] || fail "$d (made by the runtime) left behind"
	done < <(cg_all_dirs "$pre")
	rmdir "$first$pre"
}

@test "cgroupsPath nested: a sibling below a shared parent survives the other's delete" {
	update_config '.linux.cgroupsPath = $p' --arg p "$CG_TEST-shared/a"
	set_args sleep 1000
	track_id a
	rt create --bundle "$BUNDLE" a </dev/null >/dev/null 2>&1
	update_config '.linux.cgroupsPath = $p' --arg p "$CG_TEST-shared/b"
	track_id b
	rt create --bundle "$BUNDLE" b </dev/null >/dev/null 2>&1
	rt delete --force a
	while IFS= read -r d; do
		[ -d "$d" ] || fail "$d went with its sibling"
	done < <(cg_all_dirs "$CG_TEST-shared/b")
	rt delete --force b
	# Known limit: "shared" was made by a, which could not remove it
	# while b lived; b did not make it, so it stays.  Only the leaves
	# are checked.
	while IFS= read -r d; do
		[ ! -d "$d/a" ] && [ ! -d "$d/b" ] || fail "a leaf is left in $d"
		rmdir "$d" 2>/dev/null || true
	done < <(cg_all_dirs "$CG_TEST-shared")
}

@test "cgroupsPath relative: below the runtime's own cgroup (v2: its parent)" {
	requires_hull "runc places relative paths below the root"
	local rel=hull-rel-$$-$BATS_TEST_NUMBER
	update_config '.linux.cgroupsPath = $p' --arg p "$rel"
	set_args sleep 1000
	track_id c1
	rt create --bundle "$BUNDLE" c1 </dev/null >/dev/null
	local pid num ctrls path own
	pid=$(ctr_pid c1)
	# v1 hierarchies: the runtime's (this shell's) own path there, then
	# rel.  The v2 one ("0::"): the parent of that path, since v2 enables
	# no controller below a cgroup that holds processes (as runc does).
	while IFS=: read -r num ctrls path; do
		own=$(awk -F: -v c="$ctrls" '$2 == c { print $3 }' /proc/self/cgroup)
		[ "$num" != 0 ] || own=$(dirname "$own")
		[ "$path" = "${own%/}/$rel" ] || fail "$num:$ctrls: expected ${own%/}/$rel, got $path"
	done < <(cg_proc_lines "$pid")
	rt delete --force c1
	# the relative cgroup lives outside the run's prefix: check it is gone
	local mp
	while IFS= read -r mp; do
		[ -z "$(find "$mp" -maxdepth 4 -type d -name "$rel" 2>/dev/null)" ] ||
			fail "$rel left below $mp"
	done < <(cgroup_mounts all)
}

@test "cgroupsPath absent: a cgroup named after the container, removed by delete" {
	requires_hull "runc's default is also the ID, below the root"
	local id=hull-dflt-$$-$BATS_TEST_NUMBER
	update_config 'del(.linux.cgroupsPath)'
	set_args sleep 1000
	track_id "$id"
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	run cg_proc_paths "$(ctr_pid "$id")"
	assert_output --regexp "/$id\$"
	rt delete --force "$id"
	local mp
	while IFS= read -r mp; do
		[ -z "$(find "$mp" -maxdepth 4 -type d -name "$id" 2>/dev/null)" ] ||
			fail "$id left below $mp"
	done < <(cgroup_mounts all)
}

@test "cgroupsPath: .. and the root cgroup are refused" {
	requires_hull "error text"
	set_args true
	update_config '.linux.cgroupsPath = "/a/../b"'
	track_id c1
	run rt create --bundle "$BUNDLE" c1
	assert_failure 1
	assert_output --partial 'linux.cgroupsPath'
	update_config '.linux.cgroupsPath = "/"'
	run rt create --bundle "$BUNDLE" c1
	assert_failure 1
	assert_output --partial 'root cgroup'
}

@test "an existing cgroup that holds processes is refused" {
	runc_deviates "runc 1.1 joins a non-empty cgroup"
	local d
	d=$(cgroup_mounts all | head -n1)$(cg_path_of c1)
	mkdir -p "$d"
	sleep 100 &
	local sp=$!
	track_pid $sp
	echo $sp >"$d/cgroup.procs"
	on_teardown "kill $sp; wait $sp 2>/dev/null; rmdir '$d'"
	set_args true
	run ctr_create c1
	assert_failure 1
	assert_output --partial 'already has processes'
	kill $sp
}

@test "delete --force of a running container removes its cgroups" {
	set_args sh -c 'sleep 1000 & sleep 1000'
	ctr_create c1
	ctr_start c1
	rt delete --force c1
	while IFS= read -r d; do
		[ ! -d "$d" ] || fail "$d still exists"
	done < <(cg_all_dirs "$(cg_path_of c1)")
}

@test "after the container's init died (crash), delete removes its cgroups" {
	cg_create_sleep c1
	kill -KILL "$(ctr_pid c1)"
	wait_status c1 stopped
	rt delete c1
	while IFS= read -r d; do
		[ ! -d "$d" ] || fail "$d still exists"
	done < <(cg_all_dirs "$(cg_path_of c1)")
}

@test "pause and resume: status, freezer state, processes stopped" {
	set_args sh -c 'while :; do echo x >>/tmp/ticks; sleep 0.1; done'
	update_config '.root.readonly = false'
	ctr_create c1
	ctr_start c1
	rt pause c1
	[ "$(ctr_status c1)" = paused ]
	if [ "$(cg_version freezer)" = v1 ]; then
		assert_cg freezer c1 freezer.state FROZEN - -
	else
		assert_cg freezer c1 - - cgroup.freeze 1
	fi
	local n1 n2
	n1=$(wc -l <"$BUNDLE/rootfs/tmp/ticks")
	sleep 0.5
	n2=$(wc -l <"$BUNDLE/rootfs/tmp/ticks")
	[ "$n1" = "$n2" ] || fail "a paused container kept running ($n1 -> $n2)"
	rt resume c1
	[ "$(ctr_status c1)" = running ]
	sleep 0.5
	n2=$(wc -l <"$BUNDLE/rootfs/tmp/ticks")
	[ "$n2" -gt "$n1" ] || fail "the resumed container does not run"
	run rt resume c1
	assert_failure 1
}

@test "ps: table and json list the container's processes, its children too" {
	set_args sh -c 'sleep 1000 & exec sleep 999'
	ctr_create c1
	ctr_start c1
	local pid
	pid=$(ctr_pid c1)
	sleep 0.3
	run rt ps --format json c1
	assert_success
	[ "$(jq length <<<"$output")" -eq 2 ] || fail "expected 2 pids, got $output"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	run rt ps c1
	assert_success
	assert_line --index 0 --regexp 'PID'
	assert_output --partial 'sleep 999'
	assert_output --partial 'sleep 1000'
}

@test "ps: processes in sub-cgroups the container made are listed" {
	requires_hull "runc lists only the top cgroup"
	cg_create_sleep c1
	requires_controller pids
	local sub i
	sub=$(cg_host_dir pids c1)/sub
	mkdir "$sub"
	sleep 100 &
	local sp=$!
	echo $sp >"$sub/cgroup.procs"
	run rt ps --format json c1
	kill $sp
	wait $sp 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do rmdir "$sub" 2>/dev/null && break; sleep 0.05; done
	jq -e --argjson p "$sp" 'index($p) != null' <<<"$output"
}

@test "kill --all: every process of the cgroup gets the signal" {
	set_args sh -c 'trap "" TERM; sleep 1000 & sleep 1000 & wait'
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	ctr_create c1
	ctr_start c1
	sleep 0.3
	local pids
	pids=$(rt ps --format json c1 | jq -r '.[]')
	[ "$(wc -w <<<"$pids")" -eq 3 ]
	rt kill --all c1 KILL
	local p
	for p in $pids; do
		for ((i = 0; i < 60; i++)); do pid_alive "$p" || break; sleep 0.05; done
		not pid_alive "$p"
	done
}

@test "kill --all works on a paused container" {
	set_args sh -c 'sleep 1000 & wait'
	ctr_create c1
	ctr_start c1
	rt pause c1
	rt kill --all c1 KILL
	rt resume c1 || true
	wait_status c1 stopped
}

@test "update: the flags write the layout's files" {
	requires_controller memory cpu pids
	cg_create_sleep c1
	rt update --memory 128m --memory-reservation 64m --cpu-share 512 --cpu-quota 20000 \
		--cpu-period 50000 --pids-limit 20 c1
	assert_cg memory c1 memory.limit_in_bytes 134217728 memory.max 134217728
	assert_cg memory c1 memory.soft_limit_in_bytes 67108864 memory.low 67108864
	assert_cg cpu c1 cpu.shares 512 cpu.weight 20
	assert_cg cpu c1 cpu.cfs_quota_us 20000 cpu.max "20000 50000"
	assert_cg pids c1 pids.max 20 pids.max 20
}

@test "update: --memory-swap, --cpuset-cpus, --blkio-weight" {
	requires_controller memory cpuset
	cg_create_sleep c1
	rt update --cpuset-cpus 0 c1
	assert_cg cpuset c1 cpuset.cpus 0 cpuset.cpus 0
	if cg_has_file memory c1 memory.memsw.limit_in_bytes || cg_has_file memory c1 memory.swap.max; then
		rt update --memory 64m --memory-swap 96m c1
		assert_cg memory c1 memory.memsw.limit_in_bytes 100663296 memory.swap.max 33554432
	fi
	local io=blkio
	[ "$(cg_version blkio)" = v1 ] || io=io
	if cg_has_file $io c1 blkio.bfq.weight || cg_has_file $io c1 blkio.weight ||
		cg_has_file $io c1 io.bfq.weight || cg_has_file $io c1 io.weight; then
		rt update --blkio-weight 300 c1
	fi
}

@test "update --resources FILE and - (stdin)" {
	requires_controller pids memory
	cg_create_sleep c1
	echo '{"pids": {"limit": 33}}' >"$T/res.json"
	rt update --resources "$T/res.json" c1
	assert_cg pids c1 pids.max 33 pids.max 33
	echo '{"memory": {"limit": 100663296}, "pids": {"limit": 34}}' | rt update -r - c1
	assert_cg pids c1 pids.max 34 pids.max 34
	assert_cg memory c1 memory.limit_in_bytes 100663296 memory.max 100663296
	# flags override the file
	runc_deviates "runc ignores the flags when --resources is given"
	rt update --resources "$T/res.json" --pids-limit 35 c1
	assert_cg pids c1 pids.max 35 pids.max 35
}

@test "update --cpu-shares (and runc's --cpu-share)" {
	requires_hull "runc knows only --cpu-share"
	requires_controller cpu
	cg_create_sleep c1
	rt update --cpu-shares 2048 c1
	assert_cg cpu c1 cpu.shares 2048 cpu.weight 79
}

@test "update: bad JSON names the field" {
	requires_hull "error text"
	cg_create_sleep c1
	run rt update -r - c1 <<<'{"memory": {"limit": "512M"}}'
	assert_failure 1
	assert_output --partial 'stdin: memory.limit: expected an integer'
	run rt update --memory 12q c1
	assert_failure 1
	assert_output --partial -- '--memory'
}

@test "update: a value the kernel refuses names the field and the file; the container runs on" {
	requires_hull "error text"
	requires_controller cpu
	cg_create_sleep c1
	ctr_start c1
	run rt update --cpu-quota 10 c1
	assert_failure 1
	assert_output --regexp 'linux\.resources\.cpu\.quota: write "10( [0-9]+)?" to /sys/fs/cgroup/.*(cpu\.cfs_quota_us|cpu\.max)'
	[ "$(ctr_status c1)" = running ]
}

@test "update: memory.checkBeforeUpdate refuses a limit below the usage" {
	requires_hull "the check and its text"
	requires_controller memory
	cg_create_sleep c1
	ctr_start c1
	run rt update -r - c1 <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}'
	assert_failure 1
	assert_output --partial 'below the current usage'
	[ "$(ctr_status c1)" = running ]
}

@test "update of a stopped container fails" {
	set_args true
	ctr_create c1
	ctr_start c1
	wait_status c1 stopped
	run rt update --pids-limit 10 c1
	assert_failure 1
}

@test "update leaves the device list alone" {
	requires_controller devices
	cg_create_sleep c1
	run rt update -r - c1 <<<'{"devices": [{"allow": true, "access": "rwm"}]}'
	assert_success
	if [ "$(cg_version devices)" = v1 ]; then
		run cat "$(cg_host_dir devices c1)/devices.list"
		refute_line "a *:* rwm"
	fi
}

@test "events --stats: one JSON object with memory, cpu, pids, blkio" {
	requires_controller memory pids
	cg_set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	cg_create_sleep c1
	ctr_start c1
	run rt events --stats c1
	assert_success
	jq -e '.type == "stats" and .id == "c1"' <<<"$output"
	jq -e '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.pids.current >= 1 and .data.pids.limit == 50' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and (.data.blkio | type == "object")' <<<"$output"
}

@test "events: streams at --interval, with the container's lifetime" {
	requires_hull "runc's events also prints its own OOM/intelRdt events"
	set_args sleep 2
	ctr_create c1
	ctr_start c1
	run timeout 10 "$RUNTIME" --root "$ROOT" events --interval 200ms c1
	assert_success
	[ "${#lines[@]}" -ge 3 ] || fail "only ${#lines[@]} events"
	jq -e '.type == "stats"' <<<"${lines[0]}"
}

@test "events of a stopped container fails" {
	set_args true
	ctr_create c1
	ctr_start c1
	wait_status c1 stopped
	run rt events --stats c1
	assert_failure
}
