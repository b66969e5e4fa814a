#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.resources, field by field, on whichever cgroup layout the host has:
# each test checks the file of the controller's version (v1 or v2), from
# inside the container (its /sys/fs/cgroup, in a cgroup namespace) and from
# the host.  Fields a layout cannot honour must fail with an error naming
# the field, and leave no cgroup behind (the teardown's leak check).

load helpers
load cgroups-lib

# cg_check CTRL V1FILE V1VAL V2FILE V2VAL: container c1 (resources already
# in the config) prints the file from inside and stays up; both views must
# hold the value of the controller's version.
cg_check() {
	local ctrl=$1 file=$2 want=$3
	if [ "$(cg_version "$ctrl")" = v2 ]; then
		file=$4 want=$5
	fi
	if [ "$file" = - ]; then
		# nothing to read on this version: the config is accepted
		set_args true
		run ctr_run c1
		assert_success
		return
	fi
	set_args sh -c "head -n1 $(cg_ctr_dir "$ctrl")/$file; exec sleep 1000"
	ctr_create c1
	ctr_start c1
	wait_file_content "$T/c1.out"
	run cat "$T/c1.out"
	assert_output "$want"
	assert_cg "$ctrl" c1 "$2" "$3" "$4" "$5"
}

wait_file_content() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "nothing in $1" >&2
	return 1
}

# cg_refused JSON REGEX...: create fails, exit 1, the error matches every
# REGEX, and no cgroup of the container is left.
cg_refused() {
	local json=$1
	shift
	cg_set_resources "$json"
	set_args true
	run ctr_create c1
	assert_failure 1
	local re
	for re in "$@"; do
		assert_output --regexp "$re"
	done
	local mp
	while IFS= read -r mp; do
		[ ! -d "$mp$(cg_path_of c1)" ] || fail "cgroup $mp$(cg_path_of c1) left behind"
	done < <(cgroup_mounts all)
}

MAX_V1=9223372036854771712

# cg_probe CTRL FILE...: does a container cgroup (made with no resources)
# have one of FILEs?  Some exist only with kernel options or features.
cg_probe() {
	local ctrl=$1 f r=1
	shift
	cg_create_sleep probe
	for f in "$@"; do
		cg_has_file "$ctrl" probe "$f" && r=0
	done
	rt delete --force probe
	return $r
}

@test "memory.limit: memory.limit_in_bytes (v1) / memory.max (v2)" {
	requires_controller memory
	cg_set_resources '{"memory": {"limit": 67108864}}'
	cg_check memory memory.limit_in_bytes 67108864 memory.max 67108864
}

@test "memory.limit -1 is unlimited" {
	requires_controller memory
	cg_set_resources '{"memory": {"limit": -1}}'
	cg_check memory memory.limit_in_bytes $MAX_V1 memory.max max
}

@test "memory.reservation: soft_limit_in_bytes (v1) / memory.low (v2)" {
	requires_controller memory
	cg_set_resources '{"memory": {"reservation": 33554432}}'
	cg_check memory memory.soft_limit_in_bytes 33554432 memory.low 33554432
}

@test "memory.swap is memory+swap: memsw (v1) / swap.max = swap - limit (v2)" {
	requires_controller memory
	cg_probe memory memory.memsw.limit_in_bytes memory.swap.max ||
		skip "no swap accounting on this host (no memory.memsw.* / memory.swap.max)"
	cg_set_resources '{"memory": {"limit": 67108864, "swap": 134217728}}'
	cg_check memory memory.memsw.limit_in_bytes 134217728 memory.swap.max 67108864
}

@test "memory.swap -1 is unlimited swap" {
	requires_controller memory
	cg_probe memory memory.memsw.limit_in_bytes memory.swap.max ||
		skip "no swap accounting on this host"
	cg_set_resources '{"memory": {"limit": 67108864, "swap": -1}}'
	cg_check memory memory.memsw.limit_in_bytes $MAX_V1 memory.swap.max max
}

@test "memory.swap below memory.limit is refused" {
	requires_hull "hull checks before writing"
	requires_controller memory
	cg_refused '{"memory": {"limit": 67108864, "swap": 33554432}}' \
		'linux\.resources\.memory\.swap' 'below limit'
}

