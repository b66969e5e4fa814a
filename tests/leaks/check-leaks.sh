#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/leaks/check-leaks.sh [OPTIONS]: is the host clean of what a runtime
# (hull, or any runc-like one) left behind?  Prints one line per leak and
# exits 1 when there is one, 0 when clean, 2 on a usage error.
#
#   --root DIR        a state root (repeatable): every entry in it is a leak
#                     (containers, half-creates, stray .new-* temp dirs,
#                     other files); so is a mount at or below DIR, a flock
#                     held on an entry, and a runtime process run with
#                     --root DIR
#   --proc-root PAT   runtime processes whose --root matches the shell
#                     pattern PAT are leaks (repeatable; no directory scan)
#   --cg-prefix P     cgroup path (repeatable; may hold shell globs, matched
#                     in each hierarchy): every cgroup below P in every
#                     mounted hierarchy (cgroup v1 controllers, named v1
#                     hierarchies, cgroup2) and every process in P or below
#                     is a leak.  P itself may remain (a shared parent).
#   --mark PAT        processes with HULL_TEST_MARK=VALUE in their
#                     environment, VALUE matching PAT (repeatable; the bats
#                     helper `rt` sets it)
#   --mounts DIR      mounts at or below DIR, or whose root is (repeatable)
#   --runtime NAME    argv[0] basename of the runtime (default: hull); its
#                     processes and those named hull:init / hull:exec are
#                     "runtime processes" (repeatable)
#   --all-runtime     every runtime process is a leak, whatever its --root
#   --snapshot FILE   write what the scan finds now to FILE and exit 0
#   --since FILE      report only what is not in FILE (a --snapshot)
#   --wait SECS       rescan until clean, for up to SECS (default 3): a
#                     just-killed process takes a moment to go
#   --clean           then kill, unmount, rmdir and remove what was found
#                     (refused without a --root, --cg-prefix, --mark or
#                     --mounts scope)
#   -q, --quiet       no "clean" line
#
# Without a scope option the scan is broad: every runtime process, every
# marked process, every cgroup, every mount and the default root
# /run/hull.  That is meant for --snapshot/--since around a whole run (it
# then sees only what the run added, plus whatever else ran at the time);
# without --since, the default is `--root /run/hull`: that state root and
# the runtime processes working on it.
#
# Zombies are not leaks (reaping them is their parent's business).
set -uo pipefail

roots=() proc_roots=() cg_prefixes=() marks=() mount_dirs=() rt_names=()
all_rt=0 snapshot='' since='' wait_secs=3 clean=0 quiet=0

usage() {
	sed -n '3,42p' "$0" | sed 's/^# \{0,1\}//'
}
die() {
	echo "check-leaks: $*" >&2
	exit 2
}
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

