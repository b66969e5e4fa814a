#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bats/cgroups-tiers.sh [--runtime PATH] [--host-only|--vm-only] [FILES...]
#
# The cgroup suites (default: tests/bats/cgroups*.bats) on two layouts: the
# host as it is (here: hybrid), then a qemu guest booted with
# cgroup_no_v1=all (pure cgroup v2, tests/vm/run-in-vm.sh).  Prints each
# tier's bats summary and the sum:
#     cgroups: host (hybrid): N passed, N failed, N skipped
#     cgroups: vm (v2): N passed, N failed, N skipped
#     cgroups: total: N passed, N failed, N skipped
# and exits non-zero when a tier failed or could not run.  The guest tier
# is slow (TCG): about 20 s per test.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=${RUNTIME:-$repo/hull}
tiers="host vm"
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--runtime) runtime=$2; shift 2 ;;
	--runtime=*) runtime=${1#*=}; shift ;;
	--host-only) tiers=host; shift ;;
	--vm-only) tiers=vm; shift ;;
	-h | --help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) files+=("$1"); shift ;;
	esac
done
[ ${#files[@]} -gt 0 ] || files=("$here"/cgroups*.bats)
case $runtime in /*) ;; *) runtime=$(cd "$(dirname "$runtime")" && pwd)/${runtime##*/} ;; esac

layout() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo v2
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo hybrid
	else echo v1; fi
}

P=0 F=0 S=0 rc=0
tally() { # NAME LOGFILE
	local line
	line=$(grep -E '^bats: [0-9]+ passed' "$2" | tail -n1)
	if [ -z "$line" ]; then
		echo "cgroups: $1: did not run to the end (see $2)"
		rc=1
		return
	fi
	echo "cgroups: $1: ${line#bats: }"
	set -- $line
	P=$((P + $2)) F=$((F + $4)) S=$((S + $6))
	[ "$4" -eq 0 ] || rc=1
}

out=$(mktemp -d /tmp/hull-cgroups-tiers.XXXXXX)
for t in $tiers; do
	case $t in
	host)
		"$here/run.sh" --runtime "$runtime" "${files[@]}" | tee "$out/host.log"
		tally "host ($(layout))" "$out/host.log"
		;;
	vm)
		# the guest sees the host's / read-only; the runtime's directory
		# is shared in case it lives on a separate mount (/tmp)
		"$repo/tests/vm/run-in-vm.sh" --share "$(dirname "$runtime")" --timeout 5400 -- \
			"$here/run.sh" --runtime "$runtime" "${files[@]}" | tee "$out/vm.log"
		tally "vm (v2)" "$out/vm.log"
		;;
	esac
done
echo "cgroups: total: $P passed, $F failed, $S skipped (logs in $out)"
exit $rc
