#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Broken bundles, table driven.  Every case must make `create` exit 1
# within 10 seconds and leave nothing behind: no state under --root, no
# cgroup, no mount, no process.  Hull must in addition say what is wrong
# and where: its messages name the file and the JSON path (checked by the
# hull-only test at the end; other runtimes' wording is their own).
#
# To add a case: add a `row` line to the table and a one-line @test below
# it (the "table and tests agree" test checks that both exist).

load helpers

# ---------------------------------------------------------------------------
# The table.
#
#   row NAME EXIT BREAK MESSAGE [RUNC-DEVIATION]
#
#   NAME      case name; its test is @test "bad-input: NAME"
#   EXIT      expected exit status of `create`
#   BREAK     shell code run in a fresh copy of the good bundle (the cwd)
#             to break it; `cfg FILTER` applies a jq filter to config.json
#   MESSAGE   fragment hull's error message must contain
#   RUNC-DEVIATION  when runc does not refuse the case: why (the case is
#             then skipped for runc, see README.md)
#
# rootfs as a symlink: config.md says "A directory MUST exist at the path
# declared by the field"; a symlink that resolves to a directory satisfies
# that (rootfs.bats runs one), a dangling one or one to a file does not.

declare -gA BAD_EXIT BAD_BREAK BAD_MSG BAD_RUNC
BAD_NAMES=()
row() {
	BAD_NAMES+=("$1")
	BAD_EXIT[$1]=$2
	BAD_BREAK[$1]=$3
	BAD_MSG[$1]=$4
	BAD_RUNC[$1]=${5:-}
}

