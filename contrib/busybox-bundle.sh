#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# busybox-bundle.sh DIR [-- ARGS...]
#
# Build an OCI bundle in DIR from the host's static busybox (Debian package
# busybox-static), without any network access:
#   DIR/rootfs       busybox plus one symlink per applet, the usual empty
#                    directories and a minimal /etc/passwd and /etc/group
#   DIR/config.json  a default runtime-spec configuration running ARGS
#                    (default: sh)
#
# Environment:
#   BUSYBOX   path of the static busybox binary (default: /bin/busybox)
#
# Requires: busybox-static, jq.

set -euo pipefail

usage() {
	echo "usage: ${0##*/} DIR [-- ARGS...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
dir=$1
shift
if [ $# -gt 0 ]; then
	[ "$1" = "--" ] || usage
	shift
fi
[ $# -gt 0 ] || set -- sh

busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ]; then
	echo "${0##*/}: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
# A dynamically linked busybox would not run inside the bare rootfs.
if command -v file >/dev/null 2>&1 && file -L "$busybox" | grep -q 'dynamically linked'; then
	echo "${0##*/}: $busybox is dynamically linked; need busybox-static" >&2
	exit 1
fi
command -v jq >/dev/null || { echo "${0##*/}: jq is required" >&2; exit 1; }

mkdir -p "$dir"
rootfs=$dir/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"
for d in bin proc sys dev tmp etc root run var var/tmp home/user; do
	mkdir -p "$rootfs/$d"
done
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
chmod 0700 "$rootfs/root"
chown 1000:1000 "$rootfs/home/user"

cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
"$busybox" --list | while read -r applet; do
	case $applet in
	busybox | "" | */*) continue ;;
	esac
	ln -sf busybox "$rootfs/bin/$applet"
done
# Programs that expect /usr/bin/env or /sbin/* still find them.
mkdir -p "$rootfs/usr"
ln -s ../bin "$rootfs/usr/bin"
ln -s bin "$rootfs/sbin"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:test user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
EOF
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"

args_json=$(jq -cn '$ARGS.positional' --args -- "$@")

jq -n --argjson args "$args_json" '
{
  ociVersion: "1.0.2",
  process: {
    terminal: false,
    user: { uid: 0, gid: 0 },
    args: $args,
    env: [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm"
    ],
    cwd: "/",
    capabilities: {
      bounding:  ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    rlimits: [ { type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 } ],
    noNewPrivileges: true
  },
  root: { path: "rootfs", readonly: true },
  hostname: "hull",
  mounts: [
    { destination: "/proc", type: "proc", source: "proc" },
    { destination: "/dev", type: "tmpfs", source: "tmpfs",
      options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
      options: ["nosuid", "noexec", "nodev"] },
    { destination: "/sys", type: "sysfs", source: "sysfs",
      options: ["nosuid", "noexec", "nodev", "ro"] },
    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
      options: ["nosuid", "noexec", "nodev", "relatime", "ro"] }
  ],
  linux: {
    resources: { devices: [ { allow: false, access: "rwm" } ] },
    namespaces: [
      { type: "pid" }, { type: "network" }, { type: "ipc" },
      { type: "uts" }, { type: "mount" }, { type: "cgroup" }
    ],
    maskedPaths: [
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
      "/proc/sched_debug", "/proc/scsi", "/sys/firmware"
    ],
    readonlyPaths: [
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
    ]
  }
}' >"$dir/config.json.tmp"
mv "$dir/config.json.tmp" "$dir/config.json"
