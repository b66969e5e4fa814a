#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Concurrency (issue 7): many containers through their whole life in
# parallel, many creates of one ID, and delete --force racing kill, state
# and start on one container.  Every command must exit 0 or 1 with a
# message (no crash, no hang), and the host must be clean afterwards
# (assert_host_clean and tests/leaks/check-leaks.sh).  Runs against any
# build of hull (no failpoints needed) and any runc-like runtime.

load helpers

LEAKS=$REPO/tests/leaks/check-leaks.sh
# every runtime command is bounded: a hang shows as exit 124
RT_TIMEOUT=${HULL_TEST_RT_TIMEOUT:-30}

setup() {
	hull_setup
	set_args sleep 1000
	mkdir -p "$T/res"
}

teardown() {
	[ -n "${T:-}" ] || return 0
	local rc=0
	force_delete_all
	leak_check || rc=1
	hull_teardown || rc=1
	return $rc
}

# leak_check: tests/leaks/check-leaks.sh on what this test may have left.
leak_check() {
	"$LEAKS" --quiet --wait 5 --root "$ROOT" --mounts "$T" --mark "$T" \
		--cg-prefix "$HULL_CG_PREFIX" --runtime "${RUNTIME##*/}" >&2
}

# trt ARGS...: `rt ARGS` under a timeout, stdin from /dev/null
trt() {
	HULL_TEST_MARK=$T timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" </dev/null
}

# bundle_for ID: $T/b/ID/config.json, sharing $BUNDLE's rootfs, with its
# own cgroup $CG_TEST-ID.  Prints the bundle dir.
bundle_for() {
	local id=$1 d=$T/b/$1
	mkdir -p "$d"
	jq --arg r "$BUNDLE/rootfs" --arg cg "$CG_TEST-$id" \
		'.root.path = $r | .linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$d/config.json"
	echo "$d"
}

# state_of ID: the status, or "gone" when the runtime says it does not exist
status_of() {
	local out
	out=$(trt state "$1" 2>&1) || {
		echo "gone:$out"
		return 0
	}
	jq -r .status <<<"$out"
}

# lifecycle ID BUNDLE: create, start, running, kill, stopped, delete, gone.
# Prints "ok" or what went wrong.
lifecycle() {
	local id=$1 b=$2 out rc s i pid
	rc=0
	trt create --bundle "$b" "$id" >"$T/res/$id.out" 2>"$T/res/$id.err" || rc=$?
	[ $rc -eq 0 ] || { echo "create: exit $rc: $(cat "$T/res/$id.err")"; return 1; }
	out=$(trt state "$id" 2>&1) || { echo "state after create: $out"; return 1; }
	pid=$(jq -r .pid <<<"$out")
	track_pid "$pid"
	[ "$(jq -r .status <<<"$out")" = created ] || { echo "after create: $out"; return 1; }
	out=$(trt start "$id" 2>&1) || { echo "start: exit $?: $out"; return 1; }
	s=$(status_of "$id")
	[ "$s" = running ] || { echo "after start: $s"; return 1; }
	out=$(trt kill "$id" KILL 2>&1) || { echo "kill: exit $?: $out"; return 1; }
	for ((i = 0; i < 200; i++)); do
		s=$(status_of "$id")
		[ "$s" = stopped ] && break
		sleep 0.05
	done
	[ "$s" = stopped ] || { echo "after kill: $s"; return 1; }
	out=$(trt delete "$id" 2>&1) || { echo "delete: exit $?: $out"; return 1; }
	s=$(status_of "$id")
	[[ $s == gone:* ]] || { echo "after delete: $s"; return 1; }
	if pid_alive "$pid"; then
		echo "after delete: its process $pid is alive"
		return 1
	fi
	echo ok
}

@test "50 containers created, started, killed and deleted in parallel, 3 rounds" {
	local round i id n bad jobs b t0
	for round in 1 2 3; do
		t0=$SECONDS
		jobs=()
		for ((i = 1; i <= 50; i++)); do
			id=p$round-$i
			track_id "$id"
			b=$(bundle_for "$id")
			lifecycle "$id" "$b" >"$T/res/$id.result" 2>&1 &
			jobs+=($!)
		done
		for i in "${jobs[@]}"; do
			wait "$i" || true
		done
		bad=0 n=0
		for ((i = 1; i <= 50; i++)); do
			id=p$round-$i
			if [ "$(cat "$T/res/$id.result")" = ok ]; then
				n=$((n + 1))
			else
				bad=$((bad + 1))
				echo "round $round, $id: $(cat "$T/res/$id.result")"
			fi
		done
		echo "# round $round: $n of 50 ok ($((SECONDS - t0))s)" >&3
		[ $bad -eq 0 ]
		run trt list -q
		assert_success
		assert_output ""
		[ -z "$(state_entries)" ] || fail "state root not empty: $(state_entries)"
		leak_check
	done
}

