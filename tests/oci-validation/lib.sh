# Helpers for the end-to-end tests. A test is `bash NNN-name.sh` with RUNTIME set to the
# runtime binary (hutch, or runc to validate the tests). It sources this file first.
# Exit status: 0 passed, 77 skipped, anything else failed.
#
# Every test gets its own temp dir T (bundle, state root passed with --root, scratch files)
# and a unique container id; the EXIT trap always deletes the containers, kills the
# processes the test started, removes the cgroups it named, unmounts and removes T.

set -u
set -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/bundle.sh
. "$E2E_DIR/../lib/bundle.sh"
# shellcheck source=../lib/assert.sh
. "$E2E_DIR/../lib/assert.sh"

if [ -z "${RUNTIME:-}" ]; then
	echo "RUNTIME is not set (path of the runtime binary to test)" >&2
	exit 2
fi
case $RUNTIME in
*/*) ;;
*) RUNTIME=$(command -v "$RUNTIME") || { echo "RUNTIME not found" >&2; exit 2; } ;;
esac

TEST_NAME=$(basename "$0" .sh)
RT_TIMEOUT=${RT_TIMEOUT:-30}
IDS=()
PIDS=()
CGROUPS=()
CLEANUP_CMDS=()
T=
NCAP=0

# register NAME: tell run-tests.sh (HUTCH_E2E_REGISTRY) a name this test gives to temp dirs,
# containers or cgroups, so its leak check looks for exactly these
register() {
	[ -n "${HUTCH_E2E_REGISTRY:-}" ] && echo "$1" >> "$HUTCH_E2E_REGISTRY"
	return 0
}

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

is_runc() {
	"$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^runc version'
}

# runc_deviates REASON: the check that follows is a spec requirement runc does not meet;
# the test runs on other runtimes only.
runc_deviates() {
	if is_runc; then
		skip "runc deviates: $*"
	fi
}

# assert_exit EXPECTED CMD...: run CMD (output kept in OUT/ERR) and compare its exit status
assert_exit() {
	local want=$1
	shift
	capture "$@"
	if [ "$RC" != "$want" ]; then
		fail "exit status of [$*]: expected $want, got $RC
stdout: $OUT
stderr: $ERR"
	fi
}

# assert_fails CMD...: an error exit expected: status 1..123 with a message on stderr. 124
# (timed out), 126/127 (not executable) and >= 128 (killed by a signal, e.g. a crash) are
# not the error the spec asks for.
assert_fails() {
	capture "$@"
	if [ "$RC" = 0 ] || [ "$RC" -ge 124 ] || [ -z "$ERR" ]; then
		fail "expected [$*] to fail with an error message, it exited $RC
stdout: $OUT
stderr: $ERR"
	fi
}

# assert_exec_fails CMD...: assert_fails for `exec`, which in runc exits 255 on errors
assert_exec_fails() {
	capture "$@"
	if [ "$RC" = 255 ] && is_runc && [ -n "$ERR" ]; then
		return 0
	fi
	assert_fails "$@"
}

assert_ok() { # CMD...: exit 0 expected
	capture "$@"
	if [ "$RC" != 0 ]; then
		fail "expected [$*] to succeed, it exited $RC
stdout: $OUT
stderr: $ERR"
	fi
}

# capture CMD...: run with stdin from /dev/null, stdout/stderr to fresh files (never a
# pipe: a container started by create/run -d inherits them and would hold a pipe open).
# Sets OUT, ERR, RC, OUT_FILE, ERR_FILE.
capture() {
	NCAP=$((NCAP + 1))
	OUT_FILE=$T/cap.$NCAP.out
	ERR_FILE=$T/cap.$NCAP.err
	"$@" < /dev/null > "$OUT_FILE" 2> "$ERR_FILE"
	RC=$?
	OUT=$(cat "$OUT_FILE")
	ERR=$(cat "$ERR_FILE")
}

# rt ARGS...: the runtime with this test's state root, bounded in time
rt() {
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE_ROOT" "$@"
}

# new_id VAR [SUFFIX]: a unique container id, registered for cleanup
new_id() {
	local _nid="hutch-t-${TEST_NAME}-$$${2:+-$2}"
	IDS+=("$_nid")
	register "$_nid"
	printf -v "$1" '%s' "$_nid"
}

# cli_helper VAR NAME: the path of a helper of the CLI tests (3NN) that meson builds
# (tests/oci-validation/helpers/cli/); HUTCH_CLI_HELPERS (set by run-tests.sh) names the
# directory, default: build/ of the repo. Not built is a failure: the tests need it.
cli_helper() {
	local _h=${HUTCH_CLI_HELPERS:-$E2E_DIR/../../build/tests/oci-validation/helpers/cli}/$2
	[ -x "$_h" ] || fail "test helper $2 is not built ($_h): build first, or set HUTCH_CLI_HELPERS"
	printf -v "$1" '%s' "$_h"
}

# new_bundle VAR NAME [ARGS...]: another bundle under T
new_bundle() {
	local _var=$1 _b=$T/$2
	shift 2
	make_bundle "$_b" "$@" || fail "cannot make bundle $_b"
	printf -v "$_var" '%s' "$_b"
}

# cfg FILTER [JQ ARGS...]: edit $BUNDLE/config.json in place (CONFIG= to edit another)
cfg() {
	local f=${CONFIG:-$BUNDLE/config.json}
	jq "$@" "$f" > "$f.new" || fail "jq $* failed"
	mv "$f.new" "$f"
}

# set_args ARG...: process.args
set_args() {
	cfg --argjson a "$(json_array "$@")" '.process.args = $a'
}

# sh_args SCRIPT: process.args = sh -c SCRIPT
sh_args() {
	set_args sh -c "$1"
}

# bind_out: bind-mount T/out at /out (rw) so the container can leave files for the host
bind_out() {
	mkdir -p "$T/out"
	chmod 777 "$T/out"
	cfg --arg src "$T/out" '.mounts += [{destination: "/out", type: "bind", source: $src,
		options: ["rbind", "rw"]}]'
}

# cgroup_path VAR NAME: a cgroupsPath unique to this test, removed at cleanup
cgroup_path() {
	local _p="/hutch-t-${TEST_NAME}-$$-$2"
	CGROUPS+=("$_p")
	register "${_p#/}"
	printf -v "$1" '%s' "$_p"
}

# A shell line for container scripts: prints one line per mount,
# "MOUNTPOINT MOUNT-OPTIONS FSTYPE SUPER-OPTIONS" (mountinfo has a variable number of
# optional fields before " - ", so fixed awk columns are wrong).
MOUNTS='sed -n "s|^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) \([^ ]*\) .*- \([^ ]*\) [^ ]* \([^ ]*\)\$|\1 \2 \3 \4|p" /proc/self/mountinfo'

# helper VAR NAME: the path of a test helper built by meson
# (tests/oci-validation/helpers/security/); the test is skipped when it was not built.
# HUTCH_TEST_HELPERS (set by run-tests.sh) names the directory; default: build/ of the repo.
helper() {
	local _dir=${HUTCH_TEST_HELPERS:-$E2E_DIR/../../build/tests/oci-validation/helpers/security}
	[ -x "$_dir/$2" ] || skip "test helper $2 not built (meson, $_dir)"
	printf -v "$1" '%s' "$_dir/$2"
}

# install_probe [ROOTFS]: copy the static `probe` helper to /bin/probe of the rootfs
install_probe() {
	local _p
	helper _p probe
	cp "$_p" "${1:-$BUNDLE/rootfs}/bin/probe" || fail "cannot install probe"
}

# run_ctr [ID [BUNDLE]]: `run` in the foreground; OUT/ERR/RC hold the result
run_ctr() {
	capture rt run --bundle "${2:-$BUNDLE}" "${1:-$ID}"
}

# in_ctr SCRIPT: run `sh -c SCRIPT` in a container of $BUNDLE, which must exit 0; OUT is
# what it printed.
in_ctr() {
	sh_args "$1"
	run_ctr
	if [ "$RC" != 0 ]; then
		fail "container run failed (exit $RC)
script: $1
stdout: $OUT
stderr: $ERR"
	fi
}

create_ctr() { # [ID [BUNDLE [OPTS...]]]
	local id=${1:-$ID} b=${2:-$BUNDLE}
	shift 2 2>/dev/null || shift $#
	assert_ok rt create --bundle "$b" "$@" "$id"
	track_pid "$id"
}

start_ctr() { # [ID]
	assert_ok rt start "${1:-$ID}"
}

# state_json ID / state_of ID FIELD
state_json() {
	rt state "${1:-$ID}" 2> /dev/null
}

state_of() {
	state_json "$1" | jq -r ".$2"
}

# track_pid ID: remember the container's pid so cleanup can kill it if delete fails
track_pid() {
	local p
	p=$(state_of "$1" pid 2> /dev/null)
	case $p in
	'' | null | 0) ;;
	*) PIDS+=("$p") ;;
	esac
}

status_is() { # ID STATUS
	[ "$(state_of "$1" status)" = "$2" ]
}

wait_status() { # ID STATUS [SECONDS]
	wait_for "${3:-10}" status_is "$1" "$2" ||
		fail "container $1 did not reach status $2 (now: $(state_of "$1" status))"
}

# host_ns TYPE / ns of a pid: "net:[4026531840]"
ns_of() { readlink "/proc/$1/ns/$2"; }

state_dir_exists() { # ID: did the runtime leave anything named after ID in the state root?
	[ -e "$STATE_ROOT/$1" ]
}

# at_cleanup CMD...: run CMD at cleanup, after the containers are gone (also when the test fails)
at_cleanup() {
	CLEANUP_CMDS+=("$(printf '%q ' "$@")")
}

# new_veth VAR_HOST VAR_PEER: a veth pair named after this test's pid (register'ed for the
# leak check), deleted at cleanup; a second call makes another pair
NVETH=0
new_veth() {
	NVETH=$((NVETH + 1))
	local _h="vh$$x$NVETH" _p="vp$$x$NVETH"
	register "$_h"
	register "$_p"
	at_cleanup ip link del "$_h"
	ip link add "$_h" type veth peer name "$_p" || fail "cannot make the veth pair $_h/$_p"
	printf -v "$1" '%s' "$_h"
	printf -v "$2" '%s' "$_p"
}

# NET: a /24 of this test (198.18.0.0/15 is reserved for network tests, RFC 2544)
NET=198.18.$(($$ % 256))

cleanup() {
	local rc=$? id p cg m left
	set +e
	trap - EXIT INT TERM
	for id in "${IDS[@]}"; do
		timeout -k 2 10 "$RUNTIME" --root "$STATE_ROOT" delete --force "$id" > /dev/null 2>&1
	done
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2> /dev/null
	done
	wait 2> /dev/null
	for m in "${CLEANUP_CMDS[@]}"; do
		eval "$m" > /dev/null 2>&1
	done
	for cg in "${CGROUPS[@]}" "${IDS[@]}"; do
		# rmdir only: it removes empty cgroups and can never touch anything else
		find /sys/fs/cgroup -maxdepth 4 -depth -type d -path "*${cg#/}" \
			-exec rmdir {} + 2> /dev/null
	done
	if [ -n "$T" ] && [ -d "$T" ]; then
		awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
			while read -r m; do umount -l "$m"; done
		left=$(awk -v t="$T/" 'index($5, t) == 1' /proc/self/mountinfo)
		if [ -n "$left" ]; then
			echo "cleanup: still mounted under $T, not removing it:"
			echo "$left"
			[ $rc = 0 ] && rc=1
		else
			rm -rf --one-file-system "$T"
		fi
	fi
	exit $rc
}

[ "$(id -u)" = 0 ] || { echo "e2e tests need root" >&2; exit 2; }
if ! "$RUNTIME" --version > /dev/null 2>&1; then
	echo "FAIL: $RUNTIME --version does not work: the runtime is missing or broken"
	exit 1
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
T=$(mktemp -d "${TMPDIR:-/tmp}/hutch-e2e-$TEST_NAME.XXXXXX") || exit 2
register "$T"
# the container's user (e.g. a mapped uid in a user namespace) must reach the rootfs
chmod 755 "$T"
STATE_ROOT=$T/state
BUNDLE=$T/bundle
make_bundle "$BUNDLE" || fail "cannot make the bundle"
new_id ID
log "runtime: $RUNTIME, id: $ID, dir: $T"
