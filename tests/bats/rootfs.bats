#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# root (config.md "Root"), linux.rootfsPropagation and --no-pivot.

load helpers

root_line='awk '"'"'$5 == "/" { l = $0 } END { print l }'"'"' /proc/self/mountinfo'

@test "root.readonly: / cannot be written and is mounted ro" {
	update_config '.root.readonly = true'
	set_args sh -c "touch /newfile 2>&1; $root_line"
	run ctr_run c1
	assert_success
	assert_line --partial "Read-only file system"
	[[ ${lines[1]} =~ ^[0-9]+\ [0-9]+\ [0-9:]+\ [^\ ]+\ /\ ro[,\ ] ]] || { echo "root: ${lines[1]}"; false; }
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "root.readonly false: / is writable" {
	update_config '.root.readonly = false'
	set_args sh -c "touch /newfile && echo ok; $root_line"
	run ctr_run c1
	assert_success
	assert_line ok
	[[ ${lines[1]} =~ ^[0-9]+\ [0-9]+\ [0-9:]+\ [^\ ]+\ /\ rw[,\ ] ]] || { echo "root: ${lines[1]}"; false; }
	[ -e "$BUNDLE/rootfs/newfile" ]
}

@test "root.path may be absolute" {
	update_config '.root.path = $p' --arg p "$BUNDLE/rootfs"
	touch "$BUNDLE/rootfs/etc/marker-abs"
	set_args ls /etc/marker-abs
	run ctr_run c1
	assert_success
	assert_output /etc/marker-abs
}

@test "root.path relative to the bundle, not the cwd" {
	mv "$BUNDLE/rootfs" "$BUNDLE/myroot"
	update_config '.root.path = "myroot"'
	touch "$BUNDLE/myroot/etc/marker-rel"
	set_args ls /etc/marker-rel
	cd /
	run ctr_run c1
	assert_success
	assert_output /etc/marker-rel
}

@test "root.path may be a symlink to a directory" {
	# config.md: "A directory MUST exist at the path declared by the field."
	# A symlink resolving to a directory satisfies that.
	runc_deviates "runc refuses it: 'invalid rootfs: not an absolute path, or a symlink' (config.md: 'A directory MUST exist at the path declared by the field')"
	mv "$BUNDLE/rootfs" "$BUNDLE/realroot"
	ln -s realroot "$BUNDLE/rootfs"
	touch "$BUNDLE/realroot/etc/marker-link"
	set_args ls /etc/marker-link
	run ctr_run c1
	assert_success
	assert_output /etc/marker-link
}

@test "the host's root is not reachable from the container" {
	set_args sh -c 'ls /; awk '"'"'{ print $5 }'"'"' /proc/self/mountinfo'
	run ctr_run c1
	assert_success
	assert_line bin
	# Host directories and mount points that the rootfs does not have.
	refute_line work
	refute_line --regexp '^/(work|mnt)(/|$)'
	refute_line --partial "$T"
}

# hull lets its parent process detach the old root from inside the
# container's mount namespace; a runtime without CAP_SYS_CHROOT may not enter
# it (setns), and the container must then detach it itself.
@test "the host's root is not reachable when the runtime lacks CAP_SYS_CHROOT" {
	requires_hull "the fallback of hull's parent-side detach"
	set_args sh -c 'ls /; awk '"'"'{ print $5 }'"'"' /proc/self/mountinfo'
	track_id c1
	_set_ctr_cgroup c1
	run setpriv --bounding-set=-sys_chroot -- env HULL_TEST_MARK="$T" "$RUNTIME" --root "$ROOT" \
		--debug --log "$T/debug.log" run --bundle "$BUNDLE" c1 </dev/null
	assert_success
	assert_line bin
	refute_line work
	refute_line --regexp '^/(work|mnt)(/|$)'
	refute_line --partial "$T"
	# the fallback really ran
	grep -q "detaches its old root itself: no CAP_SYS_ADMIN and CAP_SYS_CHROOT" "$T/debug.log" ||
		fail "no fallback in the debug log: $(grep -i detach "$T/debug.log")"
}

# Make the rootfs a shared mount on the host, so that a slave copy of it
# has a master: with rootfsPropagation "slave" the container's / must then
# receive mount events from the host (master:N); with "shared" it is in a
# peer group (shared:N); "private" has neither; "unbindable" is marked so.
shared_rootfs() {
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	on_teardown "umount '$BUNDLE/rootfs'"
	mount --make-shared "$BUNDLE/rootfs"
}

root_optional_fields() {
	update_config '.linux.rootfsPropagation = $p' --arg p "$1"
	set_args sh -c "$root_line"
	run ctr_run "c-$1"
	assert_success
	optional=$(awk '{ s = ""; for (i = 7; i <= NF && $i != "-"; i++) s = s " " $i; print s }' <<<"$output")
	echo "rootfsPropagation $1: [$optional] from $output"
}

@test "rootfsPropagation shared" {
	runc_deviates "the container's / ends up private: runc applies rootfsPropagation before bind-mounting the rootfs and making its parent private for pivot_root (config-linux.md: rootfsPropagation sets the rootfs's mount propagation)"
	shared_rootfs
	root_optional_fields shared
	[[ $optional == *shared:* ]]
}

@test "rootfsPropagation slave" {
	runc_deviates "the container's / ends up private: runc applies rootfsPropagation before bind-mounting the rootfs and making its parent private for pivot_root (config-linux.md: rootfsPropagation sets the rootfs's mount propagation)"
	shared_rootfs
	root_optional_fields slave
	[[ $optional == *master:* ]]
	[[ $optional != *shared:* ]]
}

@test "rootfsPropagation private" {
	shared_rootfs
	root_optional_fields private
	[ -z "${optional// /}" ]
}

@test "rootfsPropagation unbindable" {
	runc_deviates "the container's / ends up private: runc applies rootfsPropagation before bind-mounting the rootfs and making its parent private for pivot_root (config-linux.md: rootfsPropagation sets the rootfs's mount propagation)"
	shared_rootfs
	root_optional_fields unbindable
	[[ $optional == *unbindable* ]]
}

@test "rootfsPropagation with an invalid value fails with exit 1" {
	update_config '.linux.rootfsPropagation = "sideways"'
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}

@test "--no-pivot: the container runs in its rootfs" {
	touch "$BUNDLE/rootfs/etc/marker-nopivot"
	set_args sh -c 'ls /etc/marker-nopivot; ls /; cat /proc/self/mountinfo | wc -l'
	run ctr_run c1 --no-pivot
	assert_success
	assert_line /etc/marker-nopivot
	assert_line bin
	refute_line work
}

@test "--no-pivot with create and start" {
	update_config '.root.readonly = false'
	set_args sh -c 'echo started > /started'
	ctr_create c1 --no-pivot
	[ ! -e "$BUNDLE/rootfs/started" ]
	ctr_start c1
	wait_status c1 stopped
	[ "$(cat "$BUNDLE/rootfs/started")" = started ]
}
