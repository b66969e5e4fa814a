# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for hull's bats suites.  Load with
#     load helpers
# from a .bats file in tests/bats (or `load ../bats/helpers` from elsewhere).
#
# The API is described in tests/bats/README.md.  In short:
#   RUNTIME            runtime under test (default: $REPO/hull)
#   ROOT BUNDLE        per-test state dir (--root) and bundle
#   CG_TEST            absolute cgroupsPath prefix of this test
#   rt ARGS...         "$RUNTIME" --root "$ROOT" ARGS...
#   update_config F    apply jq filter F to $BUNDLE/config.json
#   ctr_create ID      create container ID from $BUNDLE (stdio to files)
#   ctr_run ID         run container ID in the foreground
#   ctr_sh SCRIPT      run `sh -c SCRIPT` in a fresh container (bats `run`)
#   assert_host_clean  leak check (state, processes, mounts, cgroups)

HULL_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$HULL_HELPERS_DIR/../.." && pwd)}
RUNTIME=${RUNTIME:-$REPO/hull}
BUSYBOX_BUNDLE=${BUSYBOX_BUNDLE:-$REPO/contrib/busybox-bundle.sh}

# bats-support and bats-assert from Debian's packages (or BATS_LIB_DIR).
BATS_LIB_DIR=${BATS_LIB_DIR:-/usr/lib/bats}
load "$BATS_LIB_DIR/bats-support/load.bash"
load "$BATS_LIB_DIR/bats-assert/load.bash"

# One cgroup prefix for the whole run: run.sh exports it; a bare `bats`
# invocation derives one from its run directory.
if [ -z "${HULL_CG_PREFIX:-}" ]; then
	HULL_CG_PREFIX=/hull-test-${BATS_RUN_TMPDIR##*-}
fi
HULL_TEST_CACHE=${HULL_TEST_CACHE:-$BATS_RUN_TMPDIR/hull-cache}

# ---------------------------------------------------------------------------
# Runtime identification

_rt_version() {
	if [ -z "${_HULL_RT_VERSION+x}" ]; then
		_HULL_RT_VERSION=$("$RUNTIME" --version 2>/dev/null | head -n1 || true)
	fi
	printf '%s\n' "$_HULL_RT_VERSION"
}

runtime_is_hull() {
	case ${RUNTIME##*/} in hull*) return 0 ;; esac
	case $(_rt_version) in hull*) return 0 ;; esac
	return 1
}

runtime_is_runc() {
	case $(_rt_version) in "runc version"*) return 0 ;; esac
	return 1
}

runtime_is_crun() {
	case $(_rt_version) in "crun version"*) return 0 ;; esac
	return 1
}

# requires_hull [REASON]: skip unless the runtime under test is hull.
requires_hull() {
	runtime_is_hull || skip "hull-only: ${1:-hull extension}"
}

# runc_deviates REASON: the test checks the spec, runc (on this host) does
# not follow it.  Skips for runc only; HULL_TEST_STRICT=1 runs it anyway.
runc_deviates() {
	if runtime_is_runc && [ -z "${HULL_TEST_STRICT:-}" ]; then
		skip "runc deviates: $1"
	fi
}