@test "20 concurrent creates of one ID: exactly one wins, 3 rounds" {
	runc_deviates "racy: two creates can both succeed (see cli.bats: 10 concurrent creates)"
	local round i rc ok bad other pids b pid
	b=$(bundle_for same)
	track_id same
	for round in 1 2 3; do
		pids=()
		for ((i = 1; i <= 20; i++)); do
			trt create --bundle "$b" same >"$T/res/c$i.out" 2>"$T/res/c$i.err" &
			pids+=($!)
		done
		ok=0 bad=0 other=0
		for i in "${!pids[@]}"; do
			rc=0
			wait "${pids[$i]}" || rc=$?
			case $rc in
			0) ok=$((ok + 1)) ;;
			1)
				bad=$((bad + 1))
				# a clear message: it names the ID and says it exists
				if ! grep -q 'same' "$T/res/c$((i + 1)).err" ||
					! grep -qi 'exist' "$T/res/c$((i + 1)).err"; then
					echo "create $((i + 1)): unclear message: $(cat "$T/res/c$((i + 1)).err")"
					other=$((other + 1))
				fi
				;;
			*)
				other=$((other + 1))
				echo "create $((i + 1)): exit $rc: $(cat "$T/res/c$((i + 1)).err")"
				;;
			esac
		done
		echo "# round $round: ok=$ok failed=$bad other=$other" >&3
		[ $ok -eq 1 ]
		[ $bad -eq 19 ]
		[ $other -eq 0 ]
		# one container, in its own cgroup alone, no temporary dirs left
		run trt list -q
		assert_success
		assert_output same
		[ "$(state_entries)" = same ] || fail "state root holds: $(state_entries | tr '\n' ' ')"
		[ "$(status_of same)" = created ]
		pid=$(ctr_pid same)
		track_pid "$pid"
		local mp p
		while IFS= read -r mp; do
			[ -f "$mp$CG_TEST-same/cgroup.procs" ] || continue
			while read -r p; do
				[ "$p" = "$pid" ] || fail "cgroup $CG_TEST-same in $mp holds $p besides $pid"
			done <"$mp$CG_TEST-same/cgroup.procs"
		done < <(cgroup_mounts all)
		# the winner works
		run trt start same
		assert_success
		[ "$(status_of same)" = running ]
		run trt delete --force same
		assert_success
		[[ $(status_of same) == gone:* ]]
		leak_check
	done
}

# hammer NAME STOPFILE ARGS...: run `runtime ARGS` over and over until
# STOPFILE exists, or the runtime has said three times that the container
# does not exist (at most 400 runs); one "exit-status<TAB>stderr" line per
# run in $T/res/NAME.log.
hammer() {
	local name=$1 stop=$2 rc gone=0 i err
	shift 2
	: >"$T/res/$name.log"
	for ((i = 0; i < 400 && gone < 3; i++)); do
		[ -e "$stop" ] && break
		rc=0
		trt "$@" >/dev/null 2>"$T/res/$name.err" || rc=$?
		err=$(head -c 400 "$T/res/$name.err" | tr '\n\t' '  ')
		printf '%s\t%s\n' "$rc" "$err" >>"$T/res/$name.log"
		if [ $rc -ne 0 ] && [[ $err == *"not exist"* ]]; then
			gone=$((gone + 1))
		fi
	done
}

# check_log NAME: every run exited 0, or 1 with a message.
check_log() {
	local name=$1 rc err n=0 bad=0
	while IFS=$'\t' read -r rc err; do
		n=$((n + 1))
		if [ "$rc" = 0 ]; then
			continue
		elif [ "$rc" = 1 ] && [ -n "${err// /}" ]; then
			continue
		fi
		bad=$((bad + 1))
		case $rc in
		124 | 137) echo "$name: hung (killed by timeout after ${RT_TIMEOUT}s): $err" ;;
		1) echo "$name: exit 1 without a message" ;;
		*) echo "$name: exit $rc: $err" ;;
		esac
	done <"$T/res/$name.log"
	echo "# $name: $n runs, $(grep -c '^0' "$T/res/$name.log") exited 0, $bad bad" >&3
	[ $bad -eq 0 ]
}

@test "delete --force races kill, state, list and start on one container, 6 rounds" {
	local round id b stop d rc name hammers deletes
	for round in 1 2 3 4 5 6; do
		id=r$round
		stop=$T/res/stop$round
		track_id "$id"
		b=$(bundle_for "$id")
		# the container keeps its stdio: files, not a bats pipe
		trt create --bundle "$b" "$id" >"$T/res/$id.out" 2>"$T/res/$id.err" ||
			fail "create $id: $(cat "$T/res/$id.err")"
		track_pid "$(ctr_pid "$id")"
		hammers=() deletes=()
		if [ $((round % 2)) = 1 ]; then
			# running: kill sends TERM, which the pid-1 sleep ignores
			run trt start "$id"
			assert_success
			hammer "kill$round" "$stop" kill "$id" TERM &
			hammers+=($!)
		else
			# created: start races the delete
			hammer "start$round" "$stop" start "$id" &
			hammers+=($!)
			hammer "kill$round" "$stop" kill "$id" TERM &
			hammers+=($!)
		fi
		hammer "state$round" "$stop" state "$id" &
		hammers+=($!)
		hammer "list$round" "$stop" list &
		hammers+=($!)
		sleep 0.3
		# two deletes at once: both must succeed
		for d in 1 2; do
			(
				rc=0
				trt delete --force "$id" >/dev/null 2>"$T/res/delete$round-$d.err" || rc=$?
				echo "$rc" >"$T/res/delete$round-$d.rc"
			) &
			deletes+=($!)
		done
		for d in "${deletes[@]}"; do
			wait "$d" || true
		done
		sleep 0.3
		touch "$stop"
		for d in "${hammers[@]}"; do
			wait "$d" || true
		done
		for d in 1 2; do
			rc=$(cat "$T/res/delete$round-$d.rc")
			[ "$rc" = 0 ] || fail "round $round: delete --force $d: exit $rc: $(cat "$T/res/delete$round-$d.err")"
		done
		[[ $(status_of "$id") == gone:* ]] || fail "round $round: $id is still there: $(status_of "$id")"
		for name in "kill$round" "state$round" "start$round" "list$round"; do
			[ ! -f "$T/res/$name.log" ] || check_log "$name"
		done
		# list never fails
		[ "$(grep -vc '^0' "$T/res/list$round.log")" = 0 ]
		leak_check
	done
}
