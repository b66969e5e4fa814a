#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkbundle.sh DIR [-- ARGS...]
# Build an OCI bundle in DIR: DIR/rootfs holds Debian's static busybox
# (package busybox-static) with a symlink per applet, DIR/config.json is a
# default configuration (see benchcfg.py) running ARGS (default /bin/true).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR [-- ARGS...]" >&2; exit 2; }
dir=$1
shift
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || set -- /bin/true

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
		busybox=$b
		break
	fi
done
if [ -z "$busybox" ]; then
	# `file` may be missing: fall back to ldd's verdict
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
			busybox=$b
			break
		fi
	done
fi
[ -n "$busybox" ] || { echo "mkbundle.sh: a static busybox is needed (apt-get install busybox-static)" >&2; exit 1; }

rootfs=$dir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" \
	"$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/etc" \
	"$rootfs/root" "$rootfs/mnt" "$rootfs/run" "$rootfs/var"
cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	case $applet in
	bin/busybox | "") continue ;;
	esac
	mkdir -p "$rootfs/$(dirname "$applet")"
	[ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"

python3 "$here/benchcfg.py" default "$dir/config.json" --rootfs rootfs -- "$@"
