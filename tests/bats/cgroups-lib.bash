# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cgroup helpers for the cgroups*.bats suites.  Load after helpers:
#     load helpers
#     load cgroups-lib
#
# Every test runs on whichever layout the host has (pure v2, v1, or hybrid
# with v1 controllers and a cgroup2 tree at /sys/fs/cgroup/unified) and
# asserts the values in that layout's files:
#   cg_layout                  v1 | v2 | hybrid
#   cg_version CTRL            v1 | v2 | "" (where the controller lives)
#   requires_controller CTRL.. skip unless each controller is usable
#   cg_host_dir CTRL ID        the container's directory on the host
#   cg_ctr_dir CTRL            the same directory as the container sees it
#                              (/sys/fs/cgroup[/HIER]; needs a cgroup ns)
#   cg_host_file CTRL ID FILE  print the host file
#   assert_cg CTRL ID V1FILE V1VAL V2FILE V2VAL
#                              the file of the controller's version holds VAL
#                              (first line; "-" skips that version)

cg_layout() {
	local fs
	fs=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)
	if [ "$fs" = cgroup2fs ]; then
		echo v2
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		echo hybrid
	else
		echo v1
	fi
}

# _cg_v2_mount: the cgroup2 mount point (or nothing).
_cg_v2_mount() {
	case $(cg_layout) in
	v2) echo /sys/fs/cgroup ;;
	hybrid) echo /sys/fs/cgroup/unified ;;
	esac
}

# _cg_v1_mount CTRL: the v1 hierarchy holding CTRL (or nothing).
_cg_v1_mount() {
	awk -v c="$1" '{
		for (i = 7; i <= NF; i++) if ($i == "-") break
		if ($(i + 1) != "cgroup" || $4 != "/") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

cg_version() {
	local c=$1 m
	if [ -n "$(_cg_v1_mount "$c")" ]; then
		echo v1
		return
	fi
	m=$(_cg_v2_mount)
	# the device and freezer "controllers" of v2 are built in
	if [ -n "$m" ] && { [ "$c" = devices ] || [ "$c" = freezer ] ||
		grep -qw -- "$c" "$m/cgroup.controllers"; }; then
		echo v2
	fi
}

# _cg_mount CTRL: the mount point of the hierarchy that holds CTRL.
_cg_mount() {
	case $(cg_version "$1") in
	v1) _cg_v1_mount "$1" ;;
	v2) _cg_v2_mount ;;
	esac
}

requires_controller() {
	local c
	for c in "$@"; do
		[ -n "$(cg_version "$c")" ] ||
			skip "no $c controller on this $(cg_layout) host (not mounted as v1, not in the cgroup v2 tree)"
	done
}

# The cgroupsPath ctr_create/ctr_run give container ID.
cg_path_of() {
	echo "$CG_TEST-$1"
}

cg_host_dir() {
	local m
	m=$(_cg_mount "$1") || return 1
	[ -n "$m" ] || return 1
	echo "$m$(cg_path_of "$2")"
}

cg_ctr_dir() {
	local m
	m=$(_cg_mount "$1")
	if [ "$(cg_layout)" = v2 ]; then
		echo /sys/fs/cgroup
	else
		echo "/sys/fs/cgroup/${m##*/}"
	fi
}

cg_host_file() {
	local d
	d=$(cg_host_dir "$1" "$2") || return 1
	head -n1 "$d/$3"
}

assert_cg() {
	local ctrl=$1 id=$2 f1=$3 v1=$4 f2=$5 v2=$6 file want got
	if [ "$(cg_version "$ctrl")" = v1 ]; then
		file=$f1 want=$v1
	else
		file=$f2 want=$v2
	fi
	[ "$file" != - ] || return 0
	got=$(cg_host_file "$ctrl" "$id" "$file") || {
		echo "cannot read $file of $id ($ctrl, $(cg_version "$ctrl"))" >&2
		return 1
	}
	if [ "$got" != "$want" ]; then
		echo "$(cg_host_dir "$ctrl" "$id")/$file: expected '$want', got '$got'" >&2
		return 1
	fi
}

# cg_set_resources JSON: linux.resources = JSON.
cg_set_resources() {
	update_config '.linux.resources = $r' --argjson r "$1"
}

# cg_create_sleep ID: a created container whose process will sleep.
cg_create_sleep() {
	set_args sleep 1000
	ctr_create "$1"
}

# cg_a_disk: "MAJ:MIN" of a whole disk the block I/O rules can name.
cg_a_disk() {
	local d
	for d in /sys/block/*; do
		[ -e "$d/dev" ] && [ -e "$d/queue" ] || continue
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		cat "$d/dev"
		return 0
	done
	return 1
}

# cg_has_file CTRL ID FILE: does the container's cgroup have FILE?  (Some
# files exist only with kernel options: memory.memsw.*, cpu.rt_*, ...)
cg_has_file() {
	local d
	d=$(cg_host_dir "$1" "$2") || return 1
	[ -e "$d/$3" ]
}

# cg_container_out ID: wait for ID to stop, print its stdout.
cg_container_out() {
	wait_status "$1" stopped 20 && cat "$T/$1.out"
}
