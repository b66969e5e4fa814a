#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.maskedPaths, linux.readonlyPaths and linux.sysctl.

load helpers

@test "maskedPaths: a masked file reads empty, a masked dir is empty" {
	echo secret >"$BUNDLE/rootfs/etc/secret"
	mkdir -p "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/file"
	update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir"]'
	set_args sh -c 'echo "file:$(cat /etc/secret | wc -c)"; echo "dir:$(ls -A /secretdir)"; cat /secretdir/file 2>/dev/null || echo gone'
	run ctr_run c1
	assert_success
	assert_output $'file:0\ndir:\ngone'
	# The rootfs itself is unchanged.
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "maskedPaths: the default entries read empty" {
	# Those of the default list that this kernel has.
	local present=() p
	for p in $(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json"); do
		[ -e "$p" ] && present+=("$p")
	done
	[ ${#present[@]} -gt 0 ] || skip "no default masked path exists on this host"
	set_args sh -c 'for p in "$@"; do if [ -d "$p" ]; then echo "$p $(ls -A "$p" | wc -l)"; else echo "$p $(cat "$p" 2>/dev/null | wc -c)"; fi; done' sh "${present[@]}"
	run ctr_run c1
	assert_success
	for p in "${present[@]}"; do
		assert_line "$p 0"
	done
}

@test "maskedPaths: a masked file cannot be written through" {
	update_config '.root.readonly = false'
	echo secret >"$BUNDLE/rootfs/etc/secret"
	update_config '.linux.maskedPaths += ["/etc/secret"]'
	set_args sh -c 'echo overwrite > /etc/secret 2>/dev/null; true'
	run ctr_run c1
	assert_success
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "readonlyPaths: writes fail with EROFS, elsewhere they work" {
	update_config '.root.readonly = false'
	mkdir -p "$BUNDLE/rootfs/rodir"
	update_config '.linux.readonlyPaths += ["/rodir"]'
	set_args sh -c 'touch /rodir/x 2>&1; touch /rwfile && echo rw-ok; echo x 2>&1 > /proc/sys/kernel/hostname; true'
	run ctr_run c1
	assert_success
	assert_line --index 0 --partial "Read-only file system"
	assert_line --index 1 rw-ok
	assert_line --index 2 --partial "Read-only file system"
	[ ! -e "$BUNDLE/rootfs/rodir/x" ]
	[ -e "$BUNDLE/rootfs/rwfile" ]
}

@test "readonlyPaths: mounted ro in the container" {
	update_config '.linux.readonlyPaths += ["/etc"]'
	update_config '.root.readonly = false'
	set_args awk '$5 == "/etc" || $5 == "/proc/sys" { print $5, $6 }' /proc/self/mountinfo
	run ctr_run c1
	assert_success
	assert_line --regexp '^/etc ro(,|$)'
	assert_line --regexp '^/proc/sys ro(,|$)'
}

@test "sysctl: kernel.shmmax in the new ipc namespace" {
	host=$(cat /proc/sys/kernel/shmmax)
	update_config '.linux.sysctl = {"kernel.shmmax": "12345678"}'
	set_args cat /proc/sys/kernel/shmmax
	run ctr_run c1
	assert_success
	assert_output 12345678
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host" ]
}

@test "sysctl: net.ipv4.ip_forward in the new network namespace" {
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host))
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v, "net.ipv4.ping_group_range": "0 1000"}' --arg v "$want"
	set_args cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ping_group_range
	run ctr_run c1
	assert_success
	assert_line --index 0 "$want"
	assert_line --index 1 --regexp '^0[[:space:]]+1000$'
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "sysctl: an unknown key fails with exit 1" {
	update_config '.linux.sysctl = {"kernel.no_such_knob": "1"}'
	run ctr_create c1
	assert_failure 1
	run rt list -q
	assert_output ""
}
