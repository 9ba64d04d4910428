# Helpers shared by the reliability tests (bad-inputs.sh, faults.sh, concurrency.sh,
# load.sh). Sourced; needs bash, jq, chroot, timeout, root.
#
# Every script gets a work dir W (bundles, state roots, scratch) and a run tag TAG that is
# part of every container id and cgroup path it makes, so that its leak checks look for
# exactly its own names (other runs may share the machine). The EXIT trap deletes what
# the script made, kills what it started (by pid), removes W.
#
# Environment: RUNTIME (default: the build's hutch), BUILD_DIR, VERBOSE=1.

set -u
set -o pipefail

REL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$REL_DIR/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$REPO/build}
# shellcheck source=../lib/bundle.sh
. "$REPO/tests/lib/bundle.sh"
# shellcheck source=../lib/assert.sh
. "$REPO/tests/lib/assert.sh"

RUNTIME=${RUNTIME:-$BUILD_DIR/hutch}
case $RUNTIME in
*/*) RUNTIME=$(realpath -m "$RUNTIME") ;;
*) RUNTIME=$(command -v "$RUNTIME") || { echo "RUNTIME not found" >&2; exit 2; } ;;
esac
REAPER=$BUILD_DIR/tests/reliability/hutch-reaper
VERBOSE=${VERBOSE:-0}
RT_TIMEOUT=${RT_TIMEOUT:-30}
SCRIPT=$(basename "$0" .sh)

if [ "$(id -u)" != 0 ]; then
	echo "$SCRIPT: needs root (namespaces, mounts, cgroups)" >&2
	exit 2
fi
for f in "$RUNTIME" "$REAPER"; do
	if [ ! -x "$f" ]; then
		echo "$SCRIPT: $f is missing (build first: ninja -C $BUILD_DIR)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

TAG="hrel$$"
PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()
REL_PIDS=()
REL_ROOTS=()
W=$(mktemp -d "${TMPDIR:-/tmp}/hutch-rel-$SCRIPT.XXXXXX") || exit 2
# the container's user must reach the rootfs
chmod 755 "$W"
[ -n "${HUTCH_E2E_REGISTRY:-}" ] && echo "$W" >> "$HUTCH_E2E_REGISTRY"

say() { echo "# $*"; }

pass() { # NAME
	PASSED=$((PASSED + 1))
	[ "$VERBOSE" = 1 ] && echo "PASS  $1"
	return 0
}

failc() { # NAME DETAILS
	FAILED=$((FAILED + 1))
	FAILURES+=("$1")
	echo "FAIL  $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    | /'
	return 0
}

skipc() { # NAME REASON
	SKIPPED=$((SKIPPED + 1))
	echo "SKIP  $1: $2"
}

# check NAME PROBLEMS: pass when PROBLEMS is empty, else fail with them
check() {
	if [ -z "$2" ]; then pass "$1"; else failc "$1" "$2"; fi
}

summary() {
	if [ ${#FAILURES[@]} -gt 0 ]; then
		echo "== $SCRIPT: failed:"
		printf '  %s\n' "${FAILURES[@]}"
	fi
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" = 0 ]
}

# rtr ROOT ARGS...: the runtime with state root ROOT, bounded in time, stdin from /dev/null
rtr() {
	local root=$1
	shift
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$root" "$@" < /dev/null
}

# reaped LEAKS ROOT ARGS...: rtr under the subreaper: the processes it leaves behind are
# listed in LEAKS (and killed). Sets RC, OUT, ERR. Output goes to files, never a pipe: a
# container would inherit it.
reaped() {
	local leaks=$1 root=$2
	shift 2
	: > "$leaks"
	"$REAPER" -l "$leaks" -- timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$root" "$@" \
		< /dev/null > "$W/cap.out" 2> "$W/cap.err"
	RC=$?
	OUT=$(< "$W/cap.out")
	ERR=$(< "$W/cap.err")
}

# run_cap ROOT ARGS...: rtr with stdout/stderr in files. Sets RC, OUT, ERR.
run_cap() {
	rtr "$@" > "$W/cap.out" 2> "$W/cap.err"
	RC=$?
	OUT=$(< "$W/cap.out")
	ERR=$(< "$W/cap.err")
}

# new_root VAR NAME: a state root under W, cleaned at exit
new_root() {
	local _r=$W/$2
	REL_ROOTS+=("$_r")
	printf -v "$1" '%s' "$_r"
}

# cgroups_of NAME: cgroup directories hutch may have made for NAME: the default
# /hutch/NAME and any cgroupsPath carrying NAME, in every hierarchy
cgroups_of() {
	local d
	local -A seen=()
	for d in /sys/fs/cgroup/*"$1"* /sys/fs/cgroup/*/*"$1"* /sys/fs/cgroup/*/*/*"$1"*; do
		[ -d "$d" ] && [ -z "${seen[$d]:-}" ] && echo "$d"
		seen[$d]=1
	done
	return 0
}

