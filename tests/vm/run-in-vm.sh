#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run a command from the host's filesystem inside a throw-away qemu guest
# booted with cgroup_no_v1=all, i.e. on a pure cgroup v2 machine.
# See tests/vm/README.md for how it works.

set -euo pipefail

# The whole script is one { ... } block, so bash parses it all before running
# any of it: editing this file while a VM runs cannot upset that run.
{

readonly VM_FAIL=125     # the VM could not be built, booted or run
readonly VM_TIMEOUT=124  # --timeout expired

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<EOF
usage: $prog [OPTIONS] -- COMMAND [ARGS...]

Boot Debian's kernel in qemu (TCG) with cgroup_no_v1=all, with the host's /
mounted read-only plus a tmpfs overlay, and run COMMAND there in the current
directory.  COMMAND's stdout and stderr go to this script's stdout; the exit
status is COMMAND's, or $VM_TIMEOUT on timeout, or $VM_FAIL if the VM failed.

options:
  --memory SIZE     guest memory (qemu -m syntax)          [${HULL_VM_MEMORY:-2G}]
  --smp N           virtual CPUs                           [${HULL_VM_SMP:-2}]
  --timeout SECS    kill the VM after SECS seconds, 0=never [${HULL_VM_TIMEOUT:-900}]
  --env NAME=VALUE  set NAME in COMMAND's environment (repeatable);
                    a bare NAME copies the host's value
  --share DIR       mount host DIR read-write at the same path (repeatable)
  --kernel FILE     kernel image (default: newest /boot/vmlinuz-* with modules)
  --verbose         copy the guest console (kernel log) to stderr
  --help

environment: HULL_VM_CACHE (cache dir, default \${XDG_CACHE_HOME:-/var/cache}/hull-vm),
  HULL_VM_KERNEL, HULL_VM_MEMORY, HULL_VM_SMP, HULL_VM_TIMEOUT, HULL_VM_QEMU,
  HULL_VM_VERBOSE=1, HULL_VM_TIMING=1 (print boot/command/shutdown times),
  HULL_VM_APPEND (extra kernel parameters), HULL_VM_CPU, HULL_VM_TCG,
  HULL_VM_MACHINE (qemu -cpu, -accel tcg,..., -machine; for experiments)
EOF
}

fail() {
	echo "$prog: $*" >&2
	exit $VM_FAIL
}

memory=${HULL_VM_MEMORY:-2G}
smp=${HULL_VM_SMP:-2}
timeout=${HULL_VM_TIMEOUT:-900}
kernel=${HULL_VM_KERNEL:-}
verbose=${HULL_VM_VERBOSE:-0}
qemu=${HULL_VM_QEMU:-qemu-system-x86_64}
envs=()
shares=()

need_arg() { [ $# -ge 2 ] || fail "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--memory) need_arg "$@"; memory=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	--env) need_arg "$@"; envs+=("$2"); shift 2 ;;
	--share) need_arg "$@"; shares+=("$2"); shift 2 ;;
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	--memory=* | --smp=* | --timeout=* | --env=* | --share=* | --kernel=*)
		opt=${1%%=*}; val=${1#*=}; shift; set -- "$opt" "$val" "$@" ;;
	--verbose) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; fail "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { usage >&2; fail "no command given"; }

[[ $smp =~ ^[1-9][0-9]*$ ]] || fail "bad --smp: $smp"
[[ $timeout =~ ^[0-9]+$ ]] || fail "bad --timeout: $timeout"
command -v "$qemu" >/dev/null || fail "$qemu not found (apt-get install qemu-system-x86)"
[ -x /bin/busybox ] || fail "/bin/busybox not found (apt-get install busybox-static)"
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }
file_is_static /bin/busybox || fail "/bin/busybox is not static (apt-get install busybox-static)"

# --- the kernel -------------------------------------------------------------
if [ -z "$kernel" ]; then
	for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		if [ -f "/lib/modules/${k#/boot/vmlinuz-}/modules.dep" ]; then
			kernel=$k
			break
		fi
	done
	[ -n "$kernel" ] || fail "no /boot/vmlinuz-* with modules (apt-get install linux-image-amd64)"
