#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the OCI runtime-tools validation suite (validation/*/*.t) against one
# or more OCI runtimes, one file at a time, and summarise the TAP output.
# See tests/conformance/README.md for the options, the meaning of "clean"
# and the way each runtime can be run.

set -u -o pipefail

PROG=${0##*/}
ORIG_CMD="$0 $*"
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=labels.sh
. "$SCRIPT_DIR/labels.sh"
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)

usage() {
	cat <<EOF
usage: $PROG [options]

  --runtime SPEC        runtime to test; repeatable, or a comma list.  SPEC is
                        PATH[:MODE[+MODE]], MODE one of
                          plain       run the suite as is (default)
                          no-unified  run each file in a private mount
                                      namespace where /sys/fs/cgroup/unified
                                      is unmounted (crun refuses hybrid hosts)
                          oci-1.0     put oci10-shim.sh in front of the
                                      runtime: ociVersion 1.N.M (N>=1) becomes
                                      1.0.2 before create (crun 1.8.1)
                        default: $REPO/hull
  --runtime-tools DIR   runtime-tools source tree (default: \$RUNTIME_TOOLS,
                        else ../shared/runtime-tools beside the repository)
  --only PATTERNS       comma list of shell globs on the file name
                        (e.g. 'linux_cgroups_*,hooks'); default: all files
  --timeout SECS        per-file time limit (default 120)
  --out DIR             keep each file's TAP and stderr under DIR/<runtime>/
                        (default: a new directory under \$TMPDIR)
  --expected FILE       compare mode: exit 1 when a listed file is not clean
  --report FILE.md      write a Markdown report of all runtimes in DIR
  --no-run              do not run anything; re-read --out DIR (to redo
                        --report or --expected from saved results)
  --cache DIR           build cache (default \$TMPDIR/hull-conformance-cache)
  --retries N           extra attempts for files marked "flaky" in --expected
                        (default 2)
  --rebuild             rebuild the suite even when a cached build exists
  --verbose             print the TAP and stderr of every file not clean
  -h, --help            this text
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 2
}
warn() { echo "$PROG: warning: $*" >&2; }

# ---------------------------------------------------------------- options --
RUNTIME_SPECS=()
RT_TOOLS=${RUNTIME_TOOLS:-}
ONLY=""
TIMEOUT=120
OUT=""
EXPECTED=""
REPORT=""
NO_RUN=0
CACHE=""
REBUILD=0
VERBOSE=0
RETRIES=2

need_arg() { [ $# -ge 2 ] || die "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--runtime) need_arg "$@"; IFS=, read -r -a _l <<<"$2"; RUNTIME_SPECS+=("${_l[@]}"); shift 2 ;;
	--runtime=*) IFS=, read -r -a _l <<<"${1#*=}"; RUNTIME_SPECS+=("${_l[@]}"); shift ;;
	--runtime-tools) need_arg "$@"; RT_TOOLS=$2; shift 2 ;;
	--runtime-tools=*) RT_TOOLS=${1#*=}; shift ;;
	--only) need_arg "$@"; ONLY=$2; shift 2 ;;
	--only=*) ONLY=${1#*=}; shift ;;
	--timeout) need_arg "$@"; TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--out) need_arg "$@"; OUT=$2; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--expected) need_arg "$@"; EXPECTED=$2; shift 2 ;;
	--expected=*) EXPECTED=${1#*=}; shift ;;
	--report) need_arg "$@"; REPORT=$2; shift 2 ;;
	--report=*) REPORT=${1#*=}; shift ;;
	--no-run) NO_RUN=1; shift ;;
	--cache) need_arg "$@"; CACHE=$2; shift 2 ;;
	--cache=*) CACHE=${1#*=}; shift ;;
	--rebuild) REBUILD=1; shift ;;
	--retries) need_arg "$@"; RETRIES=$2; shift 2 ;;
	--retries=*) RETRIES=${1#*=}; shift ;;
	--verbose | -v) VERBOSE=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