@test "memory.kernelTCP: kmem.tcp.limit_in_bytes (v1); ignored with a warning on v2" {
	requires_controller memory
	cg_set_resources '{"memory": {"kernelTCP": 16777216}}'
	if [ "$(cg_version memory)" = v2 ]; then
		requires_hull "the warning text"
		set_args true
		run ctr_create c1
		assert_success
		assert_output --partial "kernelTCP: ignored"
		return
	fi
	runc_deviates "runc 1.1 ignores kernel memory settings"
	cg_check memory memory.kmem.tcp.limit_in_bytes 16777216 - -
}

@test "memory.swappiness: memory.swappiness (v1); refused on v2" {
	requires_controller memory
	if [ "$(cg_version memory)" = v2 ]; then
		requires_hull "runc ignores it on v2"
		cg_refused '{"memory": {"swappiness": 10}}' 'linux\.resources\.memory\.swappiness' 'cgroup v2'
		return
	fi
	cg_set_resources '{"memory": {"swappiness": 10}}'
	cg_check memory memory.swappiness 10 - -
}

@test "memory.swappiness above 100 is refused" {
	requires_hull "hull checks the range"
	requires_controller memory
	# v2 refuses swappiness altogether
	cg_refused '{"memory": {"swappiness": 101}}' 'memory\.swappiness: (expected 0 to 100|cgroup v2)'
}

@test "memory.disableOOMKiller: oom_control (v1); refused on v2" {
	requires_controller memory
	if [ "$(cg_version memory)" = v2 ]; then
		requires_hull "runc ignores it on v2"
		cg_refused '{"memory": {"disableOOMKiller": true}}' 'disableOOMKiller' 'cgroup v2'
		return
	fi
	cg_set_resources '{"memory": {"disableOOMKiller": true}}'
	set_args sleep 1000
	ctr_create c1
	run grep oom_kill_disable "$(cg_host_dir memory c1)/memory.oom_control"
	assert_output "oom_kill_disable 1"
}

@test "memory.useHierarchy true is accepted" {
	requires_controller memory
	cg_set_resources '{"memory": {"useHierarchy": true}}'
	cg_check memory memory.use_hierarchy 1 - -
}

@test "cpu.shares: cpu.shares (v1) / cpu.weight converted (v2)" {
	requires_controller cpu
	cg_set_resources '{"cpu": {"shares": 512}}'
	# v2: 1 + (512 - 2) * 9999 / 262142 = 20
	cg_check cpu cpu.shares 512 cpu.weight 20
}

@test "cpu.shares 1024 is cpu.weight 39 on v2 (runc's and hull's mapping)" {
	requires_controller cpu
	cg_set_resources '{"cpu": {"shares": 1024}}'
	cg_check cpu cpu.shares 1024 cpu.weight 39
}

@test "cpu.quota and cpu.period: cfs_quota_us + cfs_period_us (v1) / cpu.max (v2)" {
	requires_controller cpu
	cg_set_resources '{"cpu": {"quota": 50000, "period": 200000}}'
	cg_check cpu cpu.cfs_quota_us 50000 cpu.max "50000 200000"
	assert_cg cpu c1 cpu.cfs_period_us 200000 - -
}

@test "cpu.quota alone keeps the default period" {
	requires_controller cpu
	cg_set_resources '{"cpu": {"quota": 30000}}'
	cg_check cpu cpu.cfs_quota_us 30000 cpu.max "30000 100000"
}

@test "cpu.quota -1 is unlimited" {
	requires_controller cpu
	cg_set_resources '{"cpu": {"quota": -1, "period": 100000}}'
	cg_check cpu cpu.cfs_quota_us -1 cpu.max "max 100000"
}

@test "cpu.burst: cfs_burst_us (v1) / cpu.max.burst (v2)" {
	requires_controller cpu
	cg_probe cpu cpu.cfs_burst_us cpu.max.burst || skip "kernel without CPU burst (5.14)"
	runc_deviates "runc 1.1 has no cpu.burst"
	cg_set_resources '{"cpu": {"quota": 50000, "period": 100000, "burst": 10000}}'
	cg_check cpu cpu.cfs_burst_us 10000 cpu.max.burst 10000
}

