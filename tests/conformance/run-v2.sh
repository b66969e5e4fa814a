#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The runtime-tools validation suite on a pure cgroup v2 machine: build the
# suite on the host (run.sh's build, cached), boot the qemu guest of
# tests/vm once, run tests/conformance/run.sh inside it for the cgroup files
# and a few lifecycle files, with the results shared back, then classify
# each file.  See tests/conformance/NOTES-v2.md.
#
# The suite cannot read cgroup v2 (cgroups/cgroups.go:73-74), so on v2 a
# linux_cgroups_* file can at best reach its cgroup check.  Two things make
# up for that here:
#   - a "created" class (below, classify) for files whose only failures are
#     the suite's "cgroupv2 is not supported yet";
#   - a probe: each runtime is reached through a small wrapper that, after a
#     successful `create` of a config with linux.cgroupsPath, records the
#     container's cgroup (from /proc/PID/cgroup) and its v2 files; the
#     values are then compared with what the config asks for, converted the
#     way runc and crun convert them (check_values).  --no-probe turns it off.
#
# Expected list (expected-pass-v2.txt): one file per line, then optionally
#   NAME [flaky]   must be clean (handed to run.sh --expected)
#   NAME created   must be clean or "created"

set -u -o pipefail

PROG=${0##*/}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=labels.sh
. "$SCRIPT_DIR/labels.sh"
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
RUN_SH=$SCRIPT_DIR/run.sh
VM_SH=$REPO/tests/vm/run-in-vm.sh

DEFAULT_FILES='linux_cgroups_*,delete_resources,delete_only_create_resources,default,create,state,kill,delete'

usage() {
	cat <<EOF
usage: $PROG [options]

  --runtime SPEC        runtime to test, as for run.sh (PATH[:MODE[+MODE]],
                        repeatable or a comma list; Debian's crun 1.8.1 needs
                        crun:oci-1.0); default: $REPO/hull
  --runtime-tools DIR   runtime-tools source tree (default: run.sh's)
  --only PATTERNS       comma list of file globs; default:
                        $DEFAULT_FILES
                        plus every file named in --expected
  --expected FILE       compare mode (see the header of this script): exit 1
                        when a listed file does not pass
  --out DIR             results: DIR/results/<runtime>/ (run.sh's files plus
                        v2-summary.tsv), DIR/probe/<runtime>/, DIR/guest.log;
                        shared with the guest; default: a new
                        \$TMPDIR/hull-conformance-v2.XXXXXX
  --timeout SECS        limit for the whole VM run, boot included (default 1200)
  --file-timeout SECS   per-file limit inside the guest (default 300)
  --cache DIR           suite build cache (default /var/tmp/hull-conformance-v2-cache)
  --report FILE.md      run.sh's Markdown report, made in the guest (so it
                        shows the guest's kernel and cgroups)
  --retries N           as run.sh (extra attempts for "flaky" files)
  --no-probe            do not wrap the runtimes (no v2 value check)
  --verbose             run.sh --verbose (TAP of every file not clean)
  --smp N, --memory M   guest CPUs / memory (run-in-vm.sh; default 2, 2G)
  --no-run              boot nothing: classify the results in --out DIR again
  -h, --help

Exit status: 0 every listed file passed (or no --expected and the run
worked); 1 a listed file did not pass; 2 usage, build or run.sh error;
124 VM timeout; 125 VM failure.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 2
}

RUNTIME_SPECS=()
RT_TOOLS=${RUNTIME_TOOLS:-}
ONLY=""
EXPECTED=""
OUT=""
VM_TIMEOUT=1200
FILE_TIMEOUT=300
CACHE=${HULL_CONFORMANCE_V2_CACHE:-/var/tmp/hull-conformance-v2-cache}
REPORT=""
RETRIES=""
VERBOSE=0
NO_RUN=0
PROBE=1
VM_OPTS=()

need_arg() { [ $# -ge 2 ] || die "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--runtime) need_arg "$@"; IFS=, read -r -a _l <<<"$2"; RUNTIME_SPECS+=("${_l[@]}"); shift 2 ;;
	--runtime-tools) need_arg "$@"; RT_TOOLS=$2; shift 2 ;;
	--only) need_arg "$@"; ONLY=$2; shift 2 ;;
	--expected) need_arg "$@"; EXPECTED=$2; shift 2 ;;
	--out) need_arg "$@"; OUT=$2; shift 2 ;;
	--timeout) need_arg "$@"; VM_TIMEOUT=$2; shift 2 ;;
	--file-timeout) need_arg "$@"; FILE_TIMEOUT=$2; shift 2 ;;
	--cache) need_arg "$@"; CACHE=$2; shift 2 ;;
	--report) need_arg "$@"; REPORT=$2; shift 2 ;;
	--retries) need_arg "$@"; RETRIES=$2; shift 2 ;;
	--smp | --memory) need_arg "$@"; VM_OPTS+=("$1" "$2"); shift 2 ;;
	--no-probe) PROBE=0; shift ;;
	--verbose | -v) VERBOSE=1; shift ;;
	--no-run) NO_RUN=1; shift ;;
	--*=*) _o=${1%%=*}; _v=${1#*=}; shift; set -- "$_o" "$_v" "$@" ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

for _n in "$VM_TIMEOUT" "$FILE_TIMEOUT" ${RETRIES:+"$RETRIES"}; do
	case "$_n" in '' | *[!0-9]*) die "not a number: '$_n'" ;; esac