# mounts_of STRING...: mount points in our mount namespace whose line mentions a STRING
mounts_of() {
	awk -v s="$*" 'BEGIN { n = split(s, w, " ") }
		{ for (i = 1; i <= n; i++) if (index($0, w[i])) { print $5; next } }' /proc/self/mountinfo
}

# procs_in DIR: processes (not ours) whose root or cwd is under DIR
procs_in() {
	local p r c
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2> /dev/null) || continue
		c=$(readlink "$p/cwd" 2> /dev/null)
		case "$r $c" in
		*"$1"*) echo "${p#/proc/} $(tr '\0' ' ' < "$p/cmdline" 2> /dev/null)" ;;
		esac
	done
	return 0
}

# leftovers ID ROOT: what remains of container ID: state dir, cgroups, mounts
leftovers() {
	local id=$1 root=$2 d m
	[ -e "$root/$id" ] && echo "state dir $root/$id"
	if [ -d "$root" ]; then
		for d in "$root"/* "$root"/.[!.]*; do
			[ -e "$d" ] && echo "state root $root holds ${d##*/}"
		done
	fi
	for d in $(cgroups_of "$id"); do echo "cgroup $d"; done
	for m in $(mounts_of "$id" "$W/"); do echo "mount $m"; done
	return 0
}

# zombies_of PID: zombie children of PID
zombies_of() {
	local s
	for s in /proc/[0-9]*/stat; do
		awk -v pp="$1" '{ sub(/^.*\) /, ""); if ($1 == "Z" && $2 == pp) print FILENAME }' \
			"$s" 2> /dev/null
	done
	return 0
}

# fds_of PID: its open fds, one "N -> target" per line
fds_of() {
	local f
	for f in /proc/"$1"/fd/*; do
		echo "${f##*/} -> $(readlink "$f" 2> /dev/null)"
	done
}

host_mem_kb() { awk -v k="${1:-MemAvailable}:" '$1 == k {print $2}' /proc/meminfo; }

# status_of ROOT ID: the status `state` reports, or "absent"
status_of() {
	local s
	s=$(rtr "$1" state "$2" 2> /dev/null | jq -r .status 2> /dev/null)
	echo "${s:-absent}"
}

# one_line_error ERR WANT: problems with a failing command's stderr: it must be one line
# that names WANT (case-insensitive)
one_line_error() {
	local nl=$'\n' e=${1,,} w=${2,,}
	case $1 in
	'') echo "stderr is empty, want one line" ;;
	*"$nl"*) echo "stderr has several lines, want 1: ${1:0:600}" ;;
	esac
	case $e in
	*"$w"*) ;;
	*) echo "error does not name [$2]: ${1:0:600}" ;;
	esac
	return 0
}

rel_cleanup() {
	local rc=$? r id p m
	set +e
	trap - EXIT INT TERM
	for r in "${REL_ROOTS[@]}"; do
		[ -d "$r" ] || continue
		for id in $(ls -A "$r" 2> /dev/null); do
			timeout -k 2 10 "$RUNTIME" --root "$r" delete --force "$id" > /dev/null 2>&1
		done
	done
	for p in "${REL_PIDS[@]}"; do
		kill -KILL "$p" 2> /dev/null
	done
	wait 2> /dev/null
	# cgroups this run named (ids and paths carry TAG); rmdir only removes empty ones
	find /sys/fs/cgroup -maxdepth 5 -depth -type d -name "*$TAG*" -exec rmdir {} + 2> /dev/null
	awk -v t="$W/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	if [ -n "$(awk -v t="$W/" 'index($5, t) == 1' /proc/self/mountinfo)" ]; then
		echo "cleanup: still mounted under $W, not removing it"
	else
		rm -rf --one-file-system "$W"
	fi
	exit $rc
}
trap rel_cleanup EXIT
trap 'exit 130' INT TERM