fi
[ -r "$kernel" ] || fail "cannot read kernel $kernel"
kver=${kernel##*/vmlinuz-}
moddir=/lib/modules/$kver
[ -f "$moddir/modules.dep" ] || fail "no $moddir/modules.dep for kernel $kernel"

# --- the cache: extracted vmlinux + initramfs ------------------------------
cache_root=${HULL_VM_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-vm}
key=$( {
	cat "$here/run-in-vm.sh" "$here/guest-init.sh"
	stat -Lc '%n %s %Y' "$kernel" "$moddir/modules.dep" /bin/busybox
} | sha256sum | cut -c1-16)
cache=$cache_root/$kver-$key

# Print the offsets of the compressed payloads embedded in a bzImage.
payload_offsets() {
	LC_ALL=C grep -obUaP "$1" "$2" | cut -d: -f1 || true
}

# Find the compressed vmlinux inside the bzImage $1 and write it to $2.
# Try every xz/zstd/gzip/lz4 magic; the first that inflates to an ELF wins.
extract_vmlinux() {
	local img=$1 out=$2 off magic tool
	for magic in 'xz:\xFD\x37\x7A\x58\x5A\x00' 'zstd:\x28\xB5\x2F\xFD' \
		'gzip:\x1F\x8B\x08' 'lz4:\x02\x21\x4C\x18'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(payload_offsets "${magic#*:}" "$img"); do
			case $tool in
			xz) tail -c +$((off + 1)) "$img" | xz -dc --single-stream >"$out" 2>/dev/null || true ;;
			zstd) tail -c +$((off + 1)) "$img" | zstd -dcq >"$out" 2>/dev/null || true ;;
			gzip) tail -c +$((off + 1)) "$img" | gzip -dc >"$out" 2>/dev/null || true ;;
			lz4) tail -c +$((off + 1)) "$img" | lz4 -dc >"$out" 2>/dev/null || true ;;
			esac
			if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				return 0
			fi
		done
	done
	return 1
}

# Modules to load, dependencies first, in the order modules.dep implies.
module_list() {
	local want m deps d seen=" "
	for want in virtio_pci 9pnet_virtio 9p overlay; do
		m=$(grep -E "(^|/)$want\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1) || true
		if [ -z "$m" ]; then
			# built in, nothing to load
			grep -qE "/$want\.ko" "$moddir/modules.builtin" 2>/dev/null && continue
			echo "module $want not found for $kver" >&2
			return 1
		fi
		deps=${m#*:}
		# modules.dep lists a module's dependencies nearest first: load them
		# from the end of the list.
		for d in $(echo "$deps" | tr ' ' '\n' | tac) "${m%%:*}"; do
			case "$seen" in *" $d "*) continue ;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

build_cache() {
	mkdir -p "$cache_root"
	local tmp
	tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	echo "$prog: building VM image for kernel $kver in $cache (once)" >&2
	extract_vmlinux "$kernel" "$tmp/vmlinux" || fail "cannot extract vmlinux from $kernel"
	local ird=$tmp/initramfs m base
	mkdir -p "$ird"/{bin,dev,proc,sys,modules,newroot,lower,rw,ctl}
	cp /bin/busybox "$ird/bin/busybox"
	install -m 0755 "$here/guest-init.sh" "$ird/init"
	local mods
	mods=$(module_list) || fail "cannot work out the modules to load"
	: >"$ird/modules.order"
	for m in $mods; do
		base=${m##*/}
		case $base in
		*.ko) cp "$moddir/$m" "$ird/modules/$base" ;;
		*.ko.xz) xz -dc "$moddir/$m" >"$ird/modules/${base%.xz}"; base=${base%.xz} ;;
		*.ko.zst) zstd -dcq "$moddir/$m" >"$ird/modules/${base%.zst}"; base=${base%.zst} ;;
		*.ko.gz) gzip -dc "$moddir/$m" >"$ird/modules/${base%.gz}"; base=${base%.gz} ;;
		*) fail "unsupported module file $m" ;;
		esac
		echo "$base" >>"$ird/modules.order"
	done
	[ -s "$ird/modules.order" ] || fail "no modules found"
	(cd "$ird" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) \
		>"$tmp/initramfs.cpio" || fail "cannot build initramfs"
	rm -rf "$ird"
	echo "$kver" >"$tmp/kernel-version"
	# Publish atomically; a concurrent build may have won the race.
	mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
	trap - EXIT
}