# requires FEATURE...: skip when the host lacks a feature.
#   root userns timens cgroupns netns-tool unshare cgroup2 cgroup1
#   cap_<name> (host has it) no_cap_<name> (host lacks it)
requires() {
	local f
	for f in "$@"; do
		case $f in
		root) [ "$(id -u)" -eq 0 ] || skip "requires root" ;;
		userns | timens | cgroupns)
			local ns=${f%ns}
			[ -e "/proc/self/ns/$ns" ] || skip "kernel lacks $ns namespaces"
			if [ "$f" = userns ]; then
				unshare -U true 2>/dev/null || skip "cannot create user namespaces"
			fi
			;;
		netns-tool) command -v ip >/dev/null || skip "requires ip(8) (iproute2)" ;;
		unshare) command -v unshare >/dev/null || skip "requires unshare(1)" ;;
		cgroup2) [ -n "$(cgroup_mounts v2)" ] || skip "no cgroup2 mount" ;;
		cgroup1) [ -n "$(cgroup_mounts v1)" ] || skip "no cgroup v1 mount" ;;
		cap_* | no_cap_*)
			local name=${f#no_} n
			name=${name#cap_}
			n=$(cap_number "$name") || skip "unknown capability $name"
			local eff
			eff=$((16#$(awk '/^CapEff:/ {print $2}' /proc/self/status)))
			if [[ $f == no_* ]]; then
				((!(eff >> n & 1))) || skip "host has CAP_${name^^}"
			else
				((eff >> n & 1)) || skip "host lacks CAP_${name^^}"
			fi
			;;
		*) skip "unknown requirement $f" ;;
		esac
	done
}

# ---------------------------------------------------------------------------
# Capabilities

_HULL_CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID
	SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN
	NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
	SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
	SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
	PERFMON BPF CHECKPOINT_RESTORE)

# cap_number NAME: bit number of CAP_NAME (NAME with or without CAP_).
cap_number() {
	local want=${1^^} i
	want=${want#CAP_}
	for i in "${!_HULL_CAPS[@]}"; do
		if [ "${_HULL_CAPS[$i]}" = "$want" ]; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# cap_mask NAME...: the 16-hex-digit mask /proc/PID/status prints.
cap_mask() {
	local m=0 c n
	for c in "$@"; do
		n=$(cap_number "$c") || return 1
		m=$((m | (1 << n)))
	done
	printf '%016x\n' "$m"
}

# caps_json NAME...: JSON array ["CAP_A", ...]
caps_json() {
	local c out=() 
	for c in "$@"; do out+=("CAP_${c#CAP_}"); done
	jq -cn '$ARGS.positional' --args -- "${out[@]}"
}

# ---------------------------------------------------------------------------
# Fixture bundle, built once per run

_build_fixture() {
	local fx=$HULL_TEST_CACHE/bundle
	if [ -f "$fx/.complete" ]; then
		return 0
	fi
	mkdir -p "$HULL_TEST_CACHE"
	(
		flock 9
		if [ ! -f "$fx/.complete" ]; then
			rm -rf "$fx"
			"$BUSYBOX_BUNDLE" "$fx" -- sh -c 'echo hello' >&2 || exit 1
			touch "$fx/.complete"
		fi
	) 9>"$HULL_TEST_CACHE/.lock"
}

# new_bundle DIR: a fresh copy of the fixture bundle at DIR, with the
# test's cgroupsPath.
new_bundle() {
	local dir=$1
	_build_fixture || return 1
	mkdir -p "$dir"
	cp -a "$HULL_TEST_CACHE/bundle/rootfs" "$dir/rootfs"
	jq --arg cg "$CG_TEST" '.linux.cgroupsPath = $cg' \
		"$HULL_TEST_CACHE/bundle/config.json" >"$dir/config.json"
}

# ---------------------------------------------------------------------------
# Per-test setup and teardown

hull_setup() {
	[ "$(id -u)" -eq 0 ] || skip "the suite runs containers as root"
	T=$BATS_TEST_TMPDIR
	ROOT=$T/state
	BUNDLE=$T/bundle
	mkdir -p "$ROOT"
	local file=${BATS_TEST_FILENAME##*/}
	file=${file%.bats}
	file=${file//[^A-Za-z0-9_-]/_}
	CG_TEST=$HULL_CG_PREFIX/$file-$BATS_TEST_NUMBER
	: >"$T/.ids"
	: >"$T/.pids"
	: >"$T/.cleanup"
	new_bundle "$BUNDLE"
}

hull_teardown() {
	local cmd
	# Test-registered cleanups, last registered first.
	if [ -s "$T/.cleanup" ]; then
		while IFS= read -r cmd; do
			eval "$cmd" || true
		done < <(tac "$T/.cleanup")
	fi
	force_delete_all
	assert_host_clean
}

# Default hooks; a file that needs more defines its own and calls these.
setup() { hull_setup; }
teardown() { hull_teardown; }

# on_teardown 'COMMAND': run COMMAND at teardown, before the leak check.
on_teardown() {
	printf '%s\n' "$1" >>"$T/.cleanup"
}

# ---------------------------------------------------------------------------
# Running the runtime

# Every runtime process carries HULL_TEST_MARK=$T in its environment, so
# the leak check can find runtime processes the test left behind.
rt() {
	HULL_TEST_MARK=$T "$RUNTIME" --root "$ROOT" "$@"
}

# update_config FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place.
update_config() {
	local filter=$1
	shift
	local cfg=${CONFIG:-$BUNDLE/config.json}
	jq "$filter" "$@" <"$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}

# track_id ID: remember ID for the teardown's force delete.
track_id() {
	grep -qxF -- "$1" "$T/.ids" 2>/dev/null || printf '%s\n' "$1" >>"$T/.ids"
}

# track_pid PID: remember a host pid (with its start time) the test owns.
track_pid() {
	local pid=$1 st
	[ -n "$pid" ] && [ "$pid" -gt 0 ] 2>/dev/null || return 0
	st=$(_pid_starttime "$pid") || return 0
	printf '%s %s\n' "$pid" "$st" >>"$T/.pids"
}

_pid_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# Field 22; skip "pid (comm)" which may contain spaces.
	stat=${stat##*) }
	set -- $stat
	echo "${20}"
}

# _set_ctr_cgroup ID: give container ID its own cgroup $CG_TEST-ID (a
# sibling, so that the run's prefix is the only intermediate cgroup), but
# only when the config still points at the test's own cgroups and ID is
# a plain name.
_set_ctr_cgroup() {
	local cfg=$BUNDLE/config.json cur id=$1
	[[ $id =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$ ]] || return 0
	cur=$(jq -r '.linux.cgroupsPath // empty' "$cfg" 2>/dev/null) || return 0
	case $cur in
	"$CG_TEST" | "$CG_TEST"-*)
		update_config '.linux.cgroupsPath = $cg' --arg cg "$CG_TEST-$id"
		;;
	esac
}

# state_field ID JQ-PATH: one field of `rt state ID`.
state_field() {
	rt state "$1" 2>/dev/null | jq -r "$2"
}

ctr_pid() { state_field "$1" .pid; }
ctr_status() { state_field "$1" .status; }

_record_ctr_pid() {
	local pid
	pid=$(ctr_pid "$1") || return 0
	track_pid "$pid"
}

# ctr_create ID [CREATE-ARGS...]: `create --bundle $BUNDLE ARGS ID` with
# stdin from /dev/null and the container's stdout/stderr in $T/ID.out and
# $T/ID.err (so nothing holds a bats pipe open).  Prints the runtime's
# stderr; returns its exit status.
ctr_create() {
	local id=$1
	shift
	track_id "$id"
	_set_ctr_cgroup "$id"
	local rc=0
	rt create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err" || rc=$?
	cat "$T/$id.err"
	[ $rc -eq 0 ] && _record_ctr_pid "$id"
	return $rc
}

# ctr_start ID
ctr_start() {
	rt start "$1"
}

# ctr_run ID [RUN-ARGS...]: foreground `run`; stdout and stderr pass through.
ctr_run() {
	local id=$1
	shift
	track_id "$id"
	_set_ctr_cgroup "$id"
	rt run --bundle "$BUNDLE" "$@" "$id" </dev/null
}

# ctr_run_detached ID [RUN-ARGS...]: `run --detach` like ctr_create.
ctr_run_detached() {
	local id=$1
	shift
	track_id "$id"
	_set_ctr_cgroup "$id"
	local rc=0
	rt run --detach --bundle "$BUNDLE" "$@" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err" || rc=$?
	cat "$T/$id.err"
	[ $rc -eq 0 ] && _record_ctr_pid "$id"
	return $rc
}

# not CMD...: succeed when CMD fails.  (A bare `! CMD` never fails a bats
# test: errexit ignores negated commands.)
not() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
	return 0
}

# set_args ARG...: process.args = ARGS
set_args() {
	update_config '.process.args = $ARGS.positional' --args -- "$@"
}

# ctr_sh SCRIPT [RUN-ARGS...]: bats-`run` the script in a new container
# (process.args = sh -c SCRIPT).  Sets $status, $output, $lines.
_HULL_SH_COUNT=0
ctr_sh() {
	local script=$1
	shift
	_HULL_SH_COUNT=$((_HULL_SH_COUNT + 1))
	set_args sh -c "$script"
	run ctr_run "sh$_HULL_SH_COUNT-$BATS_TEST_NUMBER" "$@"
}

# wait_status ID STATUS [SECONDS]: poll `state` until it reports STATUS.
wait_status() {
	local id=$1 want=$2 secs=${3:-10} i s
	for ((i = 0; i < secs * 20; i++)); do
		s=$(ctr_status "$id")
		[ "$s" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status '${s:-?}', wanted '$want'" >&2
	return 1
}

# wait_file PATH [SECONDS]
wait_file() {
	local f=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		[ -e "$f" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $f" >&2
	return 1
}

# pid_alive PID [STARTTIME]: a live (non-zombie) process, same incarnation.
pid_alive() {
	local pid=$1 want=${2:-} st state
	[ -r "/proc/$pid/stat" ] || return 1
	state=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	state=${state##*) }
	state=${state%% *}
	[ "$state" != Z ] && [ "$state" != X ] || return 1
	if [ -n "$want" ]; then
		st=$(_pid_starttime "$pid") || return 1
		[ "$st" = "$want" ] || return 1
	fi
	return 0
}

# host_ns_inode TYPE / ns_inode_of PID TYPE
host_ns_inode() { stat -L -c %i "/proc/$$/ns/$1"; }
ns_inode_of() { stat -L -c %i "/proc/$1/ns/$2"; }

# Make sure a bind-mount source directory exists, return its path.
host_dir() {
	local d=$T/$1
	mkdir -p "$d"
	echo "$d"
}

# add_mount JSON: append one mount object to .mounts
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# bind_mount SRC DEST [OPTION...]: append a bind mount.
bind_mount() {
	local src=$1 dst=$2
	shift 2
	local opts
	opts=$(jq -cn '["bind"] + $ARGS.positional' --args -- "$@")
	add_mount "$(jq -cn --arg s "$src" --arg d "$dst" --argjson o "$opts" \
		'{source: $s, destination: $d, type: "bind", options: $o}')"
}

# mountinfo_line MOUNTPOINT < mountinfo: the last line for that mount point.
mountinfo_line() {
	awk -v mp="$1" '$5 == mp { line = $0 } END { if (line != "") print line; else exit 1 }'
}

# ---------------------------------------------------------------------------
# Cleanup and the leak check

# force_delete_all: delete --force every container the test used.
force_delete_all() {
	local id
	[ -s "$T/.ids" ] || return 0
	while IFS= read -r id; do
		[ -n "$id" ] || continue
		HULL_TEST_MARK=$T timeout 20 "$RUNTIME" --root "$ROOT" delete --force "$id" \
			>/dev/null 2>&1 </dev/null || true
	done <"$T/.ids"
}

# cgroup_mounts [v1|v2|all]: mount points of cgroup hierarchies.
cgroup_mounts() {
	local which=${1:-all}
	awk -v w="$which" '{
		for (i = 7; i <= NF; i++) if ($i == "-") break
		fs = $(i + 1)
		if ((fs == "cgroup" && w != "v2") || (fs == "cgroup2" && w != "v1"))
			print $5
	}' /proc/self/mountinfo | sort -u
}

# assert_host_clean [--root DIR] [--tmp DIR] [--pids FILE] [--cg PREFIX]
#                   [--mark VALUE]
# Checks that nothing the test made outlived it:
#   - no state below the runtime root (DIR, default $ROOT)
#   - no process recorded in FILE (default $T/.pids: "pid starttime" lines)
#     is still alive, and no process has HULL_TEST_MARK=VALUE (default $T;
#     `rt` sets it) in its environment
#   - no mount in /proc/self/mountinfo mentions DIR (default $T)
#   - no cgroup below PREFIX (default $HULL_CG_PREFIX) in any hierarchy
# Then cleans what it found (kills recorded processes, lazily unmounts
# mounts below DIR, removes cgroups below PREFIX deepest first, empties the
# state dir) and fails listing every leak.
assert_host_clean() {
	local root=${ROOT:-} tmp=${T:-} pids=${T:+$T/.pids} cg=$HULL_CG_PREFIX
	local mark=${T:-}
	while [ $# -gt 0 ]; do
		case $1 in
		--mark) mark=$2; shift 2 ;;
		--root) root=$2; shift 2 ;;
		--tmp) tmp=$2; shift 2 ;;
		--pids) pids=$2; shift 2 ;;
		--cg) cg=$2; shift 2 ;;
		*) echo "assert_host_clean: bad argument $1" >&2; return 2 ;;
		esac
	done
	local leaks=() pid st i alive

	# Processes: give a just-killed container a moment to go away.
	if [ -n "$pids" ] && [ -s "$pids" ]; then
		while read -r pid st; do
			alive=1
			for ((i = 0; i < 60; i++)); do
				pid_alive "$pid" "$st" || { alive=0; break; }
				sleep 0.05
			done
			if [ $alive = 1 ]; then
				leaks+=("process $pid ($(cat /proc/$pid/comm 2>/dev/null)) still running")
				kill -KILL "$pid" 2>/dev/null || true
			fi
		done <"$pids"
	fi

	# Runtime processes (marked by `rt`) still around.
	if [ -n "$mark" ]; then
		local p marked=()
		for ((i = 0; i < 30; i++)); do
			marked=()
			while IFS= read -r p; do
				pid=${p#/proc/}
				pid=${pid%/environ}
				[ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] || continue
				pid_alive "$pid" && marked+=("$pid")
			done < <(grep -lsxzF "HULL_TEST_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null)
			[ ${#marked[@]} -eq 0 ] && break
			sleep 0.1
		done
		for pid in "${marked[@]}"; do
			leaks+=("runtime process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still running")
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi

	# Cgroups below the test prefix, in every mounted hierarchy.
	local mp d procs
	if [ -n "$cg" ] && [ "$cg" != / ]; then
		while IFS= read -r mp; do
			[ -d "$mp$cg" ] || continue
			while IFS= read -r d; do
				leaks+=("cgroup ${d#"$mp"} left in $mp")
			done < <(find "$mp$cg" -mindepth 1 -type d 2>/dev/null)
			# Kill what lives in our leaked cgroups (ours by construction).
			while IFS= read -r procs; do
				while read -r pid; do
					[ -n "$pid" ] || continue
					leaks+=("process $pid in cgroup ${procs#"$mp"}")
					kill -KILL "$pid" 2>/dev/null || true
				done <"$procs"
			done < <(find "$mp$cg" -name cgroup.procs 2>/dev/null)
		done < <(cgroup_mounts all)
		_remove_cgroups "$cg"
	fi

	# Mounts mentioning the test's directory.
	if [ -n "$tmp" ]; then
		local m
		while IFS= read -r m; do
			leaks+=("mount left: $m")
		done < <(grep -F -- "$tmp" /proc/self/mountinfo || true)
		while IFS= read -r m; do
			umount -l "$m" 2>/dev/null || true
		done < <(awk -v t="$tmp" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	fi

	# State left under the runtime root.
	if [ -n "$root" ] && [ -d "$root" ]; then
		local e
		while IFS= read -r e; do
			leaks+=("state left: $e")
		done < <(find "$root" -mindepth 1 -maxdepth 2 ! -path "$root/.tmp" ! -path "$root/.seccomp" \
			! -path "$root/.seccomp/[0-9][0-9].bpf" 2>/dev/null)
		find "$root" -mindepth 1 -delete 2>/dev/null || true
	fi

	if [ ${#leaks[@]} -gt 0 ]; then
		printf 'host not clean:\n' >&2
		printf '  %s\n' "${leaks[@]}" >&2
		return 1
	fi
	return 0
}

# _remove_cgroups PREFIX: rmdir PREFIX and everything below it, deepest
# first, in every hierarchy.  Never touches anything outside PREFIX.
_remove_cgroups() {
	local cg=$1 mp i
	[ -n "$cg" ] && [ "$cg" != / ] || return 0
	while IFS= read -r mp; do
		[ -d "$mp$cg" ] || continue
		for ((i = 0; i < 50; i++)); do
			find "$mp$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$mp$cg" ] || break
			sleep 0.1
		done
	done < <(cgroup_mounts all)
}

# state_entries [ROOT]: what a state root holds, one per line; hull's empty
# .tmp (where creates in progress live) does not count, what is in it does;
# nor does .seccomp, the cache of compiled programs, unless it holds
# something other than its NN.bpf slots.
state_entries() {
	local root=${1:-$ROOT}
	ls -A "$root" | grep -vx -e '.tmp' -e '.seccomp'
	[ -d "$root/.tmp" ] && ls -A "$root/.tmp" | sed 's|^|.tmp/|'
	[ -d "$root/.seccomp" ] && ls -A "$root/.seccomp" | grep -vx '[0-9][0-9]\.bpf' | sed 's|^|.seccomp/|'
	return 0
}
