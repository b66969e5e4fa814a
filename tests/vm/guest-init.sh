#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PID 1 of the hull test VM (see tests/vm/README.md).  Runs under the static
# busybox of the initramfs built by run-in-vm.sh.
#
#   stage 1 (/init in the initramfs): load the 9p and overlay modules, build
#           the new root (host / over virtio-9p, read-only, with a tmpfs
#           overlay on top), mount /proc, /sys, cgroup2, /dev, /tmp, /run and
#           the --share directories into it, then switch_root into it.
#   stage 2 (/run/hull-vm/init in the new root): hostname, loopback, cgroup
#           controllers, then run the command described by ctl/cmd.sh with
#           its output relayed through a pipe to the second serial port,
#           record its exit status in ctl/status and power off.
#
# The host side talks to us only through the 9p share tagged "hullctl":
#   ctl/cmd.sh    bash script that sets up the environment and execs COMMAND
#   ctl/shares    one host path per line; share N has the 9p tag hullshareN
#   ctl/views     host paths under /tmp or /run to show copy-on-write
#   ctl/status    written by us: the exit status of COMMAND
#   ctl/stage     written by us: how far the boot got (for error messages)

say() { echo "hull-vm-init: $*" >/dev/console; }

# Give up: leave a reason for the host and stop the machine.  The host turns
# a missing ctl/status into exit status 125 and shows the console log.
die() {
	say "FATAL: $*"
	if [ -d "$CTL" ]; then echo "$*" >"$CTL/error" 2>/dev/null; fi
	sync
	reboot -f
	sleep 5
	exit 1
}

# Record how far we got, for the host's error messages, and log it with the
# uptime to the console (the host keeps the console log).
stage() {
	if [ -d "$CTL" ]; then echo "$1" >"$CTL/stage" 2>/dev/null; fi
	read -r up _ </proc/uptime
	say "$up $1"
}

# 9p options.  The root is read-only for us, so its pages can be cached
# (cache=loose makes exec of the host's binaries much faster); the control and
# shared directories are written by the guest and read by the host, so they
# stay uncached.
P9_BASE="trans=virtio,version=9p2000.L,msize=262144"

