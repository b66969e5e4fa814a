#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-dict.sh SPEC_TYPES [EXTRA.dict...]: a libFuzzer dictionary on stdout
# with every JSON key and enum value of libocispec/spec.types (so it never
# goes stale), then the hand-written entries of the EXTRA files.
set -eu
spec=$1
shift
{
	# field lines: two-space indent, a JSON name, a type, flags
	awk '/^  [A-Za-z]/ {
		print "\"\\\"" $1 "\\\"\""
		print "\"\\\"" $1 "\\\":\""
		for (i = 3; i <= NF; i++)
			if ($i ~ /^enum=/) {
				n = split(substr($i, 6), v, "|")
				for (j = 1; j <= n; j++)
					print "\"\\\"" v[j] "\\\"\""
			}
	}' "$spec"
	for f in "$@"; do
		grep -v '^#' "$f" | grep -v '^[[:space:]]*$' || true
	done
} | awk '!seen[$0]++'