case "$TIMEOUT" in '' | *[!0-9]*) die "--timeout wants a number of seconds" ;; esac
case "$RETRIES" in '' | *[!0-9]*) die "--retries wants a number" ;; esac
[ "$TIMEOUT" -gt 0 ] || die "--timeout must be > 0"
[ -z "$EXPECTED" ] || [ -r "$EXPECTED" ] || die "cannot read $EXPECTED"
[ ${#RUNTIME_SPECS[@]} -gt 0 ] || RUNTIME_SPECS=("$REPO/hull")

BASE_TMP=${TMPDIR:-/tmp}
BASE_TMP=${BASE_TMP%/}
[ -n "$CACHE" ] || CACHE=$BASE_TMP/hull-conformance-cache

if [ $NO_RUN = 1 ]; then
	[ -n "$OUT" ] && [ -d "$OUT" ] || die "--no-run needs an existing --out DIR"
	OUT=$(cd "$OUT" && pwd)
else
	[ "$(id -u)" = 0 ] || die "the validation suite must run as root"
fi

# The results directory (made once the suite is built).
make_out_dir() {
	if [ -z "$OUT" ]; then
		mkdir -p "$BASE_TMP" || die "cannot create $BASE_TMP"
		OUT=$(mktemp -d "$BASE_TMP/hull-conformance-out.XXXXXX") || die "mktemp failed"
	fi
	mkdir -p "$OUT" || die "cannot create $OUT"
	OUT=$(cd "$OUT" && pwd)
}

# --------------------------------------------------------------- runtimes --
# Each runtime gets: RT_PATH[i] (absolute), RT_MODE[i] (flags joined by +),
# RT_LABEL[i] (file-safe name for results).
RT_PATH=()
RT_MODE=()
RT_LABEL=()
valid_mode() {
	local f
	for f in ${1//+/ }; do
		case "$f" in plain | no-unified | oci-1.0) ;; *) return 1 ;; esac
	done
	[ -n "$1" ]
}
has_flag() { case "+$1+" in *"+$2+"*) return 0 ;; esac; return 1; }
parse_runtimes() {
	local spec path mode label
	for spec in "${RUNTIME_SPECS[@]}"; do
		[ -n "$spec" ] || continue
		path=$spec
		mode=plain
		case "$spec" in
		*:*)
			mode=${spec##*:}
			path=${spec%:*}
			valid_mode "$mode" || die "unknown runtime mode in '$spec' (plain, no-unified, oci-1.0)"
			;;
		esac
		if [ $NO_RUN = 0 ]; then
			case "$path" in
			*/*) [ -x "$path" ] || die "runtime $path is not executable" ;;
			*) path=$(command -v "$path") || die "runtime '$spec' not found in PATH" ;;
			esac
			path=$(realpath "$path")
		fi
		label=$(runtime_label "$path" "$mode" "${RT_LABEL[@]}")
		RT_PATH+=("$path")
		RT_MODE+=("$mode")
		RT_LABEL+=("$label")
	done
}
parse_runtimes

# MODE_CMD: the command prefix that runs a program the way mode $1 says.
NO_UNIFIED_SCRIPT='if mountpoint -q /sys/fs/cgroup/unified; then
	umount /sys/fs/cgroup/unified || exit 125
fi
exec "$@"'
mode_cmd() {
	MODE_CMD=()
	if has_flag "$1" no-unified; then
		MODE_CMD=(unshare --mount --propagation private -- /bin/sh -c "$NO_UNIFIED_SCRIPT" sh)
	fi
}

# Run runtime command "$3..." for runtime mode $1 with a time limit of $2 s.
rt_cmd() {
	local mode=$1 secs=$2
	shift 2
	mode_cmd "$mode"
	timeout -k 5 "$secs" "${MODE_CMD[@]}" "$@" </dev/null
}

mode_description() {
	local d
	if has_flag "$1" no-unified; then
		d="no-unified: each file runs under \`unshare -m\` (private propagation) with /sys/fs/cgroup/unified unmounted"
	else
		d="plain: the suite runs in the host's namespaces"
	fi
	if has_flag "$1" oci-1.0; then
		d="$d; oci-1.0: through oci10-shim.sh (ociVersion 1.N.M rewritten to 1.0.2 before create)"
	fi
	echo "$d"
}

# ------------------------------------------------------------ suite build --
SUITE=""
build_suite() {
	local src key dir tmp gover
	if [ -z "$RT_TOOLS" ] && [ -d "$REPO/../shared/runtime-tools" ]; then
		RT_TOOLS=$REPO/../shared/runtime-tools
	fi
	[ -n "$RT_TOOLS" ] || die "no runtime-tools tree: pass --runtime-tools DIR"
	[ -f "$RT_TOOLS/Makefile" ] && [ -d "$RT_TOOLS/validation" ] ||
		die "$RT_TOOLS does not look like a runtime-tools tree"
	src=$(cd "$RT_TOOLS" && pwd)
	command -v go >/dev/null || die "go not found (apt-get install golang-go)"
	command -v make >/dev/null || die "make not found"
	gover=$(go version)
	# The key is the content of the source tree (without build outputs) and
	# the Go toolchain: an edited tree or another Go gets a fresh build.
	key=$( (
		cd "$src" &&
			find . -name .git -prune -o -type f ! -name '*.t' ! -name runtimetest \
				! -name oci-runtime-tool -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
		echo "$gover"
	) | sha256sum | cut -c1-16)
	dir=$CACHE/build-$key
	if [ $REBUILD = 1 ] && [ -d "$dir" ]; then
		rm -rf "$dir"
	fi
	if [ -f "$dir/.complete" ]; then
		echo "conformance: suite: cached build $dir (source $src)"
	else
		mkdir -p "$CACHE" || die "cannot create $CACHE"
		rm -rf "$dir"
		tmp=$(mktemp -d "$CACHE/tmp-build.XXXXXX") || die "mktemp failed"
		echo "conformance: suite: building $src in $dir (log: $dir/build.log)"
		cp -a "$src/." "$tmp/" && chmod -R u+w "$tmp" || die "cannot copy $src"
		rm -rf "$tmp/.git"
		if ! (cd "$tmp" && env GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local \
			GOCACHE="$CACHE/gocache" GOPATH="$CACHE/gopath" \
			make runtimetest validation-executables) >"$tmp/build.log" 2>&1; then
			tail -20 "$tmp/build.log" >&2
			rm -rf "$tmp"
			die "building the suite failed"
		fi
		mv "$tmp" "$dir" || die "cannot move the build into $dir"
		touch "$dir/.complete"
		# builds of other source trees (about 200 MB each) are not kept
		find "$CACHE" -mindepth 1 -maxdepth 1 -name 'build-*' ! -path "$dir" \
			-exec rm -rf {} + 2>/dev/null
	fi
	SUITE=$dir
}

# File names (validation/<name>/<name>.t) selected by --only.
select_files() {
	local t name pat pats matched
	IFS=, read -r -a pats <<<"$ONLY"
	for t in "$SUITE"/validation/*/*.t; do
		[ -x "$t" ] || continue
		name=${t##*/}
		name=${name%.t}
		if [ -n "$ONLY" ]; then
			matched=0
			for pat in "${pats[@]}"; do
				pat=${pat##*/}
				pat=${pat%.t}
				# shellcheck disable=SC2053
				[[ $name == $pat ]] && matched=1
			done
			[ $matched = 1 ] || continue
		fi
		echo "$name"
	done
}

# ------------------------------------------------------ host cleanliness --
RUN_TMP=""     # TMPDIR of the suite: bundles are $RUN_TMP/ocitest*
CUR_MODE=plain # mode of the runtime being run (for container cleanup)
CUR_RT=""

# Mount points under $RUN_TMP/ocitest*, deepest first.
leaked_mounts() {
	local prefix=$RUN_TMP/ocitest
	awk '{print $5}' /proc/self/mountinfo | while read -r m; do
		m=$(printf '%b' "$m") # \040 etc.
		case "$m" in
		"$prefix"*) ;;
		*) continue ;;
		esac
		case "$m" in */../* | */..) continue ;; esac
		echo "$(tr -dc / <<<"$m" | wc -c) $m"
	done | sort -rn -k1,1 | cut -d' ' -f2- | uniq
}

