#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Median timeline of hull's --debug phases over many runs.

Reads hull --debug output (stdin or files) of one or more `run`/`create`
commands and prints, per phase, the median start, end and duration in us
since --debug was set.  The container's process inherits that origin with
the fork, so its phases and the parent's share one clock: the table shows
which process waits for which.

    for i in $(seq 60); do
        hull --debug --root /run/h run -b BUNDLE c1 2>&1
    done | tests/bench/timeline.py

A run starts at each "phase load" line.  Lines without the (start-end) part
(a hull older than this script) are counted in the duration only.
"""

import re
import statistics
import sys
from collections import OrderedDict

PHASE = re.compile(r"phase (?P<name>.+?): (?P<us>\d+) us(?: \((?P<a>\d+)-(?P<b>\d+)\))?")


def runs_of(lines):
    run = []
    for line in lines:
        m = PHASE.search(line)
        if not m:
            continue
        if m.group("name") == "load" and run:
            yield run
            run = []
        run.append(m)
    if run:
        yield run


def main(argv):
    files = [open(f, encoding="utf-8", errors="replace") for f in argv[1:]] or [sys.stdin]
    starts, ends, durs = OrderedDict(), {}, {}
    nruns = 0
    for f in files:
        for run in runs_of(f):
            nruns += 1
            base = min((int(m.group("a")) for m in run if m.group("a")), default=0)
            for m in run:
                name = m.group("name")
                starts.setdefault(name, [])
                durs.setdefault(name, []).append(int(m.group("us")))
                if m.group("a"):
                    starts[name].append(int(m.group("a")) - base)
                    ends.setdefault(name, []).append(int(m.group("b")) - base)
    if not nruns:
        sys.exit("timeline.py: no '--debug' phase lines in the input")
    med = statistics.median
    rows = sorted(starts, key=lambda n: med(starts[n]) if starts[n] else float("inf"))
    print(f"{nruns} runs; us since the run's first phase began (each column its own median)")
    print(f"{'phase':28s} {'runs':>5s} {'start':>7s} {'end':>7s} {'took':>7s}")
    for name in rows:
        s = f"{med(starts[name]):7.0f}" if starts[name] else f"{'-':>7s}"
        e = f"{med(ends[name]):7.0f}" if ends.get(name) else f"{'-':>7s}"
        print(f"{name:28s} {len(durs[name]):5d} {s} {e} {med(durs[name]):7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