@test "cpu.burst above a positive quota is refused" {
	requires_hull "hull checks the spec's rule"
	requires_controller cpu
	cg_refused '{"cpu": {"quota": 10000, "burst": 20000}}' 'linux\.resources\.cpu\.burst' 'larger than quota'
}

@test "cpu.realtimeRuntime/Period: cpu.rt_* (v1); refused on v2" {
	requires_controller cpu
	if [ "$(cg_version cpu)" = v2 ]; then
		requires_hull "runc ignores them on v2"
		cg_refused '{"cpu": {"realtimeRuntime": 5000, "realtimePeriod": 100000}}' \
			'linux\.resources\.cpu\.realtimeRuntime' 'no realtime group scheduling'
		return
	fi
	cg_probe cpu cpu.rt_runtime_us || skip "kernel without CONFIG_RT_GROUP_SCHED"
	runc_deviates "runc does not give the new parent cgroups realtime runtime, so the kernel refuses the child's"
	cg_set_resources '{"cpu": {"realtimeRuntime": 5000, "realtimePeriod": 100000}}'
	cg_check cpu cpu.rt_runtime_us 5000 - -
	assert_cg cpu c1 cpu.rt_period_us 100000 - -
}

@test "cpu.realtimeRuntime above what the kernel grants: error names field and file" {
	requires_hull "error text"
	requires_controller cpu
	[ "$(cg_version cpu)" = v1 ] || skip "v1 only (v2 refuses realtime altogether)"
	cg_refused '{"cpu": {"realtimeRuntime": 2000000}}' \
		'linux\.resources\.cpu\.realtimeRuntime: write "2000000" to /sys/fs/cgroup/.*cpu\.rt_runtime_us'
}

@test "cpu.idle: cpu.idle on both versions" {
	requires_controller cpu
	cg_probe cpu cpu.idle || skip "kernel without cpu.idle (5.15)"
	runc_deviates "runc 1.1 has no cpu.idle"
	cg_set_resources '{"cpu": {"idle": 1}}'
	cg_check cpu cpu.idle 1 cpu.idle 1
}

@test "cpu.cpus and cpu.mems: cpuset.cpus and cpuset.mems" {
	requires_controller cpuset
	cg_set_resources '{"cpu": {"cpus": "0", "mems": "0"}}'
	cg_check cpuset cpuset.cpus 0 cpuset.cpus 0
	assert_cg cpuset c1 cpuset.mems 0 cpuset.mems 0
}

@test "cpu.cpus naming a CPU the host lacks: error names field and file, no cgroup left" {
	requires_hull "error text"
	requires_controller cpuset
	cg_refused '{"cpu": {"cpus": "999"}}' 'linux\.resources\.cpu\.cpus: write "999" to .*cpuset\.cpus'
}

@test "pids.limit: pids.max" {
	requires_controller pids
	cg_set_resources '{"pids": {"limit": 42}}'
	cg_check pids pids.max 42 pids.max 42
}

@test "pids.limit -1 is max" {
	requires_controller pids
	cg_set_resources '{"pids": {"limit": -1}}'
	cg_check pids pids.max max pids.max max
}

@test "pids.limit is enforced" {
	requires_controller pids
	cg_set_resources '{"pids": {"limit": 3}}'
	# sh and two sleeps make 3: the third fork fails (busybox sh exits)
	ctr_sh 'sleep 3 & sleep 3 & sleep 3 & echo survived'
	assert_failure
	assert_output --partial "can't fork"
	refute_output --partial survived
	cg_set_resources '{"pids": {"limit": 10}}'
	ctr_sh 'sleep 1 & sleep 1 & sleep 1 & echo survived'
	assert_success
	assert_output survived
}

@test "blockIO.weight: blkio.weight or blkio.bfq.weight (v1) / io.weight or io.bfq.weight (v2)" {
	local io=blkio f want=200
	[ "$(cg_version blkio)" = v1 ] || io=io
	requires_controller $io
	cg_create_sleep probe
	for f in blkio.weight blkio.bfq.weight io.weight io.bfq.weight ""; do
		[ -n "$f" ] && cg_has_file $io probe $f && break
	done
	rt delete --force probe
	[ -n "$f" ] || skip "no proportional I/O weight in this kernel (no CFQ, BFQ or iocost)"
	# iocost's scale: 1 + (200 - 10) * 9999 / 990 = 1920; BFQ keeps v1's
	[ "$f" != io.weight ] || want=1920
	cg_set_resources '{"blockIO": {"weight": 200}}'
	set_args sleep 1000
	ctr_create c1
	run cat "$(cg_host_dir $io c1)/$f"
	assert_output --regexp "^(default )?$want\$"
}

