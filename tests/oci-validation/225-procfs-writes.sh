#!/bin/bash
# CVE-2025-52881: a runtime's writes to procfs (oom_score_adj, sysctl, LSM attributes)
# must not go through the container's /proc, where a mount can put another procfs file over
# the one meant. hutch writes through a procfs of its own (libcontainer/procfs.c): the
# runtime's /proc checked to be a procfs root (a private fsopen instance where it is not:
# tests/unit/test_procfs), opened before any mount of the container, files opened beneath
# it without crossing a mount (openat2 RESOLVE_NO_XDEV, or a mount id check with
# HUTCH_TEST_NO_OPENAT2=1); also with the mount(2) fallback (HUTCH_TEST_OLD_MOUNT_API=1).
# The config binds oom_score_adj files of two host processes over the container's
# /proc/self/oom_score_adj and /proc/sys/net/ipv4/ip_forward: hutch's writes of
# process.oomScoreAdj and of the sysctl must reach the container's own files, and the host
# processes must keep their value.
. "$(dirname "$0")/lib.sh"

sleep 600 &
decoy1=$!
PIDS+=("$decoy1")
sleep 600 &
decoy2=$!
PIDS+=("$decoy2")
echo 7 > "/proc/$decoy1/oom_score_adj"
echo 8 > "/proc/$decoy2/oom_score_adj"

cfg --arg d1 "/proc/$decoy1/oom_score_adj" --arg d2 "/proc/$decoy2/oom_score_adj" '
	.process.oomScoreAdj = 123
	| .linux.sysctl = {"net.ipv4.ip_forward": "1"}
	| .mounts += [{destination: "/proc/self/oom_score_adj", type: "bind", source: $d1, options: ["bind"]},
		{destination: "/proc/sys/net/ipv4/ip_forward", type: "bind", source: $d2, options: ["bind"]}]
	| .linux.readonlyPaths -= ["/proc/sys"]'
set_args sleep 600
is_runc && skip "runc refuses mounts inside /proc (another defence)"

# check MODE: one container, then the host's view of it and of the decoys
check() {
	local id=$1
	shift
	capture env "$@" "$RUNTIME" --root "$STATE_ROOT" run -d --bundle "$BUNDLE" "$id"
	[ "$RC" = 0 ] || fail "$*: run failed ($RC): $ERR"
	track_pid "$id"
	local pid
	pid=$(state_of "$id" pid)
	log "$*: container pid $pid"
	assert_eq 7 "$(cat "/proc/$decoy1/oom_score_adj")" "$*: oom_score_adj of the host process bound over /proc/self/oom_score_adj"
	assert_eq 8 "$(cat "/proc/$decoy2/oom_score_adj")" "$*: oom_score_adj of the host process bound over ip_forward"
	assert_eq 123 "$(cat "/proc/$pid/oom_score_adj")" "$*: the container's oom_score_adj"
	assert_eq 1 "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" "$*: ip_forward of the container's network namespace"
	# the binds are there: the container sees the decoys at these paths
	assert_ok rt exec "$id" cat /proc/1/oom_score_adj
	assert_eq 7 "$OUT" "$*: what the container sees at /proc/1/oom_score_adj"
	rt delete --force "$id" > /dev/null 2>&1
}

new_id A default
check "$A" HUTCH_TEST_=1
new_id B nofsopen
check "$B" HUTCH_TEST_OLD_MOUNT_API=1
new_id C noopenat2
check "$C" HUTCH_TEST_OLD_MOUNT_API=1 HUTCH_TEST_NO_OPENAT2=1
exit 0