done
[ -z "$EXPECTED" ] || [ -r "$EXPECTED" ] || die "cannot read $EXPECTED"
[ ${#RUNTIME_SPECS[@]} -gt 0 ] || RUNTIME_SPECS=("$REPO/hull")
if [ $NO_RUN = 0 ]; then
	[ "$(id -u)" = 0 ] || die "must run as root (the suite and the VM need it)"
	[ -x "$VM_SH" ] || die "$VM_SH not found"
	command -v jq >/dev/null || [ $PROBE = 0 ] || die "jq not found (apt-get install jq), or use --no-probe"
fi

# Paths the guest sees as the host does: not /tmp and /run (fresh tmpfs
# there) nor the other kernel filesystems.
guest_visible() {
	case "$1/" in
	/tmp/* | /run/* | /dev/* | /proc/* | /sys/*) return 1 ;;
	esac
	return 0
}

START=$(date +%s)

# ---------------------------------------------------------------- results --
if [ -z "$OUT" ]; then
	[ $NO_RUN = 0 ] || die "--no-run needs --out DIR"
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/hull-conformance-v2.XXXXXX") || die "mktemp failed"
fi
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd -P)
[ "$OUT" != / ] || die "--out /: no"
RESULTS=$OUT/results
PROBES=$OUT/probe
SHARES=("$OUT")
[ $NO_RUN = 0 ] || [ -d "$RESULTS" ] || die "--no-run: no $RESULTS"

# --------------------------------------------------------------- runtimes --
# The probe wrapper (see the header).  It runs the real runtime; after a
# `create` that worked, if config.json has a cgroupsPath, it appends to
# PROBE_DIR/<validation file>.probe (the file is the parent process, the .t;
# run.sh's oci-1.0 shim execs, so it stays the parent):
#   == ID
#   config {"cgroupsPath":...,"resources":...}
#   cgroup /path            (from the 0:: line of /proc/PID/cgroup)
#   file NAME VALUE         (for each v2 file below that exists; lines of a
#                           multi-line file joined with " ; ")
# The arguments are the suite's (create [--pid-file F] --bundle DIR ID).
write_probe() {
	local real=$1 pdir=$2 out=$3
	cat >"$out" <<EOF
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Generated by tests/conformance/run-v2.sh: the runtime $real,
# recording cgroup v2 values after create (see run-v2.sh).
real='$real'
pdir='$pdir'
[ "\$1" = create ] || exec "\$real" "\$@"
"\$real" "\$@"
rc=\$?
[ \$rc = 0 ] || exit \$rc
shift
bundle=. id=
while [ \$# -gt 0 ]; do
	case "\$1" in
	--bundle | -b | --pid-file | --console-socket) [ "\$1" = --bundle ] || [ "\$1" = -b ] && bundle=\$2; shift ;;
	--bundle=*) bundle=\${1#--bundle=} ;;
	-*) ;;
	*) id=\$1 ;;
	esac
	shift
done
grep -q '"cgroupsPath"' "\$bundle/config.json" 2>/dev/null || exit 0
t=\$(readlink /proc/\$PPID/exe)
t=\${t##*/}
t=\${t%.t}
{
	echo "== \$id"
	echo "config \$(jq -c '{cgroupsPath: .linux.cgroupsPath, resources: .linux.resources}' "\$bundle/config.json")"
	pid=\$("\$real" state "\$id" | jq -r .pid)
	cg=\$(sed -n 's/^0:://p' /proc/\$pid/cgroup)
	echo "cgroup \$cg"
	cd "/sys/fs/cgroup\$cg" || exit 0
	for f in cpu.weight cpu.max cpuset.cpus cpuset.mems pids.max memory.max memory.low \\
		memory.swap.max io.weight io.max hugetlb.*.max; do
		[ -r "\$f" ] && echo "file \$f \$(sed -e ':a' -e 'N' -e '\$!ba' -e 's/\n/ ; /g' "\$f")"
	done
} >>"\$pdir/\${t:-unknown}.probe" 2>/dev/null
exit 0
EOF
	chmod 755 "$out"
}

# run.sh's result label for each runtime (labels.sh, shared with run.sh).
LABELS=()
GUEST_SPECS=()
if [ $NO_RUN = 0 ]; then
	rm -rf "${RESULTS:?}" "${PROBES:?}" "${OUT:?}/bin"
	n=0
	for spec in "${RUNTIME_SPECS[@]}"; do
		[ -n "$spec" ] || continue
		path=$spec
		mode=""
		case "$spec" in *:*) path=${spec%:*}; mode=${spec##*:} ;; esac
		case "$path" in
		*/*) [ -x "$path" ] || die "runtime $path is not executable" ;;
		*) path=$(command -v "$path") || die "runtime '$path' not found in PATH" ;;
		esac
		path=$(realpath "$path")
		n=$((n + 1))
		label=$(runtime_label "$path" "$mode" "${LABELS[@]}")
		LABELS+=("$label")
		# a runtime the guest cannot see (under /tmp or /run) is copied
		if ! guest_visible "$path"; then
			mkdir -p "$OUT/bin/copy-$n"
			cp "$path" "$OUT/bin/copy-$n/" || die "cannot copy $path"
			path=$OUT/bin/copy-$n/${path##*/}
		fi
		if [ $PROBE = 1 ]; then
			mkdir -p "$OUT/bin/probe-$n" "$PROBES/$label"
			write_probe "$path" "$PROBES/$label" "$OUT/bin/probe-$n/${path##*/}"
			path=$OUT/bin/probe-$n/${path##*/}
		fi
		GUEST_SPECS+=("$path${mode:+:$mode}")
	done
	[ ${#GUEST_SPECS[@]} -gt 0 ] || die "no runtime"

	# ------------------------------------------------------- suite build --
	# run.sh has no build-only mode: run it with a pattern that matches no
	# file; it builds (or finds the cached build), then stops with exit 2
	# and "no validation file matches".  The guest finds the same build:
	# the cache key is the source tree's content and `go version`, the same
	# there (the guest's / is the host's).
	mkdir -p "$CACHE" || die "cannot create $CACHE"
	CACHE=$(cd "$CACHE" && pwd -P)
	guest_visible "$CACHE" || SHARES+=("$CACHE")
	BUILD_ARGS=(--cache "$CACHE")
	if [ -n "$RT_TOOLS" ]; then
		RT_TOOLS=$(cd "$RT_TOOLS" && pwd -P) || die "no directory $RT_TOOLS"
		BUILD_ARGS+=(--runtime-tools "$RT_TOOLS")
		guest_visible "$RT_TOOLS" || SHARES+=("$RT_TOOLS")
	fi
	echo "conformance-v2: building the suite on the host"
	build_log=$OUT/build.log
	bash "$RUN_SH" --runtime /bin/true "${BUILD_ARGS[@]}" --only '/nothing-v2-build-only/' >"$build_log" 2>&1
	brc=$?
	suite=$(sed -n -e 's/^conformance: suite: cached build \(.*\) (source .*)$/\1/p' \
		-e 's/^conformance: suite: building .* in \(.*\) (log: .*)$/\1/p' "$build_log" | tail -1)
	if [ $brc != 2 ] || ! grep -q 'no validation file matches' "$build_log" ||
		[ -z "$suite" ] || [ ! -f "$suite/.complete" ]; then
		cat "$build_log" >&2
		die "building the suite failed (run.sh exit $brc)"
	fi
	echo "conformance-v2: suite build $suite ($(($(date +%s) - START))s)"
fi

# --------------------------------------------------------- expected list --
# The strict entries go to run.sh (a copy in OUT, shared); the "created"
# ones are checked here afterwards.
STRICT=""
declare -A WANT=()
if [ -n "$EXPECTED" ]; then
	STRICT=$OUT/expected-strict.txt
	: >"$STRICT"
	while read -r name word rest; do
		[ -n "$name" ] || continue
		name=${name##*/}
		name=${name%.t}
		[ -z "$rest" ] || die "$EXPECTED: too many words after $name"
		case "$word" in
		"" | flaky) echo "$name $word" >>"$STRICT"; WANT[$name]=clean ;;
		created) WANT[$name]=created ;;
		*) die "$EXPECTED: unknown word '$word' after $name" ;;
		esac
	done < <(sed -e 's/#.*//' "$EXPECTED")
fi
if [ -z "$ONLY" ]; then
	ONLY=$DEFAULT_FILES
	for name in "${!WANT[@]}"; do ONLY=$ONLY,$name; done
fi

# ------------------------------------------------------------------ guest --
vrc=0
vm_secs=0
if [ $NO_RUN = 0 ]; then
	GUEST_CMD=(bash tests/conformance/run.sh --cache "$CACHE" --out "$RESULTS"
		--timeout "$FILE_TIMEOUT" --only "$ONLY")
	for spec in "${GUEST_SPECS[@]}"; do GUEST_CMD+=(--runtime "$spec"); done
	[ -z "$RT_TOOLS" ] || GUEST_CMD+=(--runtime-tools "$RT_TOOLS")
	[ -z "$STRICT" ] || GUEST_CMD+=(--expected "$STRICT")
	[ -z "$RETRIES" ] || GUEST_CMD+=(--retries "$RETRIES")
	[ $VERBOSE = 0 ] || GUEST_CMD+=(--verbose)
	[ -z "$REPORT" ] || GUEST_CMD+=(--report "$OUT/report.md")

	VM_ARGS=(--timeout "$VM_TIMEOUT" "${VM_OPTS[@]}")
	while IFS= read -r d; do VM_ARGS+=(--share "$d"); done < <(printf '%s\n' "${SHARES[@]}" | sort -u)

	echo "conformance-v2: booting the cgroup v2 guest (limit ${VM_TIMEOUT}s): ${GUEST_CMD[*]}"
	vm_start=$(date +%s)
	(cd "$REPO" && exec "$VM_SH" "${VM_ARGS[@]}" -- "${GUEST_CMD[@]}") 2>&1 | tee "$OUT/guest.log"
	vrc=${PIPESTATUS[0]}
	vm_secs=$(($(date +%s) - vm_start))
	case $vrc in
	124) echo "conformance-v2: the VM run hit --timeout ${VM_TIMEOUT}s" >&2 ;;
	125) echo "conformance-v2: the VM failed (run-in-vm.sh exit 125)" >&2 ;;
	esac
	if [ -n "$REPORT" ] && [ -f "$OUT/report.md" ]; then
		cp "$OUT/report.md" "$REPORT" && echo "conformance-v2: report copied to $REPORT"
	fi