# Keep the few most recently used images; every edit of these scripts or
# kernel upgrade makes a new one.
prune_cache() {
	local old
	for old in $(ls -1dt "$cache_root"/*-*/ 2>/dev/null | tail -n +4); do
		old=${old%/}
		[ "$old" = "$cache" ] || rm -rf "$old"
	done
}

if [ ! -f "$cache/initramfs.cpio" ] || [ ! -f "$cache/vmlinux" ]; then
	build_cache
	prune_cache
	[ -f "$cache/initramfs.cpio" ] && [ -f "$cache/vmlinux" ] ||
		fail "VM image cache $cache is incomplete: remove it and retry"
fi
touch "$cache" 2>/dev/null || true

# --- the run directory ------------------------------------------------------
run=$(mktemp -d "${TMPDIR:-/tmp}/hull-vm.XXXXXX")
qpid=
spid=
tpid=
cleanup() {
	local pid
	for pid in $qpid $spid $tpid; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in $qpid $spid $tpid; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$run/ctl"

# Quote $1 for any POSIX shell: single quotes, with each ' as '\''.
shq() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# The guest runs this with its busybox sh, in an empty environment.
cwd=$(pwd -P)
{
	echo '# generated by run-in-vm.sh'
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb LANG=C.UTF-8'
	echo 'export HULL_VM=1'
	for e in "${envs[@]}"; do
		name=${e%%=*}
		[[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail "bad --env $e"
		if [ "$name" = "$e" ]; then
			[ -n "${!name+set}" ] || continue
			echo "export $name=$(shq "${!name}")"
		else
			echo "export $name=$(shq "${e#*=}")"
		fi
	done
	echo "cd -- $(shq "$cwd") || { echo \"hull-vm: cannot cd to \"$(shq "$cwd")\" in the guest\" >&2; exit $VM_FAIL; }"
	# busybox sh would run its own applets for names like ls or stat: have
	# the host's env(1) look COMMAND up in PATH instead.
	printf 'exec /usr/bin/env --'
	for a in "$@"; do
		printf ' %s' "$(shq "$a")"
	done
	printf '\n'
} >"$run/ctl/cmd.sh"

# The guest has fresh tmpfs on /tmp and /run: give it a copy-on-write view
# of the working directory if it lives there.
case "$cwd/" in
/tmp/* | /run/*)
	[[ $cwd != *[,:$'\n']* ]] || fail "working directory $cwd: unsupported characters"
	echo "$cwd" >"$run/ctl/views" ;;
esac

# qemu's option syntax: a comma in a value is written as two.
qesc() { printf '%s' "${1//,/,,}"; }

share_args=()
i=0
: >"$run/ctl/shares"
for d in "${shares[@]}"; do
	[ -d "$d" ] || fail "--share $d: not a directory"
	d=$(cd "$d" && pwd -P)
	[ "$d" != / ] || fail "--share /: not supported"
	[[ $d != *$'\n'* ]] || fail "--share: newline in path"
	echo "$d" >>"$run/ctl/shares"
	share_args+=(-fsdev "local,id=share$i,path=$(qesc "$d"),security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=share$i,mount_tag=hullshare$i")
	i=$((i + 1))
done

# Kernel command line: pure cgroup v2; panic=-1 + -no-reboot make any guest
# failure end qemu.  The rest only trims boot time under TCG.
append="console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=4 rdinit=/init"
append+=" acpi=off cryptomgr.notests 8250.nr_uarts=2 random.trust_cpu=on"
append+=" tsc=reliable no_timer_check mitigations=off"
append+=" i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
append+=${HULL_VM_APPEND:+ $HULL_VM_APPEND}

# TCG (KVM is not available on these machines).  One host thread for all
# vCPUs and a plain x86-64-v2 CPU model are the fastest here for fork/exec;
# RDRAND lets the guest's crng start at once.
firmware=()
[ -f /usr/share/qemu/qboot.rom ] && firmware=(-bios /usr/share/qemu/qboot.rom)
qemu_args=(
	-nodefaults -no-user-config -display none -monitor none -no-reboot
	-machine "${HULL_VM_MACHINE:-pc}" -accel "tcg,${HULL_VM_TCG:-thread=single}"
	-cpu "${HULL_VM_CPU:-qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+rdrand}"
	-smp "$smp" -m "$memory" "${firmware[@]}"
	-kernel "$cache/vmlinux" -initrd "$cache/initramfs.cpio" -append "$append"
	# ttyS0: console (kernel log), kept in a file; ttyS1: COMMAND's output
	-serial "file:$(qesc "$run/console.log")"
	-chardev stdio,id=out,signal=off -serial chardev:out
	# the host's /, read-only; the control directory; the --share ones
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	-fsdev "local,id=ctl,path=$(qesc "$run/ctl"),security_model=none"
	-device virtio-9p-pci,fsdev=ctl,mount_tag=hullctl
	"${share_args[@]}"
)

start=$(date +%s%N)
pdeath=()
setpriv --help 2>/dev/null | grep -q -- --pdeathsig && pdeath=(setpriv --pdeathsig KILL --)
"${pdeath[@]}" "$qemu" "${qemu_args[@]}" </dev/null 2>"$run/qemu.err" &
qpid=$!
if [ "$verbose" = 1 ]; then
	touch "$run/console.log"
	tail -n +1 -f --pid="$qpid" "$run/console.log" >&2 &
	tpid=$!
fi

timed_out=0
if [ "$timeout" -gt 0 ]; then
	sleep "$timeout" &
	spid=$!
	wait -n "$qpid" "$spid" || true
	if kill -0 "$qpid" 2>/dev/null; then
		timed_out=1
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	spid=
fi
qrc=0
wait "$qpid" || qrc=$?
qpid=
if [ -n "$tpid" ]; then
	wait "$tpid" 2>/dev/null || true
	tpid=
fi
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

show_console() {
	echo "$prog: ---- last lines of the guest console ----" >&2
	tail -n 40 "$run/console.log" >&2 2>/dev/null || true
	if [ -s "$run/qemu.err" ]; then
		echo "$prog: ---- qemu stderr ----" >&2
		cat "$run/qemu.err" >&2
	fi
	echo "$prog: ----" >&2
}

if [ -f "$run/ctl/status" ]; then
	st=$(cat "$run/ctl/status")
	[[ $st =~ ^[0-9]+$ ]] || fail "bad status '$st' from the guest"
	if [ -n "${HULL_VM_TIMING:-}" ]; then
		# The guest creates ctl/started and ctl/status through 9p, so their
		# mtimes are host times.
		t1=$(stat -c %.3Y "$run/ctl/started" | tr -d .)
		t2=$(stat -c %.3Y "$run/ctl/status" | tr -d .)
		t0=$((start / 1000000))
		echo "$prog: timing: boot $((t1 - t0)) ms, command $((t2 - t1)) ms," \
			"shutdown $((t0 + elapsed_ms - t2)) ms, total $elapsed_ms ms" >&2
	fi
	exit "$st"
fi
if [ "$timed_out" = 1 ]; then
	echo "$prog: timeout: killed the VM after ${timeout}s (stage: $(cat "$run/ctl/stage" 2>/dev/null || echo boot))" >&2
	[ "$verbose" = 1 ] || show_console
	exit $VM_TIMEOUT
fi
reason=$(cat "$run/ctl/error" 2>/dev/null || true)
echo "$prog: the VM stopped (qemu exit $qrc) without running the command${reason:+: $reason}" >&2
[ "$verbose" = 1 ] || show_console
exit $VM_FAIL
}
