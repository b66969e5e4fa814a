#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mounts (config.md "Mounts"): order, bind/rbind flags, propagation, tmpfs
# options, the special filesystems, creation of missing destinations and
# destinations that go through symlinks.

load helpers

# In-container helpers, shell snippets for sh -c.
# mi MP: the mountinfo line of mount point MP (last one wins).
MI='mi() { awk -v mp="$1" '"'"'$5 == mp { l = $0 } END { print l }'"'"' /proc/self/mountinfo; }'

# Per-mount options (field 6) of a mountinfo line, one per line.
mnt_opts() { awk '{ print $6 }' <<<"$1" | tr , '\n'; }
# Optional fields (7 .. before "-") of a mountinfo line, space separated.
mnt_optional() { awk '{ s = ""; for (i = 7; i <= NF && $i != "-"; i++) s = s " " $i; print s }' <<<"$1"; }
# Filesystem type and super options.
mnt_fstype() { awk '{ for (i = 7; i <= NF && $i != "-"; i++); print $(i + 1) }' <<<"$1"; }
mnt_superopts() { awk '{ for (i = 7; i <= NF && $i != "-"; i++); print $(i + 3) }' <<<"$1" | tr , '\n'; }

# Run SCRIPT in a container and keep the mountinfo lines of the given
# mount points in MI_<n> (MI_0, MI_1, ...), checking each exists.
mountinfo_of() {
	local script="$MI;" mp
	for mp in "$@"; do
		script+=" echo \"@\$(mi $mp)\";"
	done
	set_args sh -c "$script"
	run ctr_run "mi$RANDOM"
	assert_success
	local i=0
	for mp in "$@"; do
		local l
		l=$(sed -n "$((i + 1))p" <<<"$output")
		l=${l#@}
		[ -n "$l" ] || { echo "no mount at $mp"; echo "$output"; return 1; }
		printf -v "MI_$i" '%s' "$l"
		i=$((i + 1))
	done
}

@test "mounts are applied in the listed order" {
	src=$(host_dir src)
	echo hello >"$src/hello"
	add_mount '{"destination": "/a", "type": "tmpfs", "source": "tmpfs"}'
	bind_mount "$src" /a/b
	set_args sh -c 'cat /a/b/hello; awk '"'"'$5 == "/a" || $5 == "/a/b" { print $5 }'"'"' /proc/self/mountinfo'
	run ctr_run c1
	assert_success
	assert_output $'hello\n/a\n/a/b'
}

@test "a later mount hides an earlier one below it" {
	src=$(host_dir src)
	echo hello >"$src/hello"
	bind_mount "$src" /a/b
	add_mount '{"destination": "/a", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'ls -A /a; echo end'
	run ctr_run c1
	assert_success
	assert_output end
}

@test "bind mount with ro, nosuid, nodev, noexec" {
	src=$(host_dir src)
	cp /bin/busybox "$src/bb"
	bind_mount "$src" /m ro nosuid nodev noexec
	set_args sh -c 'cat /proc/self/mountinfo > /dev/null; touch /m/new 2>&1; /m/bb true 2>&1; echo end'
	run ctr_run c1
	assert_success
	assert_line --partial "Read-only file system"
	assert_line --partial "Permission denied"
	[ ! -e "$src/new" ]
	mountinfo_of /m
	for o in ro nosuid nodev noexec; do
		mnt_opts "$MI_0" | grep -qx "$o" || { echo "no $o in: $MI_0"; false; }
	done
}

@test "rbind mount with ro, nosuid, nodev, noexec" {
	src=$(host_dir src)
	add_mount "$(jq -cn --arg s "$src" '{source: $s, destination: "/m", type: "none", options: ["rbind", "ro", "nosuid", "nodev", "noexec"]}')"
	set_args sh -c 'touch /m/new 2>&1; true'
	run ctr_run c1
	assert_success
	assert_output --partial "Read-only file system"
	mountinfo_of /m
	for o in ro nosuid nodev noexec; do
		mnt_opts "$MI_0" | grep -qx "$o" || { echo "no $o in: $MI_0"; false; }
	done
}

@test "bind mount defaults to rw, suid, dev, exec" {
	src=$(host_dir src)
	bind_mount "$src" /m
	set_args sh -c 'touch /m/new && echo written'
	run ctr_run c1
	assert_success
	assert_output written
	[ -e "$src/new" ]
	mountinfo_of /m
	mnt_opts "$MI_0" | grep -qx rw
	not grep -qxE 'ro|nosuid|nodev|noexec' <<<"$(mnt_opts "$MI_0")"
}

@test "bind mount atime options: relatime, strictatime, noatime" {
	src=$(host_dir src)
	bind_mount "$src" /rel relatime
	bind_mount "$src" /strict strictatime
	bind_mount "$src" /noat noatime
	mountinfo_of /rel /strict /noat
	mnt_opts "$MI_0" | grep -qx relatime
	not grep -qxE 'relatime|noatime' <<<"$(mnt_opts "$MI_1")"
	mnt_opts "$MI_2" | grep -qx noatime
}

@test "bind does not carry submounts, rbind does" {
	src=$(host_dir src)
	mkdir -p "$src/sub"
	mount -t tmpfs hull-sub "$src/sub"
	on_teardown "umount '$src/sub'"
	echo in-sub >"$src/sub/f"
	bind_mount "$src" /plain
	add_mount "$(jq -cn --arg s "$src" '{source: $s, destination: "/rec", type: "bind", options: ["rbind"]}')"
	set_args sh -c 'cat /plain/sub/f 2>/dev/null || echo plain-empty; cat /rec/sub/f'
	run ctr_run c1
	assert_success
	assert_output $'plain-empty\nin-sub'
}

# A host directory that is a shared mount (so that slave mounts of it
# have a master), with a tmpfs submount.
shared_src() {
	src=$(host_dir src)
	mount --bind "$src" "$src"
	on_teardown "umount '$src'"
	mount --make-shared "$src"
	mkdir -p "$src/sub"
	mount -t tmpfs hull-sub "$src/sub"
	on_teardown "umount '$src/sub'"
}

@test "bind propagation: shared, slave, private, unbindable" {
	shared_src
	bind_mount "$src" /p-shared shared
	bind_mount "$src" /p-slave slave
	bind_mount "$src" /p-private private
	bind_mount "$src" /p-unbindable unbindable
	mountinfo_of /p-shared /p-slave /p-private /p-unbindable
	[[ $(mnt_optional "$MI_0") == *shared:* ]]
	[[ $(mnt_optional "$MI_1") == *master:* ]]
	[[ $(mnt_optional "$MI_1") != *shared:* ]]
	[ -z "$(mnt_optional "$MI_2" | tr -d ' ')" ]
	[[ $(mnt_optional "$MI_3") == *unbindable* ]]
}

@test "rbind propagation: rshared, rslave, rprivate, runbindable reach submounts" {
	shared_src
	for p in rshared rslave rprivate runbindable; do
		add_mount "$(jq -cn --arg s "$src" --arg d "/$p" --arg o "$p" \
			'{source: $s, destination: $d, type: "bind", options: ["rbind", $o]}')"
	done
	mountinfo_of /rshared /rshared/sub /rslave /rslave/sub /rprivate /rprivate/sub /runbindable /runbindable/sub
	for i in 0 1; do
		v=MI_$i
		[[ $(mnt_optional "${!v}") == *shared:* ]] || { echo "rshared: ${!v}"; false; }
	done
	for i in 2 3; do
		v=MI_$i
		[[ $(mnt_optional "${!v}") == *master:* ]] || { echo "rslave: ${!v}"; false; }
		[[ $(mnt_optional "${!v}") != *shared:* ]] || { echo "rslave: ${!v}"; false; }
	done
	for i in 4 5; do
		v=MI_$i
		[ -z "$(mnt_optional "${!v}" | tr -d ' ')" ] || { echo "rprivate: ${!v}"; false; }
	done
	for i in 6 7; do
		v=MI_$i
		[[ $(mnt_optional "${!v}") == *unbindable* ]] || { echo "runbindable: ${!v}"; false; }
	done
}

@test "tmpfs with size and mode" {
	add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=1770"]}'
	set_args stat -c %a /t
	run ctr_run c1
	assert_success
	assert_output 1770
	mountinfo_of /t
	[ "$(mnt_fstype "$MI_0")" = tmpfs ]
	mnt_superopts "$MI_0" | grep -qx size=1024k
	mnt_superopts "$MI_0" | grep -qx mode=1770
	mnt_opts "$MI_0" | grep -qx nosuid
}

@test "proc, sysfs, devpts, mqueue and cgroup are mounted" {
	mountinfo_of /proc /sys /dev/pts /dev/mqueue /dev/shm /sys/fs/cgroup
	[ "$(mnt_fstype "$MI_0")" = proc ]
	[ "$(mnt_fstype "$MI_1")" = sysfs ]
	[ "$(mnt_fstype "$MI_2")" = devpts ]
	[ "$(mnt_fstype "$MI_3")" = mqueue ]
	[ "$(mnt_fstype "$MI_4")" = tmpfs ]
	for o in ro nosuid nodev noexec; do
		mnt_opts "$MI_1" | grep -qx $o || { echo "sysfs lacks $o: $MI_1"; false; }
	done
	mnt_superopts "$MI_2" | grep -qx newinstance || mnt_superopts "$MI_2" | grep -q ptmxmode=
	# cgroup: the v2 tree itself, or (v1) a tmpfs with a cgroup per hierarchy.
	case $(mnt_fstype "$MI_5") in
	cgroup2) mnt_opts "$MI_5" | grep -qx ro ;;
	tmpfs)
		set_args sh -c 'awk '"'"'index($5, "/sys/fs/cgroup/") == 1 { for (i = 7; i <= NF && $i != "-"; i++); print $(i + 1), $6 }'"'"' /proc/self/mountinfo'
		run ctr_run c2
		assert_success
		assert_line --regexp '^cgroup ro,'
		refute_line --regexp '^cgroup2? rw'
		;;
	*) echo "unexpected /sys/fs/cgroup: $MI_5"; false ;;
	esac
}

