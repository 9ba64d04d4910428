#!/bin/bash
# tests/vm/suite.sh: the cgroup v2 suite, an extra suite of tests/run-tests.sh (also runs
# alone: sudo tests/vm/suite.sh [CASE...]). This project's machines and CI have hybrid
# cgroups, so it prepares a pure cgroup v2 guest (setup.sh: Debian's kernel, downloaded,
# never installed), boots ONE VM and runs guest-suite.sh in it against the hutch built on
# the host (RUNTIME). Its last line is the guest's "N passed, N failed, N skipped"; if the
# guest dies or runs out of time, what finished plus one failure.
#
# Env: RUNTIME (default BUILD_DIR/hutch), BUILD_DIR (default build/ in the repo),
#      VM_DIR (default build/vm: the kernel and initramfs, kept between runs),
#      VM_TIMEOUT (s, default 1500), VM_ACCEL, VERBOSE=1, E2E, CASE_TIMEOUT, JOBS.
#      With CI=true, a run longer than the CI budget (720 s, boot included) is a failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
CALLER_REPO=${REPO:-}
REPO=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
RUNTIME=$(realpath -m "${RUNTIME:-$BUILD_DIR/hutch}")
export RUNTIME
export VM_DIR=${VM_DIR:-$REPO/build/vm}
# the budget in CI is 12 minutes, boot included; the guard is looser on a shared machine
export VM_TIMEOUT=${VM_TIMEOUT:-1500}
BUDGET=720

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }
give_up() {
	echo "suite.sh: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

echo "== cgroup v2 VM suite (RUNTIME=$RUNTIME, VM_DIR=$VM_DIR)"
# A whole run takes minutes of a software-emulated guest: under tests/run-tests.sh (which
# sets REPO) it runs in CI (CI=true) or when asked (SUITES=vm, VM_SUITE=1); run directly,
# it always runs.
if [ -n "$CALLER_REPO" ] && [ "${CI:-}" != true ] && [ "${VM_SUITE:-}" != 1 ] && ! grep -Eq -- "${SUITES:-^$}" <<< vm; then
	echo "== skipped outside CI: SUITES=vm or VM_SUITE=1 tests/run-tests.sh runs it (tests/vm/README.md)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
[ "$(id -u)" = 0 ] || give_up "needs root (apt-get download, qemu, containers)"
[ -x "$RUNTIME" ] || give_up "no runtime at $RUNTIME: build hutch first (meson setup build && ninja -C build)"
t0=$(now)
"$HERE/setup.sh" "$VM_DIR" || give_up "setup.sh $VM_DIR failed"
echo "== guest ready in $(since "$t0")s"

log=$(mktemp "${TMPDIR:-/tmp}/hutch-vm-suite.XXXXXX")
t1=$(now)
"$HERE/run-in-vm.sh" "$HERE/guest-suite.sh" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
took=$(since "$t1")
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
if [ -z "$summary" ]; then
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^SKIP ' "$log")
	summary="$p passed, $((f + 1)) failed, $s skipped"
	echo "== the VM run did not finish (exit $rc): counted as one failure"
	[ "$rc" = 0 ] && rc=1
fi
rm -f "$log"
echo "== VM boot + suite took ${took}s, setup $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')s (exit $rc)"
if [ "${CI:-}" = true ] && [ "$took" -gt "$BUDGET" ]; then
	echo "== over the CI budget of ${BUDGET}s: counted as one failure"
	summary=$(awk '{ $3 = $3 + 1; print }' <<< "$summary")
	[ "$rc" = 0 ] && rc=1
fi
echo "$summary"
exit "$rc"
