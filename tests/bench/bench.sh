#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: side-by-side benchmark of hull, crun and runc (see README.md).
# Runtime commands are built as strings ($(R rt) ...) and split on purpose:
# hyperfine -N splits them the same way, so paths must not contain blanks.
# shellcheck disable=SC2046,SC2086
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
ORIG_ARGS=("$@")

usage() {
	cat <<EOF
usage: $0 [options]
  --hull PATH        hull binary (default: $TOP/hull, used if \`hull --version\` works)
  --crun PATH        crun binary (default: from PATH)
  --runc PATH        runc binary (default: from PATH)
  --runtimes LIST    subset of hull,crun,runc (default: all that work)
  --cases LIST       subset of a,b,c,d,e,f,g,h,i (default: all)
  --runs N           timed runs per command for single-operation cases (default 50);
                     the loop cases (c, d) use N/5, at least 2
  --rounds R         split the runs into R alternating rounds (default 5)
  --quick            smoke run: --runs 4 --rounds 1, (f) with 10/30/100 containers,
                     coarse memory bisection
  --out FILE         Markdown report (default: $HERE/RESULTS.md)
  --results-dir DIR  hyperfine JSON exports and raw data
                     (default: /var/tmp/hull-bench-results/<timestamp>)
  --host-as-is       do not enter a private mount namespace (there
                     /sys/fs/cgroup/unified is unmounted on a hybrid host and the
                     state roots get a tmpfs); crun is left out on a hybrid host
  --state-on-disk    keep the runtimes' state roots where TMPDIR is, not on a
                     tmpfs (on a disk mounted with discard, removing a state
                     directory waits for the discard)
  --fresh-cgroup-parent
                     do not make the cgroup parent of all containers before the
                     cases: every runtime makes it as needed (hull also removes
                     the levels it made at delete; crun and runc leave them)
  -h, --help         this text
EOF
}

HULL='' CRUN='' RUNC=''
RUNTIMES=hull,crun,runc
CASES=a,b,c,d,e,f,g,h,i
RUNS='' ROUNDS='' QUICK=0 HOST_AS_IS=0 STATE_ON_DISK=0 FRESH_CG_PARENT=0
OUT=$HERE/RESULTS.md
RES=
while [ $# -gt 0 ]; do
	case $1 in
	--hull) HULL=$2; shift ;;
	--crun) CRUN=$2; shift ;;
	--runc) RUNC=$2; shift ;;
	--runtimes) RUNTIMES=$2; shift ;;
	--cases) CASES=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--quick) QUICK=1 ;;
	--out) OUT=$2; shift ;;
	--results-dir) RES=$2; shift ;;
	--host-as-is) HOST_AS_IS=1 ;;
	--state-on-disk) STATE_ON_DISK=1 ;;
	--fresh-cgroup-parent) FRESH_CG_PARENT=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	: "${RUNS:=4}" "${ROUNDS:=1}"
	F_LEVELS="10 30 100"
	BISECT_PAGES=16
else
	: "${RUNS:=50}" "${ROUNDS:=5}"
	F_LEVELS="10 100 1000"
	BISECT_PAGES=1
fi
[ "$RUNS" -ge 2 ] 2>/dev/null || { echo "bench.sh: --runs must be >= 2" >&2; exit 2; }
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "bench.sh: --rounds must be >= 1" >&2; exit 2; }
LOOP_RUNS=$((RUNS / 5))
[ $LOOP_RUNS -ge 2 ] || LOOP_RUNS=2
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac

die() { echo "bench.sh: $*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root"
for tool in hyperfine python3 unshare /usr/bin/time timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install hyperfine python3 util-linux time coreutils)"
done

# --- cgroup layout and the private mount namespace -------------------------
cg_layout() {
	local t
	t=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo none)
	case $t in
	cgroup2fs) echo v2 ;;
	tmpfs)
		if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
			echo hybrid
		else
			echo v1
		fi ;;
	*) echo "unknown($t)" ;;
	esac
}

HOST_LAYOUT=${HULL_BENCH_HOST_LAYOUT:-$(cg_layout)}
# A private mount namespace holds what the benchmark mounts (the state
# tmpfs) and, on a hybrid host, the unmount of the cgroup2 tree: nothing of
# it reaches the host, and it all goes when the benchmark ends.
if [ -z "${HULL_BENCH_IN_NS:-}" ] && [ $HOST_AS_IS = 0 ]; then
	export HULL_BENCH_IN_NS=1 HULL_BENCH_HOST_LAYOUT=$HOST_LAYOUT
	say "bench.sh: re-running inside a private mount namespace"
	exec unshare --mount --propagation private -- /bin/sh -c \
		'if [ "$HULL_BENCH_HOST_LAYOUT" = hybrid ]; then umount /sys/fs/cgroup/unified || exit 1; fi; exec "$@"' \
		bench.sh "$BASH" "$0" "${ORIG_ARGS[@]}"
fi
BENCH_LAYOUT=$(cg_layout)
if [ -n "${HULL_BENCH_IN_NS:-}" ] && [ "$HOST_LAYOUT" = hybrid ]; then
	NS_NOTE="every runtime (and the floor) ran inside one private mount namespace (unshare -m) in which /sys/fs/cgroup/unified was unmounted, so all saw cgroup v1 only"
elif [ -n "${HULL_BENCH_IN_NS:-}" ]; then
	NS_NOTE="every runtime (and the floor) ran inside one private mount namespace (unshare -m) with the host's cgroup layout ($HOST_LAYOUT)"
else
	NS_NOTE="runtimes ran in the host's own mount namespace (cgroup layout $HOST_LAYOUT)"
fi

# --- scratch space, results, cleanup ------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hull-bench.XXXXXX")
CGP=/hull-bench.$$
[ -n "$RES" ] || RES=/var/tmp/hull-bench-results/$(date +%Y%m%dT%H%M%S)
case $RES in /*) ;; *) RES=$PWD/$RES ;; esac
mkdir -p "$RES/json" "$WORK/b" "$WORK/s" "$WORK/state"
# Engines keep runtime state under /run, a tmpfs wherever systemd runs; on
# this kind of VM /run is on the root ext4 (mounted with discard), where
# removing a container's state directory waits ~0.3-2 ms for the discard
# of its one block, for every runtime alike.
STATE_FS=$(stat -fc %T "$WORK/state")
if [ "$STATE_FS" != tmpfs ] && [ $STATE_ON_DISK = 0 ] && [ -n "${HULL_BENCH_IN_NS:-}" ] &&
	mount -t tmpfs -o mode=0700 hull-bench-state "$WORK/state"; then
	STATE_NOTE="a tmpfs the benchmark mounted in its private mount namespace (as /run is on a systemd host); TMPDIR is on $STATE_FS"
else
	STATE_NOTE="$STATE_FS (TMPDIR)"
fi
: >"$RES/extra.tsv"
: >"$RES/labels.tsv"
: >"$RES/notes.txt"
LOG=$RES/bench.log
: >"$LOG"
T_START=$(date +%s)

declare -A BIN VER
RTS=()

cg_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo
}

rm_cgroups() {
	local m d p
	for m in $(cg_mounts); do
		[ -d "$m$CGP" ] || continue
		find "$m$CGP" -depth -type d 2>/dev/null | while read -r d; do
			# only our containers' processes can be in our prefix
			if [ -r "$d/cgroup.procs" ]; then
				while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$d/cgroup.procs"
			fi
			rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; } ||
				say "bench.sh: could not remove cgroup $d"
		done
	done
}

rmc() { # rmc RT ID: remove a container the way engines do: kill, then delete
	local rt=$1 root=$WORK/state/$1
	timeout 20 ${BIN[$rt]} --root "$root" kill "$2" KILL >/dev/null 2>&1 || true
	timeout 20 ${BIN[$rt]} --root "$root" delete "$2" >/dev/null 2>&1 ||
		timeout 20 ${BIN[$rt]} --root "$root" delete -f "$2" >/dev/null 2>&1 || true
}

delete_all() { # delete every container of runtime $1
	local rt=$1 root=$WORK/state/$1 id
	[ -d "$root" ] || return 0
	for id in $( { ls "$root"; timeout 60 ${BIN[$rt]} --root "$root" list -q; } 2>/dev/null | sort -u); do
		rmc "$rt" "$id"
	done
}

CLEANED=0
cleanup() {
	[ $CLEANED = 0 ] || return 0
	CLEANED=1
	set +e
	trap - INT TERM HUP
	say "bench.sh: cleaning up"
	local rt
	for rt in "${RTS[@]}"; do delete_all "$rt"; done
	rm_cgroups
	if [ "$(stat -fc %T "$WORK/state" 2>/dev/null)" = tmpfs ] && [ "$STATE_FS" != tmpfs ]; then
		umount "$WORK/state" || say "bench.sh: could not unmount $WORK/state"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say "bench.sh: interrupted"; exit 130' INT TERM HUP

meta() { printf '%s\t%s\n' "$1" "$2" >>"$RES/machine.tsv"; }
extra() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RES/extra.tsv"; }
note() { printf '%s\n' "$*" >>"$RES/notes.txt"; say "note: $*"; }
R() { printf '%s --root %s' "${BIN[$1]}" "$WORK/state/$1"; }
has_case() { case ",$CASES," in *",$1,"*) return 0 ;; esac; return 1; }

# The parent of every container's cgroup, made once, as an engine's parent
# (machine.slice, kubepods, libpod_parent) exists before its containers.
# A v1 cpuset starts empty: it gets the root's cpus and mems, as the
# runtimes give the levels they make.
mk_cg_parent() {
	local m
	for m in $(cg_mounts); do
		mkdir "$m$CGP" || die "could not make the cgroup parent $m$CGP"
		if [ -f "$m/cpuset.cpus" ] && [ -f "$m$CGP/cpuset.cpus" ]; then
			cat "$m/cpuset.cpus" >"$m$CGP/cpuset.cpus"
			cat "$m/cpuset.mems" >"$m$CGP/cpuset.mems"
		fi
	done
}
if [ $FRESH_CG_PARENT = 0 ]; then
	mk_cg_parent
	CG_NOTE="$CGP, made by the benchmark in every hierarchy before the cases; each container gets its own cgroup below it"
else
	CG_NOTE="$CGP/<container>, every level made by the runtime when needed (--fresh-cgroup-parent)"
fi

# --- the bundle ------------------------------------------------------------
BASE=$WORK/base
if [ -f "$TOP/contrib/busybox-bundle.sh" ]; then
	if bash "$TOP/contrib/busybox-bundle.sh" "$BASE" -- /bin/true >>"$LOG" 2>&1 &&
		[ -f "$BASE/config.json" ]; then
		BUNDLE_SRC="contrib/busybox-bundle.sh"
	else
		note "contrib/busybox-bundle.sh failed; using tests/bench/mkbundle.sh"
		rm -rf "$BASE"
	fi
fi
if [ ! -f "$BASE/config.json" ]; then
	sh "$HERE/mkbundle.sh" "$BASE" -- /bin/true >>"$LOG" 2>&1 || die "could not build the bundle (see $LOG)"
	BUNDLE_SRC="tests/bench/mkbundle.sh"
fi
ROOTFS=$(python3 -c 'import json,os,sys; p=json.load(open(sys.argv[1]+"/config.json"))["root"]["path"]; print(p if p.startswith("/") else os.path.join(sys.argv[1], p))' "$BASE")
[ -x "$ROOTFS/bin/busybox" ] || [ -x "$ROOTFS/bin/true" ] || die "bundle rootfs $ROOTFS has no /bin/true"
BASECFG=$BASE/config.json
mkdir -p "$ROOTFS/mnt"

mkb() { # mkb NAME CGROUP [benchcfg patch options] [-- ARGS]: bundle $WORK/b/NAME
	local name=$1 cg=$2
	shift 2
	mkdir -p "$WORK/b/$name"
	python3 "$HERE/benchcfg.py" patch "$BASECFG" "$WORK/b/$name/config.json" \
		--root "$ROOTFS" --cgroups-path "$CGP/$cg" "$@"
}

# --- which runtimes --------------------------------------------------------
[ -n "$HULL" ] || HULL=$TOP/hull
[ -n "$CRUN" ] || CRUN=$(command -v crun || true)
[ -n "$RUNC" ] || RUNC=$(command -v runc || true)
mkb smoke smoke

smoke_run() { # smoke_run RT: one `run` of /bin/true
	timeout 60 "${BIN[$1]}" --root "$WORK/state/$1" run --bundle "$WORK/b/smoke" smoke-$1 \
		</dev/null >"$WORK/smoke.out" 2>&1
}

for rt in ${RUNTIMES//,/ }; do
	case $rt in
	hull) path=$HULL ;;
	crun) path=$CRUN ;;
	runc) path=$RUNC ;;
	*) die "unknown runtime $rt" ;;
	esac
	if [ -z "$path" ] || [ ! -x "$path" ]; then
		note "$rt: not found${path:+ at $path}; left out"
		continue
	fi
	if [ $rt = crun ] && [ "$BENCH_LAYOUT" = hybrid ]; then
		note "crun: refuses the hybrid cgroup layout (--host-as-is); left out"
		continue
	fi
	v=$("$path" --version 2>/dev/null | head -n1) || v=
	if [ -z "$v" ]; then
		note "$rt: \`$path --version\` failed or printed nothing; left out"
		continue
	fi
	BIN[$rt]=$path
	VER[$rt]=$v
	mkdir -p "$WORK/state/$rt"
	if ! smoke_run $rt; then
		note "$rt: present ($v) but \`run\` of /bin/true failed: $(head -c 300 "$WORK/smoke.out" | tr '\n' ' '); left out"
		delete_all $rt
		continue
	fi
	RTS+=("$rt")
done
[ ${#RTS[@]} -gt 0 ] || die "no runtime works"
say "bench.sh: runtimes: ${RTS[*]}; cases: $CASES; runs $RUNS (loops $LOOP_RUNS) in $ROUNDS rounds"

FLOOR=0
has_case i && FLOOR=1
FLOOR_CMD="unshare --fork --pid --mount --uts --ipc --net --cgroup --root=$ROOTFS /bin/true"

# --- machine ------------------------------------------------------------------
: >"$RES/machine.tsv"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta host "$(uname -n)"
meta nproc "$(nproc)"
meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
meta memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta kernel "$(uname -srm)"
meta os "$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}")"
meta "cgroups (host)" "$HOST_LAYOUT"
meta "cgroups (benchmark)" "$BENCH_LAYOUT"
meta namespace "$NS_NOTE"
meta "state roots" "$STATE_NOTE"
meta "cgroups of the containers" "$CG_NOTE"
for rt in "${RTS[@]}"; do meta "$rt" "${VER[$rt]} (${BIN[$rt]})"; done
meta hyperfine "$(hyperfine --version)"
meta floor "$FLOOR_CMD"
meta bundle "$BUNDLE_SRC (busybox $("$ROOTFS/bin/busybox" 2>&1 | head -n1 | awk '{print $2}'))"
meta runs "$RUNS per single-operation command, $LOOP_RUNS per loop command, in $ROUNDS alternating rounds"
meta command "bench.sh ${ORIG_ARGS[*]}"
meta "results dir" "$RES"

# --- hyperfine, alternating ---------------------------------------------------
# hf LABEL DESCRIPTION RUNS WARMUP NAME CMD [NAME CMD]...
# Each command is first run once (a command that fails is dropped with a
# note); then RUNS runs are split into $ROUNDS hyperfine invocations that
# each time all commands, rotating their order from round to round.
hf() {
	local label=$1 desc=$2 runs=$3 warm=$4
	shift 4
	local names=() cmds=() i n r per off
	while [ $# -gt 0 ]; do
		if timeout 600 $2 </dev/null >/dev/null 2>"$WORK/hf.err"; then
			names+=("$1")
			cmds+=("$2")
		else
			note "[$label] $1 failed: $2: $(head -c 300 "$WORK/hf.err" | tr '\n' ' ')"
		fi
		shift 2
	done
	n=${#names[@]}
	[ $n -gt 0 ] || return 0
	printf '%s\t%s\n' "$label" "$desc" >>"$RES/labels.tsv"
	per=$(((runs + ROUNDS - 1) / ROUNDS))
	[ $per -ge 2 ] || per=2
	say "[$label] $desc: ${names[*]} (${ROUNDS}x$per runs)"
	for ((r = 0; r < ROUNDS; r++)); do
		local args=()
		for ((i = 0; i < n; i++)); do
			off=$(((i + r) % n))
			args+=(-n "${names[$off]}" "${cmds[$off]}")
		done
		echo "== $label round $r" >>"$LOG"
		hyperfine -N --style basic --runs $per --warmup $warm \
			--export-json "$RES/json/$label.r$r.json" "${args[@]}" >>"$LOG" 2>&1 ||
			{ note "[$label] hyperfine failed in round $r (see $LOG)"; return 0; }
	done
	python3 "$HERE/report.py" summary "$RES" "$label" >&2
}

# --- the cases ----------------------------------------------------------------
case_a() {
	local args=() rt
	for rt in "${RTS[@]}"; do
		mkb a-$rt $rt-a
		args+=("$rt" "$(R $rt) run --bundle $WORK/b/a-$rt a-$rt")
	done
	[ $FLOOR = 0 ] || args+=(floor "$FLOOR_CMD")
	hf a "run /bin/true, default config" $RUNS 2 "${args[@]}"
}

case_b() {
	local args=() rt s
	for rt in "${RTS[@]}"; do
		mkb b-$rt $rt-b
		s=$WORK/s/b-$rt.sh
		cat >"$s" <<-EOF
			R="$(R $rt)"
			\$R create --bundle $WORK/b/b-$rt b-$rt || exit 1
			\$R start b-$rt || exit 1
			n=0
			while :; do
			    case \$(\$R state b-$rt) in *'"stopped"'*) break ;; esac
			    n=\$((n + 1)); [ \$n -lt 10000 ] || exit 1
			done
			exec \$R delete b-$rt
		EOF
		args+=("$rt" "/bin/sh $s")
	done
	hf b "create, start, wait (state polls), delete" $RUNS 2 "${args[@]}"
}

loop_script() { # loop_script FILE COUNT CMD
	cat >"$1" <<-EOF
		i=0
		while [ \$i -lt $2 ]; do
		    $3 || exit 1
		    i=\$((i + 1))
		done
	EOF
}

case_c() {
	local args=() rt
	for rt in "${RTS[@]}"; do
		mkb c-$rt $rt-c
		loop_script "$WORK/s/c-$rt.sh" 100 "$(R $rt) run --bundle $WORK/b/c-$rt c-$rt"
		args+=("$rt" "/bin/sh $WORK/s/c-$rt.sh")
	done
	if [ $FLOOR = 1 ]; then
		loop_script "$WORK/s/c-floor.sh" 100 "$FLOOR_CMD"
		args+=(floor "/bin/sh $WORK/s/c-floor.sh")
	fi
	hf c "100 x run in sequence (total)" $LOOP_RUNS 0 "${args[@]}"
}

case_d() {
	local args=() rt slot s
	for rt in "${RTS[@]}" floor; do
		[ $rt != floor ] || [ $FLOOR = 1 ] || continue
		s=$WORK/s/d-$rt.sh
		echo 'pids=' >"$s"
		for slot in 0 1 2 3 4 5 6 7 8 9; do
			if [ $rt = floor ]; then
				loop_script "$WORK/s/d-$rt-$slot.sh" 5 "$FLOOR_CMD"
			else
				mkb d-$rt-$slot $rt-d$slot
				loop_script "$WORK/s/d-$rt-$slot.sh" 5 "$(R $rt) run --bundle $WORK/b/d-$rt-$slot d$slot-$rt"
			fi
			echo "/bin/sh $WORK/s/d-$rt-$slot.sh & pids=\"\$pids \$!\"" >>"$s"
		done
		echo 'rc=0; for p in $pids; do wait $p || rc=1; done; exit $rc' >>"$s"
		args+=("$rt" "/bin/sh $s")
	done
	hf d "50 x run, 10 at once (total)" $LOOP_RUNS 0 "${args[@]}"
}

start_sleeper() { # start_sleeper RT ID: a running `sleep` container
	mkb $2 $1-$2 -- /bin/sleep 86400
	$(R $1) run -d --bundle "$WORK/b/$2" "$2" </dev/null >/dev/null 2>>"$LOG" || return 1
}

case_e() {
	local args=() rt
	for rt in "${RTS[@]}"; do
		if start_sleeper $rt e-$rt; then
			args+=("$rt" "$(R $rt) exec e-$rt /bin/true")
		else
			note "[e] $rt: could not start the sleep container"
		fi
	done
	hf e "exec /bin/true into a running container" $RUNS 2 "${args[@]}"
	for rt in "${RTS[@]}"; do rmc $rt e-$rt; done
}

case_f() {
	local rt level have=0 args t0 t1 max=0 id n
	for level in $F_LEVELS; do [ $level -le $max ] || max=$level; done
	for rt in "${RTS[@]}"; do
		python3 "$HERE/benchcfg.py" many "$BASECFG" "$WORK/f/$rt" $max \
			--cgroups-pattern "$CGP/$rt-f/{n}" --root "$ROOTFS"
	done
	for level in $F_LEVELS; do
		for rt in "${RTS[@]}"; do
			t0=$(date +%s%N)
			for ((id = have; id < level; id++)); do
				printf -v n %04d $id
				$(R $rt) create --bundle "$WORK/f/$rt/$n" f-$n </dev/null >/dev/null 2>>"$LOG" ||
					{ note "[f] $rt: create of f-$n failed"; break; }
			done
			t1=$(date +%s%N)
			extra "f-create-$have-$level" $rt "$(((t1 - t0) / 1000000))"
		done
		have=$level
		args=()
		for rt in "${RTS[@]}"; do args+=("$rt" "$(R $rt) state f-0000"); done
		hf f-state-$level "state of one container, $level in the state dir" $RUNS 2 "${args[@]}"
		args=()
		for rt in "${RTS[@]}"; do args+=("$rt" "$(R $rt) list"); done
		hf f-list-$level "list, $level containers" $RUNS 2 "${args[@]}"
	done
	# untimed: remove the containers of all runtimes at once
	local pids=()
	for rt in "${RTS[@]}"; do
		delete_all $rt &
		pids+=($!)
	done
	wait "${pids[@]}" || true
}

case_g() {
	local args size rt name opts s
	local cold
	for name in default medium large medium-nosec large-nosec medium-cold large-cold; do
		cold=
		case $name in
		default) opts= ;;
		medium) opts="--inflate 1 --mkdirs $ROOTFS" ;;
		large) opts="--inflate 10 --mkdirs $ROOTFS" ;;
		medium-nosec) opts="--inflate 1 --no-seccomp yes" ;;
		large-nosec) opts="--inflate 10 --no-seccomp yes" ;;
		# hull keeps compiled seccomp programs in ROOT/.seccomp; *-cold
		# removes it before every create (in every runtime's script
		# alike), so each create compiles the profile again
		medium-cold) opts="--inflate 1 --mkdirs $ROOTFS" cold=1 ;;
		large-cold) opts="--inflate 10 --mkdirs $ROOTFS" cold=1 ;;
		esac
		args=()
		for rt in "${RTS[@]}"; do
			mkb g-$name-$rt $rt-g-$name $opts
			s=$WORK/s/g-$name-$rt.sh
			{
				[ -z "$cold" ] || echo "rm -rf $WORK/state/$rt/.seccomp"
			} >"$s"
			cat >>"$s" <<-EOF
				R="$(R $rt)"
				\$R create --bundle $WORK/b/g-$name-$rt g-$rt </dev/null >/dev/null || exit 1
				\$R kill g-$rt KILL || exit 1
				\$R delete g-$rt || exec \$R delete -f g-$rt
			EOF
			args+=("$rt" "/bin/sh $s")
		done
		size=$(stat -c %s "$WORK/b/g-$name-${RTS[0]}/config.json")
		extra g-size-$name all $size
		hf g-$name "create, kill, delete; $name config ($((size / 1024)) KiB)" $RUNS 2 "${args[@]}"
	done
}

median_of() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

mem_try() { # mem_try RT BYTES: does `echo hi` start under memory limit BYTES?
	local rt=$1 bytes=$2 id=hm-$1 out
	for _ in 1 2; do
		MEMTRY=$((${MEMTRY:-0} + 1))
		mkb hm-$rt $rt-hm-$MEMTRY --memory-limit $bytes -- /bin/echo hi
		out=$(timeout 60 $(R $rt) run --bundle "$WORK/b/hm-$rt" $id </dev/null 2>>"$WORK/hm.err") && [ "$out" = hi ] && {
			$(R $rt) delete -f $id >/dev/null 2>&1 || true
			return 0
		}
		$(R $rt) delete -f $id >/dev/null 2>&1 || true
	done
	return 1
}

case_h() {
	local rt f lo hi mid res
	for rt in "${RTS[@]}"; do
		mkb h-$rt $rt-h
		f=$WORK/rss
		: >"$f.create"
		: >"$f.exec"
		for _ in 1 2 3 4 5; do
			/usr/bin/time -f %M -o "$f" $(R $rt) create --bundle "$WORK/b/h-$rt" h-$rt </dev/null >/dev/null 2>>"$LOG" &&
				cat "$f" >>"$f.create"
			rmc $rt h-$rt
		done
		extra rss-create $rt "$(median_of <"$f.create")"
		if start_sleeper $rt hx-$rt; then
			for _ in 1 2 3 4 5; do
				/usr/bin/time -f %M -o "$f" $(R $rt) exec hx-$rt /bin/true </dev/null >/dev/null 2>>"$LOG" &&
					cat "$f" >>"$f.exec"
			done
			rmc $rt hx-$rt
		fi
		extra rss-exec $rt "$(median_of <"$f.exec")"
		say "[h] $rt: peak RSS create $(median_of <"$f.create") KiB, exec $(median_of <"$f.exec") KiB; bisecting the memory limit"
		# smallest memory limit, in 4 KiB pages, between 64 KiB and 16 MiB
		lo=16 hi=4096
		if ! mem_try $rt $((hi * 4096)); then
			res=">16777216"
		elif mem_try $rt $((lo * 4096)); then
			res="<=65536"
		else
			while [ $((hi - lo)) -gt $BISECT_PAGES ]; do
				mid=$(((lo + hi) / 2))
				if mem_try $rt $((mid * 4096)); then hi=$mid; else lo=$mid; fi
			done
			res=$((hi * 4096))
		fi
		extra mem-min $rt "$res"
		if mem_try $rt 524288; then extra mem-512k $rt yes; else extra mem-512k $rt no; fi
		say "[h] $rt: smallest memory limit $res bytes"
	done
}

binary_sizes() {
	local rt f
	command -v strip >/dev/null || { note "strip is missing (binutils): no binary sizes"; return 0; }
	for rt in "${RTS[@]}"; do
		f=$WORK/strip-$rt
		cp "${BIN[$rt]}" "$f"
		strip --strip-all "$f" 2>>"$LOG" || { note "strip failed on ${BIN[$rt]}"; continue; }
		extra size-file $rt "$(stat -Lc %s "${BIN[$rt]}")"
		extra size-stripped $rt "$(stat -c %s "$f")"
		extra libs $rt "$(ldd "${BIN[$rt]}" 2>/dev/null | grep -c '=>' || true)"
		rm -f "$f"
	done
}

# --- run ------------------------------------------------------------------------
binary_sizes
for c in ${CASES//,/ }; do
	t_case=$(date +%s)
	case $c in
	a | b | c | d | e | f | g | h) case_$c ;;
	i)
		# the floor rides along with (a), (c) and (d); alone it is measured here
		if ! has_case a && ! has_case c && ! has_case d; then
			hf i "floor: unshare + /bin/true" $RUNS 2 floor "$FLOOR_CMD"
		fi ;;
	*) die "unknown case $c" ;;
	esac
	meta "time of case ($c)" "$(($(date +%s) - t_case)) s"
done

T_END=$(date +%s)
meta duration "$((T_END - T_START)) s"
python3 "$HERE/report.py" report "$RES" "$OUT"
say "bench.sh: report written to $OUT, raw data in $RES ($((T_END - T_START)) s)"