fi

# ------------------------------------------------------------ v2 values --
# What a config asks of the v2 files, one "NAME VALUE" per line, with the
# conversions runc and crun use (both give the same numbers here):
# cpu.weight = 1 + (shares - 2) * 9999 / 262142, io.weight = 1 + (weight -
# 10) * 9999 / 990, memory.swap.max = swap - limit, memory.low = reservation.
# "path P" is the cgroupsPath (absolute: the cgroup must be P; relative: it
# must end in /P).
EXPECT_JQ='
def int: floor | tostring;
.cgroupsPath as $p | (.resources // {}) as $r |
(if $p then "path " + $p else empty end),
($r.cpu // {} |
	(if .shares then "cpu.weight " + (1 + (((.shares - 2) * 9999) / 262142 | floor) | tostring) else empty end),
	(if (.quota // 0) > 0 or .period then
		"cpu.max " + (if (.quota // 0) > 0 then (.quota | int) else "max" end) + " " + ((.period // 100000) | int)
	else empty end),
	(if (.cpus // "") != "" then "cpuset.cpus " + .cpus else empty end),
	(if (.mems // "") != "" then "cpuset.mems " + .mems else empty end)),
($r.pids // {} | if .limit then "pids.max " + (if .limit > 0 then (.limit | int) else "max" end) else empty end),
($r.memory // {} |
	(if .limit then "memory.max " + (.limit | int) else empty end),
	(if .reservation then "memory.low " + (.reservation | int) else empty end),
	(if .swap and .limit and .swap > 0 and .limit > 0 then "memory.swap.max " + ((.swap - .limit) | int) else empty end)),
(($r.hugepageLimits // [])[] | "hugetlb." + .pageSize + ".max " + (.limit | int)),
($r.blockIO // {} | if .weight then "io.weight default " + (1 + (((.weight - 10) * 9999) / 990 | floor) | tostring) else empty end)
'

# Check the records of one .probe file; sets VAL_N (values compared),
# VAL_BAD (a "; " list of mismatches) and VAL_RECORDS.
VAL_N=0
VAL_BAD=""
VAL_RECORDS=0
check_values() {
	local file=$1 tag rest cfg="" cg="" bad=() key want got
	declare -A have=()
	VAL_N=0
	VAL_BAD=""
	VAL_RECORDS=0
	flush() {
		[ -n "$cfg" ] || return 0
		VAL_RECORDS=$((VAL_RECORDS + 1))
		while read -r key want; do
			[ -n "$key" ] || continue
			VAL_N=$((VAL_N + 1))
			if [ "$key" = path ]; then
				case "$want" in
				/*) [ "$cg" = "$want" ] || bad+=("cgroup is $cg, not $want") ;;
				*) case "$cg" in */"$want") ;; *) bad+=("cgroup $cg does not end in /$want") ;; esac ;;
				esac
				continue
			fi
			got=${have[$key]-<missing>}
			[ "$got" = "$want" ] || bad+=("$key is '$got', config wants '$want' ($cg)")
		done < <(jq -r "$EXPECT_JQ" <<<"$cfg" 2>/dev/null || echo "jq cannot read the config")
		cfg=""
		cg=""
		have=()
	}
	while read -r tag rest; do
		case "$tag" in
		==) flush ;;
		config) cfg=$rest ;;
		cgroup) cg=$rest ;;
		file) have[${rest%% *}]=${rest#* } ;;
		esac
	done <"$file"
	flush
	if [ ${#bad[@]} -gt 0 ]; then
		VAL_BAD=$(printf '%s; ' "${bad[@]}" | sort -u | head -c 600)
		VAL_BAD=${VAL_BAD%; }
	fi
	return 0
}

# -------------------------------------------------------- classification --
# Every file that ran gets one of:
#   clean    run.sh's "clean" (and no wrong v2 value);
#   created  not clean only because the suite cannot read cgroup v2: it
#            exited 0 with its TAP plans matching, and every "not ok" line
#            is directly followed by the suite's "# cgroupv2 is not
#            supported yet" (at least one); or it exited 1 with no test
#            point and that message as its whole stderr (util.Fatal of the
#            error a RuntimeOutsideValidate callback returned after create,
#            linux_cgroups_hugetlb).  Also required: nothing on stderr that
#            says the runtime failed ("failed to create/start the
#            container", a Go panic, "Clean:", "failed to delete the
#            container"), nothing left behind (run.sh's "left N
#            container(s)/mount(s)/cgroup dir(s)"), and, with the probe, no
#            v2 value that differs from the config;
#   not ok   anything else.
# Sets V2_STATUS and V2_WHY for file $2 of results directory $1.
V2_STATUS=""
V2_WHY=""
STUB='cgroupv2 is not supported yet'
classify() {
	local dir=$1 name=$2 tap=$1/$2.tap err=$1/$2.stderr line clean ok nok rc why w=() shape vals=""
	local probe=$PROBES/${1##*/}/$2.probe
	line=$(awk -F'\t' -v n="$name" '$1 == n' "$dir/summary.tsv")
	if [ -z "$line" ]; then
		V2_STATUS="not run"
		V2_WHY="did not run"
		return
	fi
	IFS=$'\t' read -r _ _ clean ok nok _ rc _ why <<<"$line"
	if [ -f "$probe" ]; then
		check_values "$probe"
		[ -z "$VAL_BAD" ] || w+=("wrong v2 value: $VAL_BAD")
		vals="$VAL_N v2 values of $VAL_RECORDS container(s) right"
		[ -z "$VAL_BAD" ] || vals=""
	fi
	if [ "$clean" = 1 ]; then
		if [ ${#w[@]} = 0 ]; then
			V2_STATUS=clean
			V2_WHY=$vals
		else
			V2_STATUS="not ok"
			V2_WHY="clean for the suite; ${w[*]}"
		fi
		return
	fi
	if [ "$rc" = 1 ] && [ "$ok" = 0 ] && [ "$nok" = 0 ] && [ "$(cat "$err" 2>/dev/null)" = "$STUB" ]; then
		shape=fatal
	else
		shape=tap
		[ "$rc" = 0 ] || w+=("exit $rc")
		case "$why" in *"no TAP plan"* | *"plans add up"*) w+=("TAP plans do not match") ;; esac
		line=$(awk -v stub="# $STUB" '
			pending { if ($0 != stub) bad++; pending = 0 }
			/^not ok/ { n++; pending = 1 }
			END {
				if (pending) bad++
				if (n == 0) print "no cgroup check reached"
				else if (bad) print bad " not ok that are not the v2 stub"
			}' "$tap")
		[ -z "$line" ] || w+=("$line")
	fi
	line=$(grep -m1 -E '^failed to (create|start) the container' "$err")
	[ -z "$line" ] || w+=("$line: $(grep -m1 -vE '^(failed to |exit status )' "$err" | cut -c1-240)")
	line=$(grep -m1 '^panic: ' "$err")
	[ -z "$line" ] || w+=("Go $line")
	line=$(grep -m1 '^Clean: ' "$err")
	[ -z "$line" ] || w+=("${line:0:200}")
	grep -q '^failed to delete the container' "$err" && w+=("failed to delete the container")
	line=$(grep -oE 'left [0-9]+ [a-z]+( dir)?\(s\)' <<<"$why" | paste -sd, - | sed 's/,/, /g')
	[ -z "$line" ] || w+=("$line")
	if [ ${#w[@]} = 0 ]; then
		V2_STATUS=created
		V2_WHY="suite cannot read v2"
		[ $shape = tap ] || V2_WHY="$V2_WHY (util.Fatal after create)"
		[ -z "$vals" ] || V2_WHY="$V2_WHY; $vals"
	else
		V2_STATUS="not ok"
		V2_WHY=$(printf '%s; ' "${w[@]}")
		V2_WHY=${V2_WHY%; }
	fi
}

COMPARE_FAIL=0
if [ -d "$RESULTS" ]; then
	for dir in "$RESULTS"/*/; do
		dir=${dir%/}
		[ -f "$dir/summary.tsv" ] || continue
		label=${dir##*/}
		: >"$dir/v2-summary.tsv"
		nclean=0 ncreated=0 nnot=0
		while IFS=$'\t' read -r name _; do
			classify "$dir" "$name"
			printf '%s\t%s\t%s\n' "$name" "$V2_STATUS" "$V2_WHY" >>"$dir/v2-summary.tsv"
			case "$V2_STATUS" in
			clean) nclean=$((nclean + 1)) ;;
			created) ncreated=$((ncreated + 1)) ;;
			*) nnot=$((nnot + 1)) ;;
			esac
			printf '  %-34s %-8s %s\n' "$name" "$V2_STATUS" "$V2_WHY"
		done <"$dir/summary.tsv"
		echo "conformance-v2: $label: $nclean clean, $ncreated created (the suite cannot check v2), $nnot not ok"
		[ -n "$EXPECTED" ] || continue
		pass=0 fail=0 notrun=0 extra=()
		for name in $(printf '%s\n' "${!WANT[@]}" | sort); do
			classify "$dir" "$name"
			if [ "$V2_STATUS" = "not run" ]; then
				notrun=$((notrun + 1))
			elif [ "$V2_STATUS" = clean ] || { [ "${WANT[$name]}" = created ] && [ "$V2_STATUS" = created ]; }; then
				pass=$((pass + 1))
				[ "${WANT[$name]}" = clean ] || [ "$V2_STATUS" != clean ] ||
					echo "conformance-v2: $label: $name is clean: it can move to the strict list"
			else
				fail=$((fail + 1))
				echo "conformance-v2: $label: EXPECTED ${WANT[$name]^^} but $V2_STATUS: $name ($V2_WHY)"
			fi
		done
		while IFS=$'\t' read -r name st _; do
			[ -z "${WANT[$name]:-}" ] || continue
			case "$st" in clean | created) extra+=("$name ($st)") ;; esac
		done <"$dir/v2-summary.tsv"
		[ ${#extra[@]} = 0 ] ||
			echo "conformance-v2: $label: passes but not in $(basename "$EXPECTED"): ${extra[*]}"
		[ $notrun = 0 ] || echo "conformance-v2: $label: $notrun listed file(s) did not run (--only)"
		[ $fail = 0 ] || COMPARE_FAIL=1
		echo "conformance: $label on cgroup v2: $pass passed, $fail failed"
	done
elif [ -n "$EXPECTED" ]; then
	COMPARE_FAIL=1
	echo "conformance-v2: no results in $RESULTS" >&2
fi

[ $NO_RUN = 1 ] ||
	echo "conformance-v2: $(($(date +%s) - START))s in all (VM ${vm_secs}s, host clock), results in $RESULTS"
# the run's own failures first: 124 VM timeout, 125 VM failure, 2 run.sh
case "$vrc" in 0 | 1) ;; *) exit "$vrc" ;; esac
if [ -n "$EXPECTED" ]; then
	# run.sh's exit 1 is its compare of the same strict files
	[ $COMPARE_FAIL = 0 ] && [ "$vrc" = 0 ] && exit 0
	exit 1
fi
exit "$vrc"