# strip trailing slashes (keep "/")
norm() {
	local p=$1
	while [ ${#p} -gt 1 ] && [ "${p%/}" != "$p" ]; do p=${p%/}; done
	printf '%s' "$p"
}

while [ $# -gt 0 ]; do
	case $1 in
	--root) need_arg "$@"; roots+=("$(norm "$2")"); shift 2 ;;
	--proc-root) need_arg "$@"; proc_roots+=("$2"); shift 2 ;;
	--cg-prefix) need_arg "$@"; cg_prefixes+=("$(norm "$2")"); shift 2 ;;
	--mark) need_arg "$@"; marks+=("$2"); shift 2 ;;
	--mounts) need_arg "$@"; mount_dirs+=("$(norm "$2")"); shift 2 ;;
	--runtime) need_arg "$@"; rt_names+=("${2##*/}"); shift 2 ;;
	--all-runtime) all_rt=1; shift ;;
	--snapshot) need_arg "$@"; snapshot=$2; shift 2 ;;
	--since) need_arg "$@"; since=$2; shift 2 ;;
	--wait) need_arg "$@"; wait_secs=$2; shift 2 ;;
	--clean) clean=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[[ $wait_secs =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--wait: expected seconds, got $wait_secs"
[ -z "$since" ] || [ -r "$since" ] || die "--since: cannot read $since"
[ ${#rt_names[@]} -gt 0 ] || rt_names=(hull)
for r in "${cg_prefixes[@]}"; do
	[ "$r" != / ] || die "--cg-prefix /: would be every cgroup; use --snapshot/--since"
	[ "${r#/}" != "$r" ] || die "--cg-prefix $r: must be an absolute cgroup path"
done

scoped=0
if [ ${#roots[@]} -gt 0 ] || [ ${#proc_roots[@]} -gt 0 ] || [ ${#cg_prefixes[@]} -gt 0 ] ||
	[ ${#marks[@]} -gt 0 ] || [ ${#mount_dirs[@]} -gt 0 ]; then
	scoped=1
fi
broad=0
if [ $scoped = 0 ]; then
	roots=(/run/hull)
	if [ -n "$snapshot$since" ]; then
		broad=1
		all_rt=1
		marks=('*')
	fi
fi
[ $clean = 0 ] || [ $scoped = 1 ] || die "--clean needs a scope (--root, --cg-prefix, --mark or --mounts)"
# A state root's mounts are always checked.
mount_dirs+=("${roots[@]}")

# ---------------------------------------------------------------------------
# Scanning.  Each finding is a key (stable across scans, compared with a
# snapshot) and a description.

declare -A found=()  # key -> description
declare -a order=()

# add KEY WHAT [WHY]: one finding; more WHYs for the same KEY are appended
add() {
	local key=$1 what=$2 why=${3:-}
	if [ -z "${found[$key]+x}" ]; then
		order+=("$key")
		found[$key]=$what${why:+: $why}
	elif [ -n "$why" ] && [[ ${found[$key]} != *"$why"* ]]; then
		found[$key]+="; $why"
	fi
}

# proc_what PID: "process PID (comm: cmdline)" (after proc_info)
proc_what() { printf 'process %s (%s: %s)' "$1" "$P_COMM" "$(proc_cmdline "$1")"; }

# mountinfo escapes space, tab, newline and backslash as \ooo
unescape() { printf '%b' "${1//\\/\\0}"; }

# cgroup hierarchies: "mountpoint<TAB>root" for every cgroup/cgroup2 mount
hierarchies() {
	awk '{
		for (i = 7; i <= NF; i++) if ($i == "-") break
		if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 "\t" $4
	}' /proc/self/mountinfo | sort -u
}

# proc_info PID: sets P_STATE P_START P_COMM P_PPID; fails for a gone pid
proc_info() {
	local stat='' rest
	{ IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null
	[ -n "$stat" ] || return 1
	P_COMM=${stat#*(}
	P_COMM=${P_COMM%)*}
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	P_STATE=$1 P_PPID=$2 P_START=${20}
}

proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ $//'; }

# The runtime's --root, from the global options on its command line
# (those before the command word); none: /run/hull.
proc_rt_root() {
	local a r=/run/hull skip=0 first=1
	while IFS= read -r -d '' a; do
		if [ $first = 1 ]; then first=0; continue; fi
		if [ $skip = 1 ]; then skip=0; continue; fi
		case $a in
		--root) IFS= read -r -d '' r ;;
		--root=*) r=${a#--root=} ;;
		--log | --log-format | --log-level | --criu | --rootless) skip=1 ;;
		-*) ;;
		*) break ;;
		esac
	done <"/proc/$1/cmdline" 2>/dev/null
	norm "$r"
}

is_self() {
	[ "$1" = $$ ] || [ "$1" = "$BASHPID" ] || [ "$P_PPID" = $$ ]
}

# cg_name ROOT REL: the cgroup path of mountpoint-relative REL in a mount
# showing the hierarchy from ROOT
cg_name() {
	local n=${2:-/}
	[ "$1" = / ] || n=$1${2}
	printf '%s' "$n"
}

scan_cgroups() {
	local mp croot pfx rel d sub procs pid
	while IFS=$'\t' read -r mp croot; do
		mp=$(unescape "$mp")
		croot=$(unescape "$croot")
		if [ $broad = 1 ]; then
			while IFS= read -r sub; do
				rel=${sub#"$mp"}
				add "cgroup $mp $rel" "cgroup $(cg_name "$croot" "$rel") in $mp"
			done < <(find "$mp" -mindepth 1 -type d 2>/dev/null)
			continue
		fi
		for pfx in "${cg_prefixes[@]}"; do
			# the mount shows the hierarchy from croot down
			if [ "$croot" = / ]; then
				rel=$pfx
			elif [ "$pfx" = "$croot" ] || [[ $pfx == "$croot"/* ]]; then
				rel=${pfx#"$croot"}
			else
				continue
			fi
			# shellcheck disable=SC2206
			local dirs=()
			if [[ $rel == *[][*?]* ]]; then
				local saved
				saved=$(shopt -p nullglob)
				shopt -s nullglob
				# shellcheck disable=SC2206
				dirs=($mp$rel)
				eval "$saved"
			else
				dirs=("$mp$rel")
			fi
			for d in "${dirs[@]}"; do
				[ -d "$d" ] || continue
				while IFS= read -r sub; do
					rel=${sub#"$mp"}
					add "cgroup $mp $rel" "cgroup $(cg_name "$croot" "$rel") in $mp"
				done < <(find "$d" -mindepth 1 -type d 2>/dev/null)
				while IFS= read -r procs; do
					while read -r pid; do
						[ -n "$pid" ] || continue
						proc_info "$pid" || continue
						[ "$P_STATE" != Z ] && [ "$P_STATE" != X ] || continue
						rel=${procs%/cgroup.procs}
						rel=${rel#"$mp"}
						add "proc $pid $P_START" "$(proc_what "$pid")" "in cgroup $(cg_name "$croot" "$rel")"
					done <"$procs"
				done < <(find "$d" -name cgroup.procs 2>/dev/null)
			done
		done
	done < <(hierarchies)
}

rt_comm() {
	local n
	case $1 in hull:init | hull:exec) return 0 ;; esac
	for n in "${rt_names[@]}"; do
		case $1 in "$n" | "$n:init" | "$n:exec") return 0 ;; esac
	done
	return 1
}

rt_argv0() {
	local a0 n
	IFS= read -r -d '' a0 <"/proc/$1/cmdline" 2>/dev/null || [ -n "$a0" ] || return 1
	a0=${a0##*/}
	for n in "${rt_names[@]}"; do
		[ "$a0" = "$n" ] && return 0
	done
	return 1
}

scan_procs() {
	local p pid r pat hit e marked want_mark=0 want_rt=0
	[ ${#marks[@]} -gt 0 ] && want_mark=1
	if [ $all_rt = 1 ] || [ ${#roots[@]} -gt 0 ] || [ ${#proc_roots[@]} -gt 0 ]; then
		want_rt=1
	fi
	if [ $want_mark = 1 ]; then
		while IFS= read -r p; do
			pid=${p#/proc/}
			pid=${pid%/environ}
			proc_info "$pid" || continue
			[ "$P_STATE" != Z ] && [ "$P_STATE" != X ] || continue
			is_self "$pid" && continue
			marked=
			while IFS= read -r -d '' e; do
				case $e in HULL_TEST_MARK=*) marked=${e#HULL_TEST_MARK=}; break ;; esac
			done <"$p" 2>/dev/null
			[ -n "$marked" ] || continue
			for pat in "${marks[@]}"; do
				# shellcheck disable=SC2053
				if [[ $marked == $pat ]]; then
					add "proc $pid $P_START" "$(proc_what "$pid")" "carries HULL_TEST_MARK=$marked"
					break
				fi
			done
		done < <(grep -lsaF HULL_TEST_MARK= /proc/[0-9]*/environ 2>/dev/null)
	fi
	[ $want_rt = 1 ] || return 0
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		proc_info "$pid" || continue
		[ "$P_STATE" != Z ] && [ "$P_STATE" != X ] || continue
		[ "$P_PPID" != 2 ] && [ "$pid" != 2 ] || continue # kernel threads
		is_self "$pid" && continue
		rt_comm "$P_COMM" || rt_argv0 "$pid" || continue
		r=$(proc_rt_root "$pid")
		hit=$all_rt
		for pat in "${roots[@]}"; do
			[ "$r" = "$pat" ] && hit=1
		done
		for pat in "${proc_roots[@]}"; do
			# shellcheck disable=SC2053
			[[ $r == $pat ]] && hit=1
		done
		[ $hit = 1 ] || continue
		add "proc $pid $P_START" "$(proc_what "$pid")" "a runtime process with --root $r"
	done
}

under() { [ "$1" = "$2" ] || [[ $1 == "$2"/* ]]; }

scan_mounts() {
	local id mroot mp d
	while read -r id _ _ mroot mp _; do
		mp=$(unescape "$mp")
		mroot=$(unescape "$mroot")
		if [ $broad = 1 ]; then
			add "mount $id $mp" "mount $mp (id $id, root $mroot)"
			continue
		fi
		for d in "${mount_dirs[@]}"; do
			if under "$mp" "$d" || under "$mroot" "$d"; then
				add "mount $id $mp" "mount $mp (id $id, root $mroot)"
				break
			fi
		done
	done </proc/self/mountinfo
}

scan_roots() {
	local root e name what
	for root in "${roots[@]}"; do
		[ -d "$root" ] || continue
		while IFS= read -r -d '' e; do
			name=${e##*/}
			if [ -d "$e" ] && [[ $name == .new-* ]]; then
				what="stray temporary state dir $e"
				local creator=${name#.new-}
				creator=${creator%%-*}
				if [[ $creator =~ ^[0-9]+$ ]] && proc_info "$creator"; then
					what+=" (its creator $creator, $P_COMM, is alive)"
				fi
			elif [ -d "$e" ] && [ -f "$e/state.json" ]; then
				local s
				s=$(jq -r 'if .creating then "half-created" else "container" end' \
					"$e/state.json" 2>/dev/null) || s="unreadable state:"
				what="$s state left: $e"
			elif [ -d "$e" ]; then
				what="state dir without state.json left: $e"
			else
				what="file left in the state root: $e"
			fi
			add "state $e" "$what"
		done < <(find "$root" -mindepth 1 -maxdepth 1 ! -name .tmp ! -name .seccomp -print0 2>/dev/null
			# hull keeps creates in progress in ROOT/.tmp (the empty dir itself
			# is part of the store), and compiled seccomp programs, a cache,
			# in ROOT/.seccomp/NN.bpf: anything else there is a leak
			find "$root/.tmp" -mindepth 1 -maxdepth 1 -print0 2>/dev/null
			find "$root/.seccomp" -mindepth 1 -maxdepth 1 ! -name '[0-9][0-9].bpf' -print0 2>/dev/null)
	done
}

# flock holders on anything in a state root.  /proc/locks names the inode
# and the pid that took the lock (which may have passed the fd on and
# exited): the holder is whoever has an fd on that inode.
scan_locks() {
	local line pid ino fd target root e sino lpid
	[ ${#roots[@]} -gt 0 ] || return 0
	declare -A inode_path=() lockers=()
	for root in "${roots[@]}"; do
		[ -d "$root" ] || continue
		while IFS=' ' read -r sino e; do
			inode_path[$sino]=$e
		done < <(find "$root" -mindepth 1 -maxdepth 2 -printf '%i %p\n' 2>/dev/null)
	done
	while read -r line; do
		# "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INO START END"; waiters "N: -> FLOCK ..."
		# shellcheck disable=SC2086
		set -- ${line//->/}
		[ "$2" = FLOCK ] || continue
		lockers[${6##*:}]+=" $5"
	done </proc/locks
	[ ${#lockers[@]} -gt 0 ] || return 0
	for ino in "${!lockers[@]}"; do
		# a lock on a removed state dir: look through the lockers' fds
		for lpid in ${lockers[$ino]}; do
			proc_info "$lpid" || continue
			is_self "$lpid" && continue
			for fd in /proc/"$lpid"/fd/*; do
				target=$(readlink "$fd" 2>/dev/null) || continue
				target=${target% (deleted)}
				for root in "${roots[@]}"; do
					under "$target" "$root" || continue
					sino=$(stat -L -c %i "$fd" 2>/dev/null) || continue
					[ "$sino" = "$ino" ] || continue
					add "lock $lpid $P_START $ino" "$(proc_what "$lpid")" "holds a flock on $target"
				done
			done
		done
	done
	# a lock on an entry that still exists, whoever holds it now
	local want=()
	for ino in "${!lockers[@]}"; do
		[ -n "${inode_path[$ino]+x}" ] && want+=("$ino")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	for fd in /proc/[0-9]*/fd/*; do
		target=$(readlink "$fd" 2>/dev/null) || continue
		for root in "${roots[@]}"; do
			under "$target" "$root" || continue
			sino=$(stat -L -c %i "$fd" 2>/dev/null) || continue
			for ino in "${want[@]}"; do
				[ "$sino" = "$ino" ] || continue
				pid=${fd#/proc/}
				pid=${pid%%/*}
				proc_info "$pid" || continue
				is_self "$pid" && continue
				add "lock $pid $P_START $ino" "$(proc_what "$pid")" "has an fd on ${inode_path[$ino]}, which is flock()ed"
			done
		done
	done
}

declare -A old=()
if [ -n "$since" ]; then
	while IFS= read -r line; do
		[ -n "$line" ] && old[$line]=1
	done <"$since"
fi

scan() {
	found=()
	order=()
	scan_procs
	scan_cgroups
	scan_mounts
	scan_roots
	scan_locks
	leaks=()
	local k
	for k in "${order[@]}"; do
		[ -z "${old[$k]+x}" ] && leaks+=("$k")
	done
}

if [ -n "$snapshot" ]; then
	scan
	printf '%s\n' "${order[@]}" >"$snapshot" || die "cannot write $snapshot"
	[ $quiet = 1 ] || echo "check-leaks: snapshot of ${#order[@]} items in $snapshot"
	exit 0
fi

deadline=$(awk -v s="$wait_secs" 'BEGIN { printf "%d", s * 10 }')
for ((tick = 0; ; tick++)); do
	scan
	[ ${#leaks[@]} -eq 0 ] && break
	[ $tick -lt "$deadline" ] || break
	sleep 0.1
done

if [ ${#leaks[@]} -eq 0 ]; then
	[ $quiet = 1 ] || echo "check-leaks: clean"
	exit 0
fi
for k in "${leaks[@]}"; do
	echo "check-leaks: leak: ${found[$k]}"
done
echo "check-leaks: ${#leaks[@]} leak(s)"

if [ $clean = 1 ]; then
	# processes first (they pin cgroups and mounts), then mounts, deepest
	# first, then cgroups, deepest first, then state
	for k in "${leaks[@]}"; do
		# shellcheck disable=SC2086
		set -- $k
		if [ "$1" = proc ] && proc_info "$2" && [ "$P_START" = "$3" ]; then
			kill -KILL "$2" 2>/dev/null
		fi
	done
	sleep 0.2
	while IFS= read -r mp; do
		umount -l "$mp" 2>/dev/null
	done < <(for k in "${leaks[@]}"; do [[ $k == mount\ * ]] && echo "${k#mount * }"; done | sort -r)
	while IFS= read -r d; do
		for ((i = 0; i < 20; i++)); do
			rmdir "$d" 2>/dev/null || [ ! -d "$d" ] && break
			sleep 0.1
		done
	done < <(for k in "${leaks[@]}"; do
		# shellcheck disable=SC2086
		[[ $k == cgroup\ * ]] && { set -- $k; echo "$2$3"; }
	done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
	for k in "${leaks[@]}"; do
		[[ $k == state\ * ]] && rm -rf -- "${k#state }"
	done
	echo "check-leaks: cleaned up"
fi
exit 1
