#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stand-in for a runtime that accepts only ociVersion 1.0.x (Debian 12's
# crun 1.8.1 says "unknown version specified" for anything else, and the
# suite writes ociVersion "1.3.0" into every config.json).  run.sh installs
# a copy under the real runtime's name when a runtime is given with the
# oci-1.0 mode.  Before `create` or `run` it rewrites an ociVersion of the
# form 1.N.M with N >= 1 in the bundle's config.json to "1.0.2" (anything
# else, e.g. misc_props' "invalid", is left alone), then execs the real
# runtime ($CONFORMANCE_REAL_RUNTIME) with the unchanged arguments.

real=${CONFORMANCE_REAL_RUNTIME:?CONFORMANCE_REAL_RUNTIME is not set}
args=("$@")
n=$#
sub=""
bundle=""
i=0
while [ $i -lt $n ]; do
	a=${args[$i]}
	if [ -z "$sub" ]; then
		case "$a" in
		--root | --log | --log-format) i=$((i + 2)); continue ;;
		-*) ;;
		*) sub=$a ;;
		esac
	else
		case "$a" in
		--bundle | -b) bundle=${args[$((i + 1))]:-}; i=$((i + 2)); continue ;;
		--bundle=*) bundle=${a#--bundle=} ;;
		esac
	fi
	i=$((i + 1))
done

case "$sub" in
create | run)
	cfg=${bundle:-.}/config.json
	if [ -f "$cfg" ]; then
		sed -i -E 's/("ociVersion"[[:space:]]*:[[:space:]]*")1\.[1-9][0-9]*\.[0-9]+([^"]*")/\11.0.2"/' "$cfg"
	fi
	;;
esac
exec "$real" "$@"