@test "blockIO throttles: blkio.throttle.* (v1) / io.max (v2)" {
	local disk io=blkio
	[ "$(cg_version blkio)" = v1 ] || io=io
	requires_controller $io
	disk=$(cg_a_disk) || skip "no block device to name"
	local maj=${disk%:*} min=${disk#*:}
	cg_set_resources "$(jq -cn --argjson a "$maj" --argjson b "$min" '{blockIO: {
		throttleReadBpsDevice: [{major: $a, minor: $b, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $a, minor: $b, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $a, minor: $b, rate: 100}],
		throttleWriteIOPSDevice: [{major: $a, minor: $b, rate: 200}]}}')"
	set_args sleep 1000
	ctr_create c1
	local d
	d=$(cg_host_dir $io c1)
	if [ $io = blkio ]; then
		run cat "$d/blkio.throttle.read_bps_device" "$d/blkio.throttle.write_bps_device" \
			"$d/blkio.throttle.read_iops_device" "$d/blkio.throttle.write_iops_device"
		assert_output "$(printf '%s 1048576\n%s 2097152\n%s 100\n%s 200' "$disk" "$disk" "$disk" "$disk")"
	else
		run grep "^$disk " "$d/io.max"
		assert_output "$disk rbps=1048576 wbps=2097152 riops=100 wiops=200"
	fi
}

@test "blockIO.leafWeight: an error naming the field where the kernel lacks it" {
	requires_hull "error text"
	local io=blkio
	[ "$(cg_version blkio)" = v1 ] || io=io
	requires_controller $io
	not cg_probe $io blkio.leaf_weight || skip "this kernel has blkio.leaf_weight (CFQ)"
	cg_refused '{"blockIO": {"leafWeight": 100}}' 'linux\.resources\.blockIO\.leafWeight'
}

@test "hugepageLimits: hugetlb.SIZE.limit_in_bytes (v1) / hugetlb.SIZE.max (v2), also rsvd" {
	requires_controller hugetlb
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	runc_deviates "runc 1.1 on a hybrid host does not use the hugetlb controller of the unified tree"
	cg_set_resources '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	cg_check hugetlb hugetlb.2MB.limit_in_bytes 4194304 hugetlb.2MB.max 4194304
	if cg_has_file hugetlb c1 hugetlb.2MB.rsvd.max; then
		assert_cg hugetlb c1 - - hugetlb.2MB.rsvd.max 4194304
	elif cg_has_file hugetlb c1 hugetlb.2MB.rsvd.limit_in_bytes; then
		assert_cg hugetlb c1 hugetlb.2MB.rsvd.limit_in_bytes 4194304 - -
	fi
}

@test "hugepageLimits: a page size the host lacks names the field and the sizes" {
	requires_hull "error text"
	requires_controller hugetlb
	cg_refused '{"hugepageLimits": [{"pageSize": "3MB", "limit": 4194304}]}' \
		'linux\.resources\.hugepageLimits\[0\]\.pageSize: no 3MB huge pages' 'sizes here:'
}

@test "network.classID: net_cls.classid, or an error naming the missing controller" {
	if [ -z "$(cg_version net_cls)" ]; then
		requires_hull "runc ignores a missing net_cls"
		cg_refused '{"network": {"classID": 1048577}}' 'linux\.resources\.network\.classID' 'net_cls'
		return
	fi
	cg_set_resources '{"network": {"classID": 1048577}}'
	cg_check net_cls net_cls.classid 1048577 - -
}

@test "network.priorities: net_prio.ifpriomap, or an error naming the missing controller" {
	if [ -z "$(cg_version net_prio)" ]; then
		requires_hull "runc ignores a missing net_prio"
		cg_refused '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}' \
			'linux\.resources\.network\.priorities' 'net_prio'
		return
	fi
	cg_set_resources '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}'
	set_args sleep 1000
	ctr_create c1
	run grep '^lo ' "$(cg_host_dir net_prio c1)/net_prio.ifpriomap"
	assert_output "lo 5"
}

