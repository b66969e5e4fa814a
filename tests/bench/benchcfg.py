# SPDX-License-Identifier: GPL-2.0-or-later
"""Bundle configuration helper for tests/bench/bench.sh.

Sub-commands:
  default OUT [--rootfs PATH] [-- ARGS...]
      write a default config.json (the usual shape of a `spec`-generated
      default: read-only root, pid/net/ipc/uts/mount/cgroup namespaces, the
      standard /proc, /dev, /sys mounts, masked and read-only paths).
  patch IN OUT [--root PATH] [--cgroups-path P] [--memory-limit BYTES]
               [--inflate SCALE [--mkdirs ROOTFS] [--no-seccomp yes]] [-- ARGS...]
      copy IN to OUT changing the given fields.
  many IN DIR COUNT --cgroups-pattern PAT [--root PATH]
      write COUNT bundles DIR/<n>/config.json; PAT contains {n}.

--inflate SCALE grows the config for case (g): per unit of SCALE it adds
400 annotations, 200 environment variables, 100 seccomp rules (each an
argument comparison that never matches, so the filter is compiled and
loaded but changes nothing; ten per syscall, on ten more syscalls per
unit) and 20 tmpfs mounts.  SCALE 1 gives ~100 KB,
SCALE 10 ~1 MB.
"""

import json
import os
import sys

CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

# Rarely used syscalls whose second argument never takes the values we
# compare against; the rules are real (libseccomp compiles them) but inert.
# Ten rules go to each syscall, so a bigger config means more syscalls with
# equally long rule chains (the filter stays linear in the number of rules).
SECCOMP_TARGETS = """
personality syslog quotactl acct setdomainname sethostname swapon swapoff iopl
ioperm reboot kexec_load init_module delete_module finit_module lookup_dcookie
perf_event_open fanotify_init fanotify_mark name_to_handle_at open_by_handle_at
mbind set_mempolicy get_mempolicy migrate_pages move_pages process_vm_readv
process_vm_writev kcmp sched_setattr sched_getattr bpf userfaultfd membarrier
mlock2 copy_file_range preadv2 pwritev2 pkey_mprotect pkey_alloc pkey_free
io_setup io_destroy io_getevents io_submit io_cancel remap_file_pages add_key
request_key keyctl ioprio_set ioprio_get mq_open mq_unlink mq_timedsend
mq_timedreceive mq_notify mq_getsetattr kexec_file_load vhangup chroot syncfs
settimeofday adjtimex clock_adjtime clock_settime uselib ustat sysfs _sysctl
modify_ldt tee splice vmsplice sync_file_range readahead setxattr lsetxattr
fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr
removexattr lremovexattr fremovexattr setpriority getpriority
sched_setaffinity timerfd_create timerfd_settime timerfd_gettime futimesat
mknodat msgget msgsnd msgrcv msgctl
""".split()[:100]
RULES_PER_SYSCALL = 10


def default_config(rootfs, args):
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666",
                     "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    ]
    masked = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
              "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
              "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
    readonly = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger"]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": args,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm"],
            "cwd": "/",
            "capabilities": {"bounding": list(CAPS), "effective": list(CAPS),
                             "permitted": list(CAPS)},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": rootfs, "readonly": True},
        "hostname": "hull-bench",
        "mounts": mounts,
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in
                           ("pid", "network", "ipc", "uts", "mount", "cgroup")],
            "maskedPaths": masked,
            "readonlyPaths": readonly,
        },
    }


def inflate(cfg, scale, mkdirs, seccomp=True):
    n_ann, n_env, n_sec, n_mnt = 400 * scale, 200 * scale, 100 * scale, 20 * scale
    ann = cfg.setdefault("annotations", {})
    for i in range(n_ann):
        ann["org.example.hull-bench.annotation-%05d" % i] = (
            "value %05d: the quick brown fox jumps over the lazy dog, 0123456789abcdef" % i)
    env = cfg["process"].setdefault("env", [])
    for i in range(n_env):
        env.append("HULL_BENCH_VAR_%05d=%s" % (i, ("v%05d" % i) * 10))
    if seccomp:
        rules = []
        for i in range(n_sec):
            name = SECCOMP_TARGETS[(i // RULES_PER_SYSCALL) % len(SECCOMP_TARGETS)]
            rules.append({
                "names": [name],
                "action": "SCMP_ACT_ERRNO",
                "errnoRet": 38,
                "args": [{"index": 1, "value": 0x7e570000 + i, "op": "SCMP_CMP_EQ"}],
            })
        # replaces any profile of the base config: default allow, our rules
        cfg["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": rules,
        }
    for i in range(n_mnt):
        dest = "/mnt/bench%04d" % i
        cfg["mounts"].append({"destination": dest, "type": "tmpfs", "source": "tmpfs",
                              "options": ["nosuid", "nodev", "noexec", "size=64k"]})
        if mkdirs:
            os.makedirs(mkdirs + dest, exist_ok=True)


def write(cfg, out):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    os.rename(tmp, out)


def parse(argv):
    opts, rest = {}, []
    args = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            args = argv[i + 1:]
            break
        if a.startswith("--"):
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        rest.append(a)
        i += 1
    return opts, rest, args


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    opts, rest, args = parse(sys.argv[2:])
    if cmd == "default":
        cfg = default_config(opts.get("rootfs", "rootfs"), args or ["/bin/true"])
        write(cfg, rest[0])
    elif cmd == "patch":
        with open(rest[0]) as f:
            cfg = json.load(f)
        if "root" in opts:
            cfg.setdefault("root", {})["path"] = opts["root"]
        if "cgroups-path" in opts:
            cfg.setdefault("linux", {})["cgroupsPath"] = opts["cgroups-path"]
        if "memory-limit" in opts:
            res = cfg.setdefault("linux", {}).setdefault("resources", {})
            res["memory"] = {"limit": int(opts["memory-limit"])}
        if "inflate" in opts:
            inflate(cfg, int(opts["inflate"]), opts.get("mkdirs"),
                    seccomp=opts.get("no-seccomp") is None)
        if args is not None:
            cfg["process"]["args"] = args
            cfg["process"]["terminal"] = False
        write(cfg, rest[1])
    elif cmd == "many":
        with open(rest[0]) as f:
            cfg = json.load(f)
        outdir, count = rest[1], int(rest[2])
        pat = opts["cgroups-pattern"]
        if "root" in opts:
            cfg["root"]["path"] = opts["root"]
        for n in range(count):
            cfg["linux"]["cgroupsPath"] = pat.format(n=n)
            d = os.path.join(outdir, "%04d" % n)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump(cfg, f, indent=2)
    else:
        sys.exit("benchcfg.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
