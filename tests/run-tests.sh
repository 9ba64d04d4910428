#!/bin/bash
# The whole test suite: build hutch, run the C unit tests, then every end-to-end test in
# tests/oci-validation/ against $RUNTIME, then check that nothing was left behind.
# The last line printed is "N passed, N failed, N skipped"; the exit status is non-zero if
# anything failed.
#
# Environment:
#   RUNTIME=PATH     runtime to test (default: the freshly built build/hutch);
#                    RUNTIME=runc validates the e2e tests against runc
#   TESTS=ERE        run only the e2e tests whose file name matches (grep -E)
#   KEEP_GOING=0     stop at the first failing e2e test (default 1: run them all)
#   BUILD_DIR=DIR    meson build directory (default: build/ in the repo)
#   SKIP_BUILD=1     do not build nor run the unit tests (e2e only)
#   TEST_TIMEOUT=S   time limit of one e2e test (default 60)
#   VERBOSE=1        print every e2e test's output, not only the failing ones
#   SANITIZE=1       also build hutch with ASan+UBSan (build-asan/) and run the e2e tests
#                    with it; on by default when CI=true
#   SUITES=ERE       run only the extra suites (tests/*/suite.sh, below) whose directory
#                    name matches; SUITES=none runs none of them
#
# Extra suites: every executable tests/DIR/suite.sh runs after the e2e tests, in name order,
# with RUNTIME, BUILD_DIR and REPO exported. Its last line of output must be
# "N passed, N failed[, N skipped]"; those counts are added to the totals, and a suite that
# prints no such line (or dies) counts as one failure. Its packages go in .ci/packages.d/.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
KEEP_GOING=${KEEP_GOING:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}
TESTS=${TESTS:-}
SUITES=${SUITES:-}
VERBOSE=${VERBOSE:-0}
if [ "${CI:-}" = true ]; then SANITIZE=${SANITIZE:-1}; else SANITIZE=${SANITIZE:-0}; fi

if [ "$(id -u)" != 0 ]; then
	echo "run-tests.sh: the tests create containers (namespaces, mounts, cgroups) and must run as root." >&2
	echo "run-tests.sh: run it as: sudo $0" >&2
	exit 2
fi
for tool in jq chroot timeout "${BUSYBOX:-/bin/busybox}"; do
	if ! command -v "$tool" > /dev/null; then
		echo "run-tests.sh: missing $tool (apt-get install jq busybox-static coreutils)" >&2
		exit 2
	fi
done

passed=0
failed=0
skipped=0
failures=()

count_meson() { # LOG KEY: the number after "KEY:" in meson's summary
	local n
	n=$(sed -n "s/^$2:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$1" | tail -n1)
	echo "${n:-0}"
}

build_and_unit() {
	local log
	echo "== build ($BUILD_DIR)"
	if [ ! -f "$BUILD_DIR/build.ninja" ]; then
		if ! meson setup "$BUILD_DIR" "$REPO"; then
			failed=$((failed + 1))
			failures+=("build: meson setup")
			return
		fi
	fi
	# -k 0: build every target that can be built, so unit tests run even if one target breaks
	if ! ninja -C "$BUILD_DIR" -k 0; then
		failed=$((failed + 1))
		failures+=("build: ninja")
	fi
	echo "== unit tests"
	log=$BUILD_DIR/unit-tests.log
	meson test -C "$BUILD_DIR" --no-rebuild --print-errorlogs 2>&1 | tee "$log"
	local ok fail xfail upass skip tmo
	ok=$(count_meson "$log" Ok)
	fail=$(count_meson "$log" Fail)
	xfail=$(count_meson "$log" "Expected Fail")
	upass=$(count_meson "$log" "Unexpected Pass")
	skip=$(count_meson "$log" Skipped)
	tmo=$(count_meson "$log" Timeout)
	passed=$((passed + ok + xfail))
	failed=$((failed + fail + upass + tmo))
	skipped=$((skipped + skip))
	if [ $((fail + upass + tmo)) -gt 0 ]; then
		failures+=("unit tests: $((fail + upass + tmo)) failed")
	fi
	if ! grep -q '^Ok:' "$log"; then
		failed=$((failed + 1))
		failures+=("unit tests: meson test did not run")
	fi
}