@test "rdma: rdma.max, or an error naming the missing controller" {
	if [ -z "$(cg_version rdma)" ]; then
		requires_hull "runc ignores a missing rdma controller"
		cg_refused '{"rdma": {"mlx5_1": {"hcaHandles": 3}}}' 'linux\.resources\.rdma' 'rdma'
		return
	fi
	[ -n "$(ls /sys/class/infiniband 2>/dev/null)" ] || skip "no RDMA device"
	local dev
	dev=$(ls /sys/class/infiniband | head -n1)
	cg_set_resources "$(jq -cn --arg d "$dev" '{rdma: {($d): {hcaHandles: 3, hcaObjects: 100}}}')"
	set_args sleep 1000
	ctr_create c1
	run grep "^$dev " "$(cg_host_dir rdma c1)/rdma.max"
	assert_output "$dev hca_handle=3 hca_object=100"
}

@test "unified: a v2 file written as given (pids.max on v2, hugetlb on hybrid); refused on v1" {
	case $(cg_layout) in
	v1)
		requires_hull "error text"
		cg_refused '{"unified": {"pids.max": "17"}}' 'linux\.resources\.unified' 'no cgroup v2'
		;;
	v2)
		requires_controller pids
		cg_set_resources '{"unified": {"pids.max": "17"}}'
		cg_check pids - - pids.max 17
		;;
	hybrid)
		requires_hull "runc 1.1 refuses unified on hybrid hosts"
		[ "$(cg_version hugetlb)" = v2 ] || skip "the unified tree of this hybrid host holds no hugetlb"
		cg_set_resources '{"unified": {"hugetlb.2MB.max": "2097152"}}'
		set_args sleep 1000
		ctr_create c1
		run cat "/sys/fs/cgroup/unified$(cg_path_of c1)/hugetlb.2MB.max"
		assert_output 2097152
		;;
	esac
}

@test "unified is written after the converted fields: it wins" {
	[ "$(cg_layout)" = v2 ] || skip "needs pids in the v2 tree (pure v2)"
	requires_controller pids
	cg_set_resources '{"pids": {"limit": 10}, "unified": {"pids.max": "20"}}'
	cg_check pids - - pids.max 20
}

@test "unified: a controller the v2 tree lacks is an error naming it" {
	requires_hull "error text"
	[ "$(cg_layout)" != v1 ] || skip "v1 host: covered by the v1 case"
	local ctrl=memory
	[ "$(cg_version memory)" = v1 ] || ctrl=rdma
	[ "$ctrl" != rdma ] || [ -z "$(cg_version rdma)" ] || skip "this v2 tree has every controller"
	cg_refused "{\"unified\": {\"$ctrl.max\": \"1\"}}" "linux\\.resources\\.unified\\[\"$ctrl\\.max\"\\]" "$ctrl controller"
}

@test "unified: a file that does not exist is an error naming it" {
	requires_hull "error text"
	[ "$(cg_layout)" != v1 ] || skip "v1 host: covered by the v1 case"
	cg_refused '{"unified": {"cgroup.nosuchfile": "1"}}' 'unified\["cgroup\.nosuchfile"\]' 'does not exist'
}

@test "unified: a key that is no file name is refused" {
	requires_hull "error text"
	[ "$(cg_layout)" != v1 ] || skip "v1 host: covered by the v1 case"
	cg_refused '{"unified": {"../cgroup.procs": "1"}}' 'not a cgroup file name'
}

@test "a 512 KiB memory limit still runs echo" {
	requires_controller memory
	runc_deviates "runc's own setup needs more than 512 KiB in the container's cgroup"
	cg_set_resources '{"memory": {"limit": 524288}}'
	ctr_sh 'echo hello from 512k'
	assert_success
	assert_output "hello from 512k"
}

@test "a value the kernel refuses: error names field, value and file; no cgroup left" {
	requires_hull "error text"
	requires_controller cpu
	# the kernel wants a CFS quota of at least 1 ms
	cg_refused '{"cpu": {"quota": 500}}' \
		'config\.json: linux\.resources\.cpu\.quota: write "500( 100000)?" to /sys/fs/cgroup/.*(cpu\.cfs_quota_us|cpu\.max)'
}