# File level
row missing-config       1 'rm config.json'                                        'config.json'
row empty-config         1 ': >config.json'                                        'config.json'
row malformed-json       1 'printf "{\"ociVersion\": \"1.0.2\",, }" >config.json' 'config.json'
row truncated-json       1 'head -c 300 config.json >c && mv c config.json'        'config.json'
row trailing-garbage     1 'echo "}" >>config.json'                                'config.json'  'runc decodes the first JSON value and ignores what follows (RFC 8259: a JSON text is one value)'
row not-an-object        1 'echo "[1, 2]" >config.json'                            'config.json'
row deeply-nested        1 'cfg ".annotations = {}" && { printf "{\"x\":"; head -c 200000 /dev/zero | tr "\\0" "["; } >config.json' 'config.json'
row config-is-fifo       1 'rm config.json && mkfifo config.json'                  'config.json'  'runc opens the FIFO and blocks until killed by the timeout, never generating the error runtime.md requires'
row config-is-dev-zero   1 'rm config.json && ln -s /dev/zero config.json'         'config.json'
row config-is-dir        1 'rm config.json && mkdir config.json'                   'config.json'
# ociVersion
row oci-version-2        1 'cfg ".ociVersion = \"2.0.0\""'                         'config.json: ociVersion' 'runc does not check ociVersion (config.md: compatible only within a major version)'
row oci-version-0.9      1 'cfg ".ociVersion = \"0.9\""'                           'config.json: ociVersion' 'runc does not check ociVersion (config.md: ociVersion MUST be in SemVer v2.0.0 format)'
row oci-version-missing  1 'cfg "del(.ociVersion)"'                                'config.json: ociVersion' 'runc does not require ociVersion (config.md: ociVersion REQUIRED)'
row oci-version-number   1 'cfg ".ociVersion = 1"'                                 'config.json: ociVersion'
# Wrong types
row args-not-array       1 'cfg ".process.args = \"sh\""'                          'config.json: process.args'
row terminal-not-bool    1 'cfg ".process.terminal = \"yes\""'                     'config.json: process.terminal'
row readonly-not-bool    1 'cfg ".root.readonly = 1"'                              'config.json: root.readonly'
row hostname-not-string  1 'cfg ".hostname = 42"'                                  'config.json: hostname'
row memory-limit-string  1 'cfg ".linux.resources.memory.limit = \"512M\""'        'config.json: linux.resources.memory.limit: expected an integer, got "512M"'
row uid-float            1 'cfg ".process.user.uid = 1.5"'                         'config.json: process.user.uid'
row namespaces-object    1 'cfg ".linux.namespaces = {\"type\": \"pid\"}"'         'config.json: linux.namespaces'
row env-not-strings      1 'cfg ".process.env = [1, 2]"'                           'config.json: process.env[0]'
row mounts-not-array     1 'cfg ".mounts = \"none\""'                              'config.json: mounts'
# Out of range
row uid-negative         1 'cfg ".process.user.uid = -1"'                          'config.json: process.user.uid'
row uid-too-big          1 'cfg ".process.user.uid = 4294967296"'                  'config.json: process.user.uid'
row memory-limit-huge    1 'cfg ".linux.resources.memory.limit = 1e30"'            'config.json: linux.resources.memory.limit'
row oom-score-adj-range  1 'cfg ".process.oomScoreAdj = 1001"'                     'config.json: process.oomScoreAdj'
row rlimit-negative      1 'cfg ".process.rlimits[0].soft = -5"'                   'config.json: process.rlimits[0].soft'
# Invalid values
row unknown-ns-type      1 'cfg ".linux.namespaces[1].type = \"pdi\""'             'config.json: linux.namespaces[1].type: expected one of pid, network, mount, ipc, uts, user, cgroup, time, got "pdi"'
row duplicate-ns         1 'cfg ".linux.namespaces += [{\"type\": \"ipc\"}]"'       'config.json: linux.namespaces'
row unknown-rlimit       1 'cfg ".process.rlimits[0].type = \"RLIMIT_FOO\""'       'config.json: process.rlimits[0].type'
row duplicate-rlimit     1 'cfg ".process.rlimits += [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 10}]"' 'config.json: process.rlimits' 'runc accepts duplicated rlimits entries (config.md: "If rlimits contains duplicated entries with same type, the runtime MUST generate an error")'
row rlimit-soft-over-hard 1 'cfg ".process.rlimits[0].soft = 2048 | .process.rlimits[0].hard = 1024"' 'config.json: process.rlimits[0]'
row unknown-device-type  1 'cfg ".linux.devices = [{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, \"minor\": 3}]"' 'config.json: linux.devices[0].type'
row bad-propagation      1 'cfg ".linux.rootfsPropagation = \"sideways\""'         'config.json: linux.rootfsPropagation'
row unknown-fs-type      1 'cfg ".mounts += [{\"destination\": \"/x\", \"type\": \"nosuchfs\", \"source\": \"none\"}]"' 'mounts[7]'
# first: made before the container's cgroups exist (the parent is still making them)
row unknown-fs-type-first 1 'cfg ".mounts = [{\"destination\": \"/x\", \"type\": \"nosuchfs\", \"source\": \"none\"}] + .mounts"' 'mounts[0]'
# Missing required fields
row missing-args         1 'cfg "del(.process.args)"'                              'config.json: process.args'
row empty-args           1 'cfg ".process.args = []"'                              'config.json: process.args'
row missing-root         1 'cfg "del(.root)"'                                      'config.json: root'
row missing-root-path    1 'cfg "del(.root.path)"'                                 'config.json: root.path'
row missing-ns-type      1 'cfg ".linux.namespaces[0] = {}"'                       'config.json: linux.namespaces[0].type'
row missing-cwd          1 'cfg "del(.process.cwd)"'                               'config.json: process.cwd'
# Relative paths where absolute ones are required
row relative-cwd         1 'cfg ".process.cwd = \"tmp\""'                          'config.json: process.cwd'
row relative-ns-path     1 'cfg ".linux.namespaces[1].path = \"proc/1/ns/net\""'   'config.json: linux.namespaces[1].path'
row relative-masked-path 1 'cfg ".linux.maskedPaths += [\"etc/passwd\"]"'           'config.json: linux.maskedPaths[10]' 'runc accepts relative maskedPaths (config-linux.md: values MUST be absolute paths)'
row relative-ro-path     1 'cfg ".linux.readonlyPaths += [\"etc\"]"'                'config.json: linux.readonlyPaths[5]' 'runc accepts relative readonlyPaths (config-linux.md: values MUST be absolute paths)'
row relative-device-path 1 'cfg ".linux.devices = [{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]"' 'config.json: linux.devices[0].path' 'runc accepts a relative device path (config-linux.md: path - full path to device inside container)'
# The root filesystem
row missing-rootfs       1 'rm -rf rootfs'                                         'rootfs'
row rootfs-is-file       1 'rm -rf rootfs && touch rootfs'                         'rootfs'
row rootfs-dangling-link 1 'rm -rf rootfs && ln -s /nonexistent/rootfs rootfs'     'rootfs'
row rootfs-link-to-file  1 'rm -rf rootfs && touch file && ln -s file rootfs'      'rootfs'