# leaks: what the tests of this run left behind. Each test registers the names it uses (temp
# dir, container ids, cgroup names) in $HUTCH_E2E_REGISTRY; look for exactly those, so that
# other runs on the same machine do not count.
leaks() {
	local reg=$1 name
	[ -s "$reg" ] || return 0
	local pids
	sort -u "$reg" | while read -r name; do
		[ -n "$name" ] || continue
		grep -F -- "$name" /proc/self/mountinfo
		find /sys/fs/cgroup -maxdepth 4 -type d -name "$(basename "$name")" 2> /dev/null
		case $name in /*) [ -e "$name" ] && echo "$name" ;; esac
		find /run/hutch /run/runc -maxdepth 1 -name "$name" 2> /dev/null
		ip -o link show 2> /dev/null | grep -F -- " $name"
		# not in a pipeline: a pipeline's other commands would carry the name too
		pids=$(pgrep -f -- "$name")
		[ -n "$pids" ] && echo "processes with $name in their command line: $pids"
	done
}

run_e2e() {
	local dir=$REPO/tests/oci-validation t name rc start end log reason
	local logdir=$BUILD_DIR/e2e-logs
	mkdir -p "$logdir"
	echo "== e2e tests (RUNTIME=$RUNTIME)"
	if [ ! -x "$RUNTIME" ]; then
		echo "runtime $RUNTIME is missing or not executable: every e2e test fails"
	fi
	HUTCH_E2E_REGISTRY=$(mktemp /tmp/hutch-registry.XXXXXX)
	export HUTCH_E2E_REGISTRY
	# an interrupted run (^C, a CI timeout) leaves no registry behind either
	trap 'rm -f "$HUTCH_E2E_REGISTRY"' EXIT
	for t in "$dir"/[0-9][0-9][0-9]-*.sh; do
		name=$(basename "$t" .sh)
		if [ -n "$TESTS" ] && ! grep -Eq -- "$TESTS" <<< "$name"; then
			continue
		fi
		log=$logdir/$name.log
		start=$(date +%s.%N)
		RUNTIME=$RUNTIME timeout -k 45 "$TEST_TIMEOUT" bash "$t" < /dev/null > "$log" 2>&1
		rc=$?
		end=$(date +%s.%N)
		local took
		took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1fs", b - a }')
		case $rc in
		0)
			passed=$((passed + 1))
			echo "PASS  $name ($took)"
			;;
		77)
			skipped=$((skipped + 1))
			reason=$(sed -n 's/^SKIP: //p' "$log" | tail -n1)
			echo "SKIP  $name: $reason"
			;;
		*)
			failed=$((failed + 1))
			failures+=("$name")
			[ $rc = 124 ] && echo "# timed out after ${TEST_TIMEOUT}s" >> "$log"
			echo "FAIL  $name ($took, exit $rc)"
			sed 's/^/    | /' "$log" | tail -n 40
			;;
		esac
		[ "$VERBOSE" = 1 ] && [ $rc != 1 ] && sed 's/^/    | /' "$log"
		if [ $rc != 0 ] && [ $rc != 77 ] && [ "$KEEP_GOING" = 0 ]; then
			echo "KEEP_GOING=0: stopping at the first failure"
			break
		fi
	done
	local new
	new=$(leaks "$HUTCH_E2E_REGISTRY" | sort -u)
	rm -f "$HUTCH_E2E_REGISTRY"
	if [ -z "$new" ]; then
		passed=$((passed + 1))
		echo "PASS  leak-check (no mounts, cgroups, temp or state dirs left)"
	else
		failed=$((failed + 1))
		failures+=("leak-check")
		echo "FAIL  leak-check: left behind:"
		echo "$new" | sed 's/^/    | /'
	fi
}

if [ "$SKIP_BUILD" != 1 ]; then
	build_and_unit
fi
RUNTIME=${RUNTIME:-$BUILD_DIR/hutch}
case $RUNTIME in
*/*) RUNTIME=$(realpath -m "$RUNTIME") ;;
*) RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
export RUNTIME
# the e2e tests' helper programs (built with hutch, used by every pass)
export HUTCH_TEST_HELPERS=${HUTCH_TEST_HELPERS:-$BUILD_DIR/tests/oci-validation/helpers/security}
export HUTCH_CLI_HELPERS=${HUTCH_CLI_HELPERS:-$BUILD_DIR/tests/oci-validation/helpers/cli}
run_e2e

# The same e2e tests against an ASan+UBSan build: a sanitizer report makes hutch exit
# non-zero (halt_on_error), which fails the test that ran it.
sanitized_e2e() {
	local asan=$REPO/build-asan
	echo "== ASan+UBSan build ($asan)"
	if { [ -f "$asan/build.ninja" ] || meson setup -Dsanitize_build=true -Dbuildtype=debug "$asan" "$REPO"; } &&
		ninja -C "$asan" hutch; then
		local saved=$BUILD_DIR
		BUILD_DIR=$asan
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			RUNTIME=$asan/hutch run_e2e
		BUILD_DIR=$saved
	else
		failed=$((failed + 1))
		failures+=("build: ASan+UBSan")
	fi
}
if [ "$SANITIZE" = 1 ] && [ "$SKIP_BUILD" != 1 ]; then
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 sanitized_e2e
fi

# run_suite DIR: one extra suite; its summary line is added to the totals
run_suite() {
	local dir=$1 name log rc line p f s
	name=$(basename "$dir")
	log=$BUILD_DIR/suite-$name.log
	echo "== suite $name"
	BUILD_DIR=$BUILD_DIR REPO=$REPO RUNTIME=$RUNTIME "$dir/suite.sh" < /dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		failures+=("suite $name: no summary line (exit $rc)")
		return
	fi
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<< "$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<< "$line")
	s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<< "$line")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
	[ "$f" -gt 0 ] && failures+=("suite $name: $f failed")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		failed=$((failed + 1))
		failures+=("suite $name: exit status $rc with no failure counted")
	fi
}

if [ "$SUITES" != none ]; then
	for suite in "$REPO"/tests/*/suite.sh; do
		[ -x "$suite" ] || continue
		if [ -n "$SUITES" ] && ! grep -Eq -- "$SUITES" <<< "$(basename "$(dirname "$suite")")"; then
			continue
		fi
		run_suite "$(dirname "$suite")"
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "== failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