stage1() {
	PATH=/bin
	export PATH
	/bin/busybox --install -s /bin
	mount -t proc proc /proc || die "mount /proc"
	mount -t sysfs sysfs /sys || die "mount /sys"
	mount -t devtmpfs devtmpfs /dev || die "mount /dev"
	# The initramfs has no /dev/console node, so the kernel started us with
	# no stdio: take the console now that devtmpfs provides it.
	exec </dev/console >/dev/console 2>&1

	stage loading-modules
	while read -r mod; do
		[ -n "$mod" ] || continue
		insmod "/modules/$mod" || die "insmod $mod"
	done </modules.order

	NEW=/newroot
	mkdir -p /lower /rw $NEW /ctl
	# The control share first, so that later failures can be reported.
	mount -t 9p -o "$P9_BASE" hullctl /ctl || die "mount control share"
	CTL=/ctl
	stage mounting-root

	mount -t 9p -o "$P9_BASE,ro,cache=loose" hostroot /lower || die "mount host root over 9p"
	mount -t tmpfs -o mode=0755 hull-rw /rw || die "mount tmpfs for overlay"
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work hull-root $NEW ||
		die "mount overlay root"

	stage mounting-filesystems
	mount -t proc proc $NEW/proc || die "mount new /proc"
	mount -t sysfs sysfs $NEW/sys || die "mount new /sys"
	mount -t cgroup2 -o nsdelegate cgroup2 $NEW/sys/fs/cgroup || die "mount cgroup2"
	mount -t devtmpfs devtmpfs $NEW/dev || die "mount new /dev"
	mkdir -p $NEW/dev/pts $NEW/dev/shm $NEW/dev/mqueue
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $NEW/dev/pts || die "mount devpts"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm $NEW/dev/shm || die "mount /dev/shm"
	mount -t mqueue mqueue $NEW/dev/mqueue 2>/dev/null
	ln -sfn /proc/self/fd $NEW/dev/fd
	ln -sfn /proc/self/fd/0 $NEW/dev/stdin
	ln -sfn /proc/self/fd/1 $NEW/dev/stdout
	ln -sfn /proc/self/fd/2 $NEW/dev/stderr
	[ -e $NEW/dev/core ] || ln -sfn /proc/kcore $NEW/dev/core
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $NEW/tmp || die "mount /tmp"
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $NEW/run || die "mount /run"
	[ -d $NEW/sys/kernel/security ] && mount -t securityfs securityfs $NEW/sys/kernel/security 2>/dev/null
	[ -d $NEW/sys/fs/bpf ] && mount -t bpf bpf $NEW/sys/fs/bpf 2>/dev/null

	mkdir -p $NEW/run/hull-vm/ctl $NEW/run/lock
	cp /bin/busybox $NEW/run/hull-vm/busybox || die "copy busybox"
	cp /init $NEW/run/hull-vm/init || die "copy init"
	mount --move /ctl $NEW/run/hull-vm/ctl || die "move control share"
	CTL=$NEW/run/hull-vm/ctl

	# Host directories that the tmpfs on /tmp or /run would hide (the
	# working directory, when it is under one of them): copy-on-write views.
	n=0
	if [ -s $CTL/views ]; then
		while read -r dir; do
			[ -n "$dir" ] || continue
			mkdir -p "$NEW$dir" /rw/view$n/upper /rw/view$n/work || die "mkdir view $dir"
			mount -t overlay -o "lowerdir=/lower$dir,upperdir=/rw/view$n/upper,workdir=/rw/view$n/work" \
				hull-view "$NEW$dir" || die "mount view of $dir"
			n=$((n + 1))
		done <$CTL/views
	fi

	n=0
	if [ -s $CTL/shares ]; then
		while read -r dir; do
			[ -n "$dir" ] || continue
			mkdir -p "$NEW$dir" || die "mkdir share mount point $dir"
			mount -t 9p -o "$P9_BASE" "hullshare$n" "$NEW$dir" || die "mount share $dir"
			n=$((n + 1))
		done <$CTL/shares
	fi

	stage switch-root
	umount /proc /sys /dev 2>/dev/null
	exec switch_root $NEW /run/hull-vm/busybox sh /run/hull-vm/init stage2
	die "switch_root failed"
}

stage2() {
	BB=/run/hull-vm/busybox
	CTL=/run/hull-vm/ctl
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	export PATH

	stage setting-up
	$BB hostname hull-vm
	$BB ip link set lo up 2>/dev/null || $BB ifconfig lo 127.0.0.1 up

	# Do what systemd would do on a pure cgroup v2 host: move ourselves out of
	# the root cgroup and give the root's children every controller there is.
	cg=/sys/fs/cgroup
	$BB mkdir -p $cg/init
	echo $$ >$cg/init/cgroup.procs || die "cannot move init into $cg/init"
	for c in cpuset cpu io memory hugetlb pids rdma misc; do
		if $BB grep -qw "$c" $cg/cgroup.controllers; then
			echo "+$c" >$cg/cgroup.subtree_control || say "cannot enable controller $c"
		fi
	done

	# The command's output: a pipe (so it never sees a tty) read by a relay
	# that copies it to the raw second serial port, i.e. the host's stdout.
	$BB stty -F /dev/ttyS1 raw -echo 2>/dev/null
	$BB mkfifo /run/hull-vm/out || die "mkfifo"
	$BB cat /run/hull-vm/out >/dev/ttyS1 &
	relay=$!

	stage running-command
	: >$CTL/started
	$BB env -i $BB sh $CTL/cmd.sh </dev/null >/run/hull-vm/out 2>&1
	st=$?

	# Leftover processes (daemons, containers) could hold the pipe open: kill
	# everything but us and the relay, let the relay drain, then kill it too.
	for _ in 1 2; do
		for p in /proc/[0-9]*; do
			p=${p#/proc/}
			[ "$p" = 1 ] || [ "$p" = "$relay" ] || kill -KILL "$p" 2>/dev/null
		done
	done
	($BB sleep 60 && kill -KILL $relay) &
	wait $relay
	kill -KILL -1 2>/dev/null
	wait
	stage "command-exited-$st"
	echo "$st" >$CTL/status
	$BB sync
	$BB reboot -f
	$BB sleep 10
}

case "$1" in
stage2) stage2 ;;
*) stage1 ;;
esac