# ---------------------------------------------------------------------------

cfg() { CONFIG=$BUNDLE_DIR/config.json update_config "$@"; }

# break_bundle NAME DIR: make DIR a good bundle, then apply NAME's BREAK.
break_bundle() {
	local name=$1 dir=$2
	new_bundle "$dir"
	(cd "$dir" && BUNDLE_DIR=$dir && eval "${BAD_BREAK[$name]}") ||
		{ echo "BREAK of $name failed"; return 1; }
}

# create_broken NAME DIR ID: create from the broken bundle with a timeout;
# sets $status and $output.
create_broken() {
	local name=$1 dir=$2 id=$3
	track_id "$id"
	status=0
	HULL_TEST_MARK=$T timeout -k 5 10 "$RUNTIME" --root "$ROOT" create --bundle "$dir" "$id" \
		</dev/null >"$T/$id.out" 2>&1 || status=$?
	output=$(cat "$T/$id.out")
}

bad_case() {
	local name=$1
	[ -n "${BAD_EXIT[$name]+x}" ] || { echo "no table row for $name"; return 1; }
	[ -z "${BAD_RUNC[$name]}" ] || runc_deviates "${BAD_RUNC[$name]}"
	break_bundle "$name" "$BUNDLE"
	create_broken "$name" "$BUNDLE" "bad-$name"
	echo "exit $status: $output"
	[ "$status" -eq "${BAD_EXIT[$name]}" ] || { echo "expected exit ${BAD_EXIT[$name]}"; return 1; }
	run rt list -q
	assert_output ""
	# Nothing left, checked before the teardown's force delete.
	assert_host_clean
}

