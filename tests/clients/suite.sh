#!/bin/bash
# The client suite: Podman (with conmon), containerd (ctr + containerd-shim-runc-v2) and
# umoci drive $RUNTIME as users run them, offline. Each client is isolated from the
# machine's own: Podman gets its own storage, state and containers.conf, containerd is
# started here with its own config, root, state and socket and stopped by pid at the end.
# Nothing is left behind (containers, mounts, cgroups, processes, temp dirs): the last
# scenario checks exactly that, then whatever was left is removed anyway.
#
# Run by tests/run-tests.sh (RUNTIME, REPO exported), or alone as root:
#   tests/clients/suite.sh                      (RUNTIME defaults to build/hutch)
#   CLIENT_TESTS='podman: exec' tests/clients/suite.sh   (only the scenarios matching)
#   VERBOSE=1                                   print the log of passing scenarios too
#   CLIENT_TIMEOUT=S                            limit of one client command (default 60)
# The last line is "N passed, N failed, N skipped"; the exit status is non-zero on failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${REPO:-$(cd "$HERE/../.." && pwd)}
RUNTIME=${RUNTIME:-$REPO/build/hutch}
case $RUNTIME in
*/*) RUNTIME=$(realpath -m "$RUNTIME") ;;
*) RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}
# every name this run gives to cgroups, namespaces and directories carries TAG
TAG=hutch-clients-$$

# shellcheck source=../lib/bundle.sh
. "$REPO/tests/lib/bundle.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=image.sh
. "$HERE/image.sh"
# shellcheck source=leaks.sh
. "$HERE/leaks.sh"
# shellcheck source=podman.sh
. "$HERE/podman.sh"
# shellcheck source=containerd.sh
. "$HERE/containerd.sh"
# shellcheck source=umoci.sh
. "$HERE/umoci.sh"

summary() {
	if [ ${#S_FAILURES[@]} -gt 0 ]; then
		echo "== client scenarios failed:"
		printf '  %s\n' "${S_FAILURES[@]}"
	fi
	echo "$S_PASSED passed, $S_FAILED failed, $S_SKIPPED skipped"
}

W=
finish() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [ -n "$W" ]; then
		podman_teardown
		containerd_teardown
		umoci_teardown
		tm kill-server > /dev/null 2>&1
		if [ "${SUITE_DONE:-0}" = 1 ]; then
			scenario "leak check: nothing left behind by the clients or the runtime" t_leak_check
		fi
		leaks_force_cleanup
	fi
	summary
	[ "$S_FAILED" = 0 ] && [ "$rc" = 0 ]
	exit
}

main() {
	if [ "$(id -u)" != 0 ]; then
		echo "the client suite runs containers as root: run it as root"
		echo "0 passed, 1 failed"
		exit 1
	fi
	if ! "$RUNTIME" --version > /dev/null 2>&1; then
		echo "runtime $RUNTIME is missing or broken"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "# runtime: $RUNTIME ($("$RUNTIME" --version | head -n1))"
	leaks_snapshot
	trap finish EXIT
	trap 'exit 130' INT TERM
	W=$(mktemp -d "/tmp/$TAG.XXXXXX") || exit 1
	chmod 755 "$W"
	LOGS=$W/logs
	TMUX_SOCK=$W/tmux.sock
	mkdir -p "$LOGS"

	local t0 t1
	t0=$(date +%s)
	if ! image_build "$W/image" > "$LOGS/image.log" 2>&1; then
		echo "FAIL  building the busybox image with umoci and skopeo:"
		sed 's/^/    | /' "$LOGS/image.log"
		S_FAILED=$((S_FAILED + 1))
		S_FAILURES+=("image build")
		exit 1
	fi
	echo "# busybox image built in $(($(date +%s) - t0))s"

	containerd_build_helper_bg
	podman_scenarios
	containerd_scenarios
	umoci_scenarios
	SUITE_DONE=1
	t1=$(date +%s)
	echo "# scenarios took $((t1 - t0))s"
}

main "$@"
