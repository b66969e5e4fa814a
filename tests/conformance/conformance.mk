# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make conformance`: the OCI runtime-tools validation suite against hull
# (or RUNTIME=...), compared with tests/conformance/expected-pass.txt.
# A thin wrapper around tests/conformance/run.sh; see its README.md.
#
#   make conformance                              # ./hull, ../shared/runtime-tools
#   make conformance RUNTIME=runc,crun:no-unified+oci-1.0 CONFORMANCE_EXPECTED=
#   make conformance RUNTIME_TOOLS=/path/to/runtime-tools CONFORMANCE_FLAGS='--only kill'
#
# RUNTIME          runtime spec(s) for --runtime; empty: the hull built here
# RUNTIME_TOOLS    runtime-tools source tree; empty: run.sh's default
# CONFORMANCE_EXPECTED  expected-pass list; set it empty to only report
# CONFORMANCE_FLAGS     more run.sh options (--report F.md, --out DIR, ...)

CONFORMANCE_EXPECTED = $(srcdir)/tests/conformance/expected-pass.txt
CONFORMANCE_FLAGS =

EXTRA_DIST += tests/conformance/run.sh tests/conformance/oci10-shim.sh \
	tests/conformance/expected-pass.txt tests/conformance/README.md \
	tests/conformance/NOTES.md tests/conformance/REPORT.md \
	tests/conformance/labels.sh tests/conformance/run-v2.sh \
	tests/conformance/expected-pass-v2.txt tests/conformance/NOTES-v2.md

conformance:
	@if test -z "$(RUNTIME)"; then $(MAKE) $(AM_MAKEFLAGS) hull$(EXEEXT); fi
	@rt="$(RUNTIME)"; test -n "$$rt" || rt="$(abs_top_builddir)/hull$(EXEEXT)"; \
	set -- --runtime "$$rt"; \
	if test -n "$(RUNTIME_TOOLS)"; then set -- "$$@" --runtime-tools "$(RUNTIME_TOOLS)"; fi; \
	if test -n "$(CONFORMANCE_EXPECTED)"; then set -- "$$@" --expected "$(CONFORMANCE_EXPECTED)"; fi; \
	echo "bash $(srcdir)/tests/conformance/run.sh $$* $(CONFORMANCE_FLAGS)"; \
	bash $(srcdir)/tests/conformance/run.sh "$$@" $(CONFORMANCE_FLAGS)

.PHONY: conformance
