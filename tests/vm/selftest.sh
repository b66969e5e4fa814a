#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Self-test of tests/vm/run-in-vm.sh: boots a few guests (three of them at
# once, to check that concurrent runs do not collide) and checks exit status
# propagation, the cgroup v2 setup, the guest environment, --share, --env,
# --timeout, cleanup, and that runc/crun run containers with v2 limits.
#
#   tests/vm/selftest.sh [--quick]     (--quick skips the runtime check)
#
# Prints TAP and a closing "N passed, N failed" line; exits non-zero on failure.

set -uo pipefail

# One { ... } block: bash parses all of it before running it, so editing the
# file meanwhile cannot upset a run.
{

here=$(cd "$(dirname "$0")" && pwd)
vm=$here/run-in-vm.sh
quick=0
[ "${1:-}" = --quick ] && quick=1

n=0
passed=0
failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3" | head -n 40
	fi
}
contains() { # contains DESCRIPTION NEEDLE HAYSTACK
	if grep -qF -- "$2" <<<"$3"; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   wanted: %s\n#   in:\n' "$2"
		sed 's/^/#     /' <<<"$3" | head -n 40
	fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hull-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
share=$tmp/share
mkdir "$share"
echo "from the host" >"$share/in.txt"

# run-in-vm.sh makes its run directories in $TMPDIR: use one of our own, to
# check afterwards that nothing was left there and no qemu still uses it.
export TMPDIR=$tmp/runs
mkdir "$TMPDIR"

# Build the image first (once), so the concurrent runs below share it.
"$vm" -- true >/dev/null 2>"$tmp/warm.err" || { cat "$tmp/warm.err"; }

# --- three concurrent guests: exit statuses 0, 1, 42 -----------------------
start=$(date +%s)
"$vm" -- true >"$tmp/r0.out" 2>&1 &
p0=$!
"$vm" -- false >"$tmp/r1.out" 2>&1 &
p1=$!
"$vm" -- sh -c 'echo forty-two; echo to-stderr >&2; exit 42' >"$tmp/r42.out" 2>"$tmp/r42.err" &
p42=$!
wait $p0; r0=$?
wait $p1; r1=$?
wait $p42; r42=$?
echo "# three concurrent runs took $(($(date +%s) - start)) s"
check "exit status 0 (true)" 0 "$r0"
check "exit status 1 (false)" 1 "$r1"
check "exit status 42 (sh -c 'exit 42')" 42 "$r42"
check "stdout and stderr of the command both go to stdout" "forty-two to-stderr" "$(echo $(cat "$tmp/r42.out"))"

# --- the guest environment, --share, --env -----------------------------------
cat >"$share/probe.sh" <<'EOF'
#!/bin/bash
cg=/sys/fs/cgroup
echo "fstype=$(stat -fc %T $cg)"
echo "controllers=$(cat $cg/cgroup.controllers)"
echo "subtree=$(cat $cg/cgroup.subtree_control)"
echo "mycgroup=$(cat /proc/self/cgroup)"
echo "v1=$(grep -c ' cgroup ' /proc/mounts)"
echo "cwd=$(pwd)"
echo "stdout-tty=$([ -t 1 ] && echo yes || echo no)"
echo "stdout-type=$(stat -Lc %F /dev/stdout)"
for d in /proc /sys /dev /dev/pts /dev/shm /tmp /run; do
	echo "mount $d $(awk -v d=$d '$2 == d { t = $3 } END { print t }' /proc/mounts)"
done
for l in fd stdin stdout stderr; do echo "link /dev/$l -> $(readlink /dev/$l)"; done
echo "hostname=$(hostname)"
echo "home=$HOME"
echo "path=$PATH"
echo "myvar=$MYVAR"
echo "lo-up=$(($(cat /sys/class/net/lo/flags) & 1))"
echo "ping=$(busybox ping -c1 -W5 127.0.0.1 >/dev/null 2>&1 && echo yes || echo no)"
echo "in=$(cat "$SHARE/in.txt")"
echo "from the guest" >"$SHARE/out.txt"
echo "scratch" >"$SCRATCH" && echo "scratch-written=yes"
touch /hull-vm-selftest-root-write && echo "root-writable=yes"
EOF
chmod +x "$share/probe.sh"
scratch=$here/.selftest-scratch-$$
rm -f "$scratch"
out=$("$vm" --share "$share" --env "SHARE=$share" --env "SCRATCH=$scratch" \
	--env "MYVAR=a 'quoted' \"value\" \$x" -- "$share/probe.sh" 2>&1)
rc=$?
check "probe: exit status" 0 "$rc"
contains "/sys/fs/cgroup is cgroup2fs" "fstype=cgroup2fs" "$out"
ctrls=$(sed -n 's/^controllers=//p' <<<"$out")
contains "cgroup.controllers has memory" memory "$ctrls"
contains "cgroup.controllers has pids" pids "$ctrls"
check "root cgroup.subtree_control enables all controllers" "$ctrls" "$(sed -n 's/^subtree=//p' <<<"$out")"
contains "command runs in a non-root cgroup" "mycgroup=0::/init" "$out"
contains "no cgroup v1 mounts" "v1=0" "$out"
contains "same working directory as on the host" "cwd=$(pwd -P)" "$out"
contains "stdout is not a tty" "stdout-tty=no" "$out"
contains "stdout is a pipe" "stdout-type=fifo" "$out"
for m in "/proc proc" "/sys sysfs" "/dev devtmpfs" "/dev/pts devpts" "/dev/shm tmpfs" "/tmp tmpfs" "/run tmpfs"; do
	contains "mount $m" "mount $m" "$out"
done
contains "/dev/fd link" "link /dev/fd -> /proc/self/fd" "$out"
contains "/dev/stderr link" "link /dev/stderr -> /proc/self/fd/2" "$out"
contains "hostname" "hostname=hull-vm" "$out"
contains "HOME=/root" "home=/root" "$out"
contains "PATH" "path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$out"
contains "--env with quotes and \$" "myvar=a 'quoted' \"value\" \$x" "$out"
contains "loopback is up" "lo-up=1" "$out"
contains "ping 127.0.0.1" "ping=yes" "$out"
contains "--share: guest reads a host file" "in=from the host" "$out"
check "--share: host reads the file the guest wrote" "from the guest" "$(cat "$share/out.txt" 2>&1)"
contains "guest can write outside shares" "scratch-written=yes" "$out"
if [ -e "$scratch" ]; then
	not_ok "writes outside --share stay in the guest"
	rm -f "$scratch"
else
	ok "writes outside --share stay in the guest"
fi
[ -e /hull-vm-selftest-root-write ] && { not_ok "root write leaked to host"; rm -f /hull-vm-selftest-root-write; } ||
	ok "write to / stays in the guest"

# --- errors ------------------------------------------------------------------
"$vm" -- /nonexistent/command >"$tmp/nf.out" 2>&1
check "missing command: exit status 127" 127 $?
"$vm" --kernel /nonexistent -- true >"$tmp/nk.out" 2>&1
check "bad --kernel: exit status 125" 125 $?
mkdir -p "$tmp/cwd/sub"
echo "host file" >"$tmp/cwd/sub/f"
out=$(cd "$tmp/cwd" && "$vm" -- sh -c 'cat sub/f && echo new >sub/g && cat sub/g' 2>&1)
check "working directory under /tmp: copy-on-write view" "host file new" "$(echo $out)"
check "working directory under /tmp: guest writes stay in the guest" no "$([ -e "$tmp/cwd/sub/g" ] && echo yes || echo no)"

# --- timeout -----------------------------------------------------------------
start=$(date +%s)
"$vm" --timeout 20 -- sleep 1000 >"$tmp/to.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "hung command: killed at --timeout with status 124" 124 "$rc"
if [ "$took" -ge 20 ] && [ "$took" -le 30 ]; then
	ok "--timeout 20 took ${took}s"
else
	not_ok "--timeout 20 took ${took}s"
fi
contains "timeout message" "timeout: killed the VM after 20s" "$(cat "$tmp/to.out")"

# --- signals: the VM goes away with the script ---------------------------------
wait_for_qemu() { # the pid of the qemu using our $TMPDIR, once there is one
	local i pid
	for i in $(seq 100); do
		pid=$(pgrep -f "qemu-system.*$TMPDIR" | head -1)
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
	done
	return 1
}
"$vm" -- sleep 1000 >"$tmp/term.out" 2>&1 &
p=$!
q=$(wait_for_qemu) && sleep 2
kill -TERM $p
wait $p
check "SIGTERM: exit status 143" 143 $?
sleep 0.5
check "SIGTERM: qemu killed" no "$([ -n "$q" ] && kill -0 "$q" 2>/dev/null && echo yes || echo no)"
check "SIGTERM: run directory removed" "" "$(ls -A "$TMPDIR")"

"$vm" -- sleep 1000 >"$tmp/kill.out" 2>&1 &
p=$!
q=$(wait_for_qemu) && sleep 2
kill -KILL $p
wait $p 2>/dev/null
for _ in $(seq 50); do kill -0 "$q" 2>/dev/null || break; sleep 0.1; done
check "SIGKILL: qemu dies with the script (pdeathsig)" no "$([ -n "$q" ] && kill -0 "$q" 2>/dev/null && echo yes || echo no)"
rm -rf "$TMPDIR"/hull-vm.* # a SIGKILLed script cannot clean up after itself

# --- container runtimes --------------------------------------------------------
if [ $quick = 0 ]; then
	out=$("$vm" -- "$here/runtime-check.sh" 2>&1)
	rc=$?
	sed 's/^/#   /' <<<"$out"
	check "runc and crun run containers with v2 limits (runtime-check.sh)" 0 "$rc"
fi

# --- nothing left behind ---------------------------------------------------------
check "no run directories left behind" "" "$(ls -A "$TMPDIR")"
sleep 0.5
check "no qemu processes left behind" "" "$(pgrep -f "qemu-system.*$TMPDIR" || true)"

echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
exit
}
