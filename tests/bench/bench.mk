# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: the side-by-side benchmark of hull, crun and runc
# (tests/bench/README.md).  Needs root; not part of `make check`.
# Extra options: make bench BENCH_FLAGS="--quick --cases a,e"
EXTRA_DIST += tests/bench/README.md tests/bench/bench.sh tests/bench/mkbundle.sh \
	tests/bench/benchcfg.py tests/bench/report.py tests/bench/timeline.py
BENCH_FLAGS =

.PHONY: bench
bench: $(bin_PROGRAMS)
	bash $(srcdir)/tests/bench/bench.sh --hull $(abs_top_builddir)/hull $(BENCH_FLAGS)
