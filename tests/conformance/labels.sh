# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run.sh and run-v2.sh, which must agree on the name of each
# runtime's results directory.

# runtime_label PATH MODE [TAKEN...]: the file name of PATH, "-MODE" unless
# the mode is plain or empty ("+" becomes "-"), then "-2", "-3"... until
# the name is not among TAKEN.
runtime_label() {
	local path=$1 mode=$2 label cand n=1
	shift 2
	label=${path##*/}
	[ -z "$mode" ] || [ "$mode" = plain ] || label=$label-${mode//+/-}
	cand=$label
	while [ $# -gt 0 ] && printf '%s\n' "$@" | grep -qxF -- "$cand"; do
		n=$((n + 1))
		cand=$label-$n
	done
	echo "$cand"
}