@test "the container's /proc shows its own pid namespace" {
	set_args sh -c 'ls -d /proc/[0-9]*'
	run ctr_run c1
	assert_success
	assert_line /proc/1
	[ "${#lines[@]}" -le 3 ]
}

@test "missing destinations are created: a file for a file, a dir for a dir" {
	src=$(host_dir src)
	echo content >"$T/file.txt"
	bind_mount "$T/file.txt" /newdir/deep/file.txt
	bind_mount "$src" /newdir2/sub
	set_args sh -c '[ -f /newdir/deep/file.txt ] && cat /newdir/deep/file.txt; [ -d /newdir2/sub ] && echo dir'
	run ctr_run c1
	assert_success
	assert_output $'content\ndir'
	# The mount points were made in the container's rootfs.
	[ -f "$BUNDLE/rootfs/newdir/deep/file.txt" ]
	[ -d "$BUNDLE/rootfs/newdir2/sub" ]
}

@test "destinations through symlinks pointing out of the rootfs stay inside" {
	hostdir=$(host_dir hostdir)
	hostdir2=$(host_dir hostdir2)
	hostdir3=$(host_dir hostdir3)
	touch "$hostdir/canary"
	# Absolute and relative links out of a hostile rootfs, in the middle of
	# the destination and as its last component.
	ln -s "$hostdir" "$BUNDLE/rootfs/evil"
	ln -s "../../../../../../../../../../../..$hostdir2" "$BUNDLE/rootfs/evil2"
	ln -s "$hostdir3" "$BUNDLE/rootfs/evil3"
	add_mount '{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/evil2/y", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/evil3", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'echo a > /evil/x/f && echo b > /evil2/y/f && echo c > /evil3/f && echo written; ls /evil; awk '"'"'{ for (i = 7; i <= NF && $i != "-"; i++); if ($(i + 1) == "tmpfs") print $5 }'"'"' /proc/self/mountinfo'
	run ctr_run c1
	assert_success
	assert_line written
	# The host directories are untouched ...
	[ "$(ls -A "$hostdir")" = canary ]
	[ -z "$(ls -A "$hostdir2")" ]
	[ -z "$(ls -A "$hostdir3")" ]
	# ... the mount points live in the rootfs ...
	[ -d "$BUNDLE/rootfs$hostdir/x" ]
	[ -d "$BUNDLE/rootfs$hostdir2/y" ]
	[ ! -e "$BUNDLE/rootfs$hostdir/x/f" ]
	# ... and the container saw its tmpfs mounts where the links resolve
	# inside its root.
	assert_line "$hostdir/x"
	assert_line "$hostdir2/y"
	assert_line "$hostdir3"
	refute_line canary
}

@test "a bind source that is a symlink is followed on the host" {
	src=$(host_dir src)
	echo via-link >"$src/f"
	ln -s "$src" "$T/link"
	bind_mount "$T/link" /m ro
	set_args cat /m/f
	run ctr_run c1
	assert_success
	assert_output via-link
}

@test "bind mount of a missing source fails with exit 1" {
	bind_mount "$T/does-not-exist" /m
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}