@test "bad-input: missing-config" { bad_case missing-config; }
@test "bad-input: empty-config" { bad_case empty-config; }
@test "bad-input: malformed-json" { bad_case malformed-json; }
@test "bad-input: truncated-json" { bad_case truncated-json; }
@test "bad-input: trailing-garbage" { bad_case trailing-garbage; }
@test "bad-input: not-an-object" { bad_case not-an-object; }
@test "bad-input: deeply-nested" { bad_case deeply-nested; }
@test "bad-input: config-is-fifo" { bad_case config-is-fifo; }
@test "bad-input: config-is-dev-zero" { bad_case config-is-dev-zero; }
@test "bad-input: config-is-dir" { bad_case config-is-dir; }
@test "bad-input: oci-version-2" { bad_case oci-version-2; }
@test "bad-input: oci-version-0.9" { bad_case oci-version-0.9; }
@test "bad-input: oci-version-missing" { bad_case oci-version-missing; }
@test "bad-input: oci-version-number" { bad_case oci-version-number; }
@test "bad-input: args-not-array" { bad_case args-not-array; }
@test "bad-input: terminal-not-bool" { bad_case terminal-not-bool; }
@test "bad-input: readonly-not-bool" { bad_case readonly-not-bool; }
@test "bad-input: hostname-not-string" { bad_case hostname-not-string; }
@test "bad-input: memory-limit-string" { bad_case memory-limit-string; }
@test "bad-input: uid-float" { bad_case uid-float; }
@test "bad-input: namespaces-object" { bad_case namespaces-object; }
@test "bad-input: env-not-strings" { bad_case env-not-strings; }
@test "bad-input: mounts-not-array" { bad_case mounts-not-array; }
@test "bad-input: uid-negative" { bad_case uid-negative; }
@test "bad-input: uid-too-big" { bad_case uid-too-big; }
@test "bad-input: memory-limit-huge" { bad_case memory-limit-huge; }
@test "bad-input: oom-score-adj-range" { bad_case oom-score-adj-range; }
@test "bad-input: rlimit-negative" { bad_case rlimit-negative; }
@test "bad-input: unknown-ns-type" { bad_case unknown-ns-type; }
@test "bad-input: duplicate-ns" { bad_case duplicate-ns; }
@test "bad-input: unknown-rlimit" { bad_case unknown-rlimit; }
@test "bad-input: duplicate-rlimit" { bad_case duplicate-rlimit; }
@test "bad-input: rlimit-soft-over-hard" { bad_case rlimit-soft-over-hard; }
@test "bad-input: unknown-device-type" { bad_case unknown-device-type; }
@test "bad-input: bad-propagation" { bad_case bad-propagation; }
@test "bad-input: unknown-fs-type" { bad_case unknown-fs-type; }
@test "bad-input: unknown-fs-type-first" { bad_case unknown-fs-type-first; }
@test "bad-input: missing-args" { bad_case missing-args; }
@test "bad-input: empty-args" { bad_case empty-args; }
@test "bad-input: missing-root" { bad_case missing-root; }
@test "bad-input: missing-root-path" { bad_case missing-root-path; }
@test "bad-input: missing-ns-type" { bad_case missing-ns-type; }
@test "bad-input: missing-cwd" { bad_case missing-cwd; }
@test "bad-input: relative-cwd" { bad_case relative-cwd; }
@test "bad-input: relative-ns-path" { bad_case relative-ns-path; }
@test "bad-input: relative-masked-path" { bad_case relative-masked-path; }
@test "bad-input: relative-ro-path" { bad_case relative-ro-path; }
@test "bad-input: relative-device-path" { bad_case relative-device-path; }
@test "bad-input: missing-rootfs" { bad_case missing-rootfs; }
@test "bad-input: rootfs-is-file" { bad_case rootfs-is-file; }
@test "bad-input: rootfs-dangling-link" { bad_case rootfs-dangling-link; }
@test "bad-input: rootfs-link-to-file" { bad_case rootfs-link-to-file; }

@test "bad-input: table and tests agree" {
	local name missing=0
	for name in "${BAD_NAMES[@]}"; do
		grep -qF "@test \"bad-input: $name\" { bad_case $name; }" "$BATS_TEST_FILENAME" ||
			{ echo "row $name has no @test"; missing=1; }
	done
	while read -r name; do
		[ -n "${BAD_EXIT[$name]+x}" ] || { echo "@test $name has no row"; missing=1; }
	done < <(sed -n 's/^@test "bad-input: \([^"]*\)" { bad_case .*/\1/p' "$BATS_TEST_FILENAME")
	[ $missing -eq 0 ]
}

@test "bad-input: hull names the file and the JSON path in each error" {
	requires_hull "the wording of error messages is hull's own"
	local name failures=() i=0
	for name in "${BAD_NAMES[@]}"; do
		i=$((i + 1))
		rm -rf "$T/b"
		break_bundle "$name" "$T/b"
		create_broken "$name" "$T/b" "msg-$i"
		if [[ $output != *"${BAD_MSG[$name]}"* ]]; then
			failures+=("$name: wanted '${BAD_MSG[$name]}', got: $output")
		fi
		assert_host_clean || failures+=("$name: left something behind")
	done
	if [ ${#failures[@]} -gt 0 ]; then
		printf '%s\n' "${failures[@]}"
		return 1
	fi
}