unmount_leaks() {
	local pass m n=0 left
	for pass in 1 2 3 4 5; do
		left=$(leaked_mounts)
		[ -n "$left" ] || break
		while IFS= read -r m; do
			[ -n "$m" ] || continue
			if umount -- "$m" 2>/dev/null || umount -l -- "$m" 2>/dev/null; then
				n=$((n + 1))
			fi
		done <<<"$left"
	done
	left=$(leaked_mounts)
	[ -z "$left" ] || warn "could not unmount: ${left//$'\n'/ }"
	echo $n
}

# Container IDs known to runtime $1 (mode $2): `list -q` plus the entries of
# the usual state directory /run/<name>.
runtime_ids() {
	local rt=$1 mode=$2 root
	root=/run/${rt##*/}
	{
		rt_cmd "$mode" 30 env -u XDG_RUNTIME_DIR "$rt" list -q 2>/dev/null | awk 'NF==1'
		[ -d "$root" ] && find "$root" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'
	} | sort -u
}

declare -A PRE_IDS=()
snapshot_ids() {
	local id
	PRE_IDS=()
	while IFS= read -r id; do
		[ -n "$id" ] && PRE_IDS[$id]=1
	done < <(runtime_ids "$1" "$2")
}

# Force-delete the suite's containers left behind: IDs that appeared since
# the snapshot, shaped like the suite's (uuid.NewString()), and whose bundle,
# when `state` still answers, is one of our bundles.  Prints how many.
UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
delete_new_containers() {
	local rt=$1 mode=$2 id n=0 bundle
	while IFS= read -r id; do
		[ -n "$id" ] || continue
		[ -z "${PRE_IDS[$id]:-}" ] || continue
		[[ $id =~ $UUID_RE ]] || continue
		bundle=$(rt_cmd "$mode" 30 "$rt" state "$id" 2>/dev/null |
			sed -n 's/.*"bundle\(Path\)\{0,1\}"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\2/p' | head -1)
		case "$bundle" in
		"" | "$RUN_TMP"/*) ;;
		*) continue ;;
		esac
		rt_cmd "$mode" 30 "$rt" kill "$id" KILL >/dev/null 2>&1
		rt_cmd "$mode" 30 "$rt" delete --force "$id" >/dev/null 2>&1 ||
			rt_cmd "$mode" 30 "$rt" delete "$id" >/dev/null 2>&1
		n=$((n + 1))
		if runtime_ids "$rt" "$mode" | grep -qxF -- "$id"; then
			warn "container $id of $rt could not be deleted"
		fi
	done < <(runtime_ids "$rt" "$mode")
	echo $n
}

# The suite's own fixed cgroup names (cgroups/cgroups.go: AbsCgroupPath
# "/cgrouptest", RelCgroupPath "testdir/cgrouptest/container"), created by
# the runtime under each hierarchy's root or under our own cgroup.
CG_NAMES=(testdir/cgrouptest/container testdir/cgrouptest testdir cgrouptest)
cgroup_candidates() {
	local mnt fstype opts line ctrl own bases b name
	while read -r _ _ _ _ mnt _ rest; do
		fstype=${rest#*- }
		fstype=${fstype%% *}
		case "$fstype" in cgroup | cgroup2) ;; *) continue ;; esac
		mnt=$(printf '%b' "$mnt")
		opts=${rest##* }
		bases=("$mnt")
		# our own cgroup in that hierarchy, for relative cgroupsPath
		while IFS=: read -r _ ctrl own; do
			if [ "$fstype" = cgroup2 ] && [ -z "$ctrl" ]; then
				bases+=("$mnt$own")
			elif [ -n "$ctrl" ]; then
				for b in ${ctrl//,/ }; do
					case ",$opts," in *",$b,"*) bases+=("$mnt$own") ;; esac
				done
			fi
		done </proc/self/cgroup
		for b in $(printf '%s\n' "${bases[@]}" | sort -u); do
			for name in "${CG_NAMES[@]}"; do
				echo "${b%/}/$name"
			done
		done
	done </proc/self/mountinfo
}

declare -A PRE_CG=()
record_cgroups() {
	local d
	while IFS= read -r d; do
		if [ -d "$d" ]; then
			PRE_CG[$d]=1
			warn "$d existed before the run; it is left alone"
		fi
	done < <(cgroup_candidates)
}

remove_cgroups() {
	local d n=0
	while IFS= read -r d; do
		[ -d "$d" ] || continue
		[ -z "${PRE_CG[$d]:-}" ] || continue
		if rmdir "$d" 2>/dev/null; then
			n=$((n + 1))
		else
			warn "cannot remove cgroup $d (busy?)"
		fi
	done < <(cgroup_candidates)
	echo $n
}

# Everything after one file: containers, mounts, bundles, cgroups.
LEAK_NOTE=""
clean_after_file() {
	local c m cg
	c=$(delete_new_containers "$CUR_RT" "$CUR_MODE")
	m=$(unmount_leaks)
	if [ -z "$(leaked_mounts)" ]; then
		find "$RUN_TMP" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} + 2>/dev/null
	fi
	cg=$(remove_cgroups)
	LEAK_NOTE=""
	[ "$c" = 0 ] || LEAK_NOTE="$LEAK_NOTE, left $c container(s)"
	[ "$m" = 0 ] || LEAK_NOTE="$LEAK_NOTE, left $m mount(s)"
	[ "$cg" = 0 ] || LEAK_NOTE="$LEAK_NOTE, left $cg cgroup dir(s)"
	LEAK_NOTE=${LEAK_NOTE#, }
}

# State directories /run/<runtime> that did not exist before us.
declare -A PRE_STATE_DIR=()
record_state_dirs() {
	local i d
	for i in "${!RT_PATH[@]}"; do
		d=/run/${RT_PATH[$i]##*/}
		[ -e "$d" ] && PRE_STATE_DIR[$d]=1
	done
}
remove_state_dirs() {
	local i d
	for i in "${!RT_PATH[@]}"; do
		d=/run/${RT_PATH[$i]##*/}
		[ -z "${PRE_STATE_DIR[$d]:-}" ] || continue
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

final_cleanup() {
	if [ -n "$RUN_TMP" ] && [ -d "$RUN_TMP" ]; then
		[ -z "$CUR_RT" ] || clean_after_file
		if [ -z "$(leaked_mounts)" ]; then
			rm -rf --one-file-system "$SCRATCH"
		else
			warn "mounts left under $RUN_TMP"
		fi
	fi
	remove_state_dirs
}

on_signal() {
	trap - INT TERM
	echo "$PROG: interrupted, cleaning up" >&2
	[ -z "${CHILD:-}" ] || kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null
	sleep 1
	final_cleanup
	exit 130
}

# ----------------------------------------------------------- TAP analysis --
# Sets: F_OK (ok lines, skips included), F_SKIP, F_NOK, F_STATUS, F_CLEAN,
# F_WHY (comma list of reasons why not clean / notes).
analyze() {
	local tap=$1 err=$2 rc=$3 points plan diag=()
	F_OK=$(grep -c '^ok\b' "$tap")
	F_SKIP=$(grep -ciE '^ok\b[^#]*#[[:space:]]*skip' "$tap")
	F_NOK=$(grep -c '^not ok\b' "$tap")
	points=$((F_OK + F_NOK))
	# Some files print several TAP documents (linux_cgroups_cpus): the plans add up.
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tap" | awk '{ s += $1; n++ } END { if (n) print s }')

	# Error diagnostics (see README.md, "What counts as clean").
	grep -qE '^(panic: |fatal error: |goroutine [0-9]+ \[)' "$err" && diag+=("Go panic")
	grep -q '^Clean: ' "$err" && diag+=("cleanup failed (Clean:)")
	grep -q '^WARNING: ' "$err" && diag+=("$(grep -m1 '^WARNING: ' "$err" | cut -c10-)")
	grep -q '^failed to delete the container' "$err" && diag+=("failed to delete the container")
	grep -q '^Bail out!' "$tap" && diag+=("Bail out")
	if [ "$points" = 0 ]; then
		grep -qE '^failed to (create|start) the container' "$err" &&
			diag+=("$(grep -m1 -E '^failed to (create|start) the container' "$err")")
		grep -qE '^[[:space:]]+"error": "[^"]' "$tap" && diag+=("error diagnostic in TAP")
	fi

	F_WHY=()
	case "$rc" in
	0) ;;
	124 | 137) F_WHY+=("timeout after ${TIMEOUT}s") ;;
	125) F_WHY+=("could not set up mode") ;;
	*) F_WHY+=("exit $rc") ;;
	esac
	[ "$F_NOK" = 0 ] || F_WHY+=("$F_NOK not ok")
	if [ "$points" = 0 ]; then
		F_WHY+=("no test points")
	elif [ $((F_OK - F_SKIP)) = 0 ] && [ "$F_NOK" = 0 ]; then
		F_WHY+=("all skipped")
	fi
	if [ -z "$plan" ]; then
		F_WHY+=("no TAP plan")
	elif [ "$plan" != "$points" ]; then
		F_WHY+=("plans add up to $plan but $points test points")
	fi
	F_WHY+=("${diag[@]}")

	if [ ${#F_WHY[@]} = 0 ]; then
		F_CLEAN=1
		F_STATUS=ok
	else
		F_CLEAN=0
		if [ "$rc" = 0 ] && [ "$F_NOK" = 0 ] && [ "$points" -gt 0 ] && [ $((F_OK - F_SKIP)) = 0 ]; then
			F_STATUS=skipped
		else
			F_STATUS="not ok"
		fi
	fi
}

join_by() {
	local sep=$1 out="" x
	shift
	for x in "$@"; do
		[ -n "$x" ] || continue
		out=${out:+$out$sep}$x
	done
	echo "$out"
}

# ------------------------------------------------------------- run a file --
run_one_runtime() {
	local i=$1 rt=${RT_PATH[$1]} mode=${RT_MODE[$1]} label=${RT_LABEL[$1]}
	local dir=$OUT/$label name t rc s e secs why line n=0 clean=0 tok=0 tnok=0 tskip=0
	local t0 t1 ver exe=$rt tries attempt
	rm -rf "$dir"
	mkdir -p "$dir"
	if has_flag "$mode" oci-1.0; then
		exe=$SCRATCH/shim-$i/${rt##*/}
		mkdir -p "${exe%/*}"
		cp "$SCRIPT_DIR/oci10-shim.sh" "$exe" && chmod 755 "$exe" || die "cannot install the shim"
	fi
	ver=$(timeout 10 "$rt" --version 2>/dev/null </dev/null | head -1)
	[ -n "$ver" ] || ver="(no --version output)"
	CUR_RT=$rt
	CUR_MODE=$mode
	snapshot_ids "$rt" "$mode"
	{
		echo "path=$rt"
		echo "mode=$mode"
		echo "version=$ver"
		echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$dir/meta"
	: >"$dir/summary.tsv"
	echo "conformance: $label: $rt ($ver), $(mode_description "$mode")"
	t0=$(date +%s.%N)
	for name in "${FILES[@]}"; do
		t=validation/$name/$name.t
		tries=1
		[ -z "${FLAKY[$name]:-}" ] || tries=$((1 + RETRIES))
		attempt=0
		while [ $attempt -lt $tries ]; do
			attempt=$((attempt + 1))
			s=$(date +%s.%N)
			mode_cmd "$mode"
			(cd "$SUITE" && exec env -u XDG_RUNTIME_DIR TMPDIR="$RUN_TMP" RUNTIME="$exe" \
				CONFORMANCE_REAL_RUNTIME="$rt" \
				timeout -k 10 "$TIMEOUT" "${MODE_CMD[@]}" "./$t" \
				</dev/null >"$dir/$name.tap" 2>"$dir/$name.stderr") &
			CHILD=$!
			wait $CHILD
			rc=$?
			CHILD=""
			e=$(date +%s.%N)
			clean_after_file
			secs=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.1f", b-a}')
			analyze "$dir/$name.tap" "$dir/$name.stderr" "$rc"
			[ "$F_CLEAN" = 0 ] || break
		done
		why=$(join_by "; " "${F_WHY[@]}" "$LEAK_NOTE")
		if [ $attempt -gt 1 ]; then
			if [ "$F_CLEAN" = 1 ]; then
				why=$(join_by "; " "$why" "flaky: clean on attempt $attempt")
			else
				why=$(join_by "; " "$why" "flaky: not clean in $attempt attempts")
			fi
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$F_STATUS" "$F_CLEAN" \
			"$F_OK" "$F_NOK" "$F_SKIP" "$rc" "$secs" "$why" >>"$dir/summary.tsv"
		line=$(printf '  %-34s %-7s ok=%-4s nok=%-3s skip=%-3s rc=%-3s %6ss' \
			"$name" "$F_STATUS" "$F_OK" "$F_NOK" "$F_SKIP" "$rc" "$secs")
		echo "$line${why:+  ($why)}"
		if [ $VERBOSE = 1 ] && [ "$F_CLEAN" = 0 ]; then
			sed 's/^/    | /' "$dir/$name.tap" "$dir/$name.stderr" | head -60
		fi
		n=$((n + 1))
		clean=$((clean + F_CLEAN))
		tok=$((tok + F_OK))
		tnok=$((tnok + F_NOK))
		tskip=$((tskip + F_SKIP))
	done
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}')
	{
		echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "seconds=$secs"
	} >>"$dir/meta"
	CUR_RT=""
	echo "conformance: $label: $tskip skip, ${secs}s wall time, results in $dir"
	echo "conformance: $label: $n files, $clean clean, $tok ok, $tnok not ok"
}

# ---------------------------------------------------- expected and report --
# Names listed in an expected file (comments and blanks dropped; the first
# word of a line is the file, an optional second word "flaky" marks a file
# that gets RETRIES more attempts when it is not clean).
expected_names() {
	sed -e 's/#.*//' "$1" | awk 'NF { print $1 }' | sed -e 's|.*/||' -e 's/\.t$//' | sort -u
}
declare -A FLAKY=()
load_flaky() {
	local name
	[ -n "$EXPECTED" ] || return 0
	while read -r name; do
		name=${name##*/}
		FLAKY[${name%.t}]=1
	done < <(sed -e 's/#.*//' "$EXPECTED" | awk '$2 == "flaky" { print $1 }')
}

COMPARE_FAIL=0
compare_expected() {
	local label=$1 dir=$OUT/$1 name c w pass=0 fail=0 extra=()
	declare -A ran=() isclean=() why=()
	while IFS=$'\t' read -r name _ c _ _ _ _ _ w; do
		ran[$name]=1
		isclean[$name]=$c
		why[$name]=$w
	done <"$dir/summary.tsv"
	while IFS= read -r name; do
		[ -n "${ran[$name]:-}" ] || continue
		if [ "${isclean[$name]}" = 1 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "conformance: $label: EXPECTED CLEAN but not: $name (${why[$name]})"
		fi
	done < <(expected_names "$EXPECTED")
	for name in "${!ran[@]}"; do
		if [ "${isclean[$name]}" = 1 ] && ! expected_names "$EXPECTED" | grep -qxF "$name"; then
			extra+=("$name")
		fi
	done
	[ ${#extra[@]} = 0 ] ||
		echo "conformance: $label: clean but not in $(basename "$EXPECTED"): $(printf '%s\n' "${extra[@]}" | sort | tr '\n' ' ')"
	echo "conformance: $label: $pass passed, $fail failed"
	[ $fail = 0 ] || COMPARE_FAIL=1
}

meta_get() { sed -n "s/^$2=//p" "$1/meta" | tail -1; }

cgroup_layout() {
	local v1 v2 mnt
	v1=$(awk '{split($0,a," - "); split(a[2],b," "); if (b[1]=="cgroup") print $5}' /proc/self/mountinfo |
		sed 's|.*/||' | sort | tr '\n' ' ')
	v2=$(awk '{split($0,a," - "); split(a[2],b," "); if (b[1]=="cgroup2") print $5}' /proc/self/mountinfo | head -1)
	if [ -n "$v1" ] && [ -n "$v2" ]; then
		echo "hybrid: cgroup v1 hierarchies ${v1% }; cgroup2 at $v2 with controllers [$(cat "$v2/cgroup.controllers" 2>/dev/null)]"
	elif [ -n "$v2" ]; then
		echo "unified: cgroup2 at $v2 with controllers [$(cat "$v2/cgroup.controllers" 2>/dev/null)]"
	else
		echo "legacy: cgroup v1 hierarchies ${v1% }"
	fi
}

write_report() {
	local file=$1 labels=() l dir name cell st c ok nok rc secs w mark
	declare -A CELL=() ALLNAMES=()
	local -A EXP=()
	for l in "${RT_LABEL_REPORT[@]}"; do
		[ -f "$OUT/$l/summary.tsv" ] && labels+=("$l")
	done
	[ ${#labels[@]} -gt 0 ] || die "no results to report in $OUT"
	if [ -n "$EXPECTED" ]; then
		while IFS= read -r name; do EXP[$name]=1; done < <(expected_names "$EXPECTED")
	fi
	{
		echo "# OCI runtime-tools validation: conformance report"
		echo
		echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by \`tests/conformance/run.sh\`."
		echo
		echo "- Machine: \`$(uname -srm)\`, $(nproc) CPUs"
		echo "- cgroups: $(cgroup_layout)"
		echo "- Suite: runtime-tools $(cat "$SUITE_SRC_VERSION" 2>/dev/null || echo '?') from \`${RT_TOOLS_SHOWN}\` (build \`${SUITE_SRC_VERSION%/VERSION}\`)"
		echo "- Per-file timeout: $(sed -n 's/^timeout=//p' "$OUT/run.meta" 2>/dev/null)s"
		echo "- Regenerate: \`${REPORT_CMD}\`"
		echo "- Clean: exit 0, no \`not ok\`, at least one \`ok\` that is not a skip, a plan matching the test points, no error diagnostic (see README.md)"
		echo
		echo "| runtime | version | how it ran | files | clean | ok | not ok | skip | time |"
		echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		for l in "${labels[@]}"; do
			dir=$OUT/$l
			awk -F'\t' -v l="$l" -v v="$(meta_get "$dir" version)" -v m="$(mode_description "$(meta_get "$dir" mode)")" \
				-v s="$(meta_get "$dir" seconds)" '
				{ n++; c += $3; ok += $4; nok += $5; sk += $6 }
				END { printf "| %s | %s | %s | %d | %d | %d | %d | %d | %ss |\n", l, v, m, n, c, ok, nok, sk, s }' \
				"$dir/summary.tsv"
		done
		echo
		printf '| file |'
		[ -z "$EXPECTED" ] || printf ' expected |'
		for l in "${labels[@]}"; do printf ' %s |' "$l"; done
		echo
		printf '| --- |'
		[ -z "$EXPECTED" ] || printf ' :---: |'
		for l in "${labels[@]}"; do printf ' --- |'; done
		echo
		for l in "${labels[@]}"; do
			while IFS=$'\t' read -r name st c ok nok _ rc secs w; do
				ALLNAMES[$name]=1
				if [ "$c" = 1 ]; then
					cell="clean $ok/$nok"
				else
					cell="**$st** $ok/$nok${w:+ ($w)}"
				fi
				CELL[$l/$name]=${cell//|/\\|}
			done <"$OUT/$l/summary.tsv"
		done
		for name in $(printf '%s\n' "${!ALLNAMES[@]}" | sort); do
			printf '| %s |' "$name"
			if [ -n "$EXPECTED" ]; then
				mark=""
				[ -z "${EXP[$name]:-}" ] || mark="yes"
				printf ' %s |' "$mark"
			fi
			for l in "${labels[@]}"; do printf ' %s |' "${CELL[$l/$name]:-—}"; done
			echo
		done
		printf '| **total** |'
		[ -z "$EXPECTED" ] || printf ' %s |' "${#EXP[@]}"
		for l in "${labels[@]}"; do
			awk -F'\t' '{ n++; c += $3; ok += $4; nok += $5 }
				END { printf " %d/%d clean, %d ok, %d not ok |", c, n, ok, nok }' "$OUT/$l/summary.tsv"
		done
		echo
		echo
		echo "Cells: clean or the status, then ok/not-ok line counts (ok includes skips), then why not clean."
	} >"$file"
	echo "conformance: report written to $file"
}

# ------------------------------------------------------------------- main --
if [ $NO_RUN = 0 ]; then
	build_suite
	RT_TOOLS_SHOWN=$(cd "$RT_TOOLS" && pwd -P)
	SUITE_SRC_VERSION=$SUITE/VERSION
	mapfile -t FILES < <(select_files)
	[ ${#FILES[@]} -gt 0 ] || die "no validation file matches '$ONLY'"
	make_out_dir
	command -v timeout >/dev/null || die "timeout (coreutils) not found"
	command -v unshare >/dev/null || die "unshare (util-linux) not found"
	mkdir -p "$BASE_TMP"
	SCRATCH=$(mktemp -d "$BASE_TMP/hull-conformance-run.XXXXXX") || die "mktemp failed"
	RUN_TMP=$SCRATCH/tmp
	mkdir "$RUN_TMP"
	chmod 755 "$SCRATCH" "$RUN_TMP"
	CHILD=""
	trap on_signal INT TERM
	record_state_dirs
	record_cgroups
	load_flaky
	{
		echo "command=$ORIG_CMD"
		echo "runtime_tools=$RT_TOOLS_SHOWN"
		echo "suite_build=$SUITE"
		echo "timeout=$TIMEOUT"
		echo "only=$ONLY"
		echo "labels=${RT_LABEL[*]}"
	} >"$OUT/run.meta"
	for i in "${!RT_PATH[@]}"; do
		run_one_runtime "$i"
	done
	final_cleanup
	trap - INT TERM
	RT_LABEL_REPORT=("${RT_LABEL[@]}")
else
	RT_TOOLS_SHOWN=$(sed -n 's/^runtime_tools=//p' "$OUT/run.meta" 2>/dev/null)
	SUITE_SRC_VERSION=$(sed -n 's/^suite_build=//p' "$OUT/run.meta" 2>/dev/null)/VERSION
	if [ ${#RUNTIME_SPECS[@]} = 1 ] && [ "${RUNTIME_SPECS[0]}" = "$REPO/hull" ]; then
		# every runtime of the saved run, in the order it ran
		read -r -a RT_LABEL_REPORT <<<"$(sed -n 's/^labels=//p' "$OUT/run.meta" 2>/dev/null)"
		[ ${#RT_LABEL_REPORT[@]} -gt 0 ] ||
			mapfile -t RT_LABEL_REPORT < <(find "$OUT" -mindepth 2 -maxdepth 2 -name summary.tsv -printf '%h\n' |
				sed 's|.*/||' | sort)
	else
		RT_LABEL_REPORT=("${RT_LABEL[@]}")
	fi
	for l in "${RT_LABEL_REPORT[@]}"; do
		[ -f "$OUT/$l/summary.tsv" ] || continue
		awk -F'\t' -v l="$l" '{ n++; c += $3; ok += $4; nok += $5 }
			END { printf "conformance: %s: %d files, %d clean, %d ok, %d not ok\n", l, n, c, ok, nok }' \
			"$OUT/$l/summary.tsv"
	done
fi

if [ -n "$REPORT" ]; then
	REPORT_CMD=$(sed -n 's/^command=//p' "$OUT/run.meta" 2>/dev/null)
	[ -n "$REPORT_CMD" ] || REPORT_CMD=$ORIG_CMD
	write_report "$REPORT"
fi
if [ -n "$EXPECTED" ]; then
	for l in "${RT_LABEL_REPORT[@]}"; do
		[ -f "$OUT/$l/summary.tsv" ] && compare_expected "$l"
	done
	exit $COMPARE_FAIL
fi
exit 0
