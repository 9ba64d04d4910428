#!/bin/bash
# config.md, process.scheduler: "policy (string, REQUIRED) ... SCHED_OTHER, SCHED_FIFO,
#   SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE"; "nice (int32, OPTIONAL)";
#   "priority (int32, OPTIONAL)"; "flags (array of strings, OPTIONAL) ...
#   SCHED_FLAG_RESET_ON_FORK ..."; "runtime/deadline/period (uint64, OPTIONAL)";
#   "If the runtime cannot set the scheduling attributes, it MUST generate an error."
# Read back with sched_getattr(2) by the probe: as the container's process itself
# (args[0]) and as a child of its shell (which inherits them, unless RESET_ON_FORK).
# Real-time policies need real-time runtime in the cgroup (CONFIG_RT_GROUP_SCHED): the
# container gets a cgroup of its own with linux.resources.cpu.realtimeRuntime.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 has no process.scheduler (added in runc 1.2)"
install_probe

# sched JSON [ARGS...]: set process.scheduler, run ARGS (default: the probe itself)
sched() {
	cfg --argjson s "$1" '.process.scheduler = $s'
	shift
	if [ $# -gt 0 ]; then set_args "$@"; else set_args probe sched; fi
	run_ctr
	[ "$RC" = 0 ] || fail "scheduler $(jq -c .process.scheduler "$BUNDLE/config.json"): run failed ($RC): $ERR"
	log "$(jq -c .process.scheduler "$BUNDLE/config.json"): $OUT"
}

sched '{"policy": "SCHED_OTHER", "nice": 7}'
assert_match "$OUT" '^policy=0 nice=7 ' "SCHED_OTHER nice 7"
sched '{"policy": "SCHED_BATCH", "nice": -5}'
assert_match "$OUT" '^policy=3 nice=-5 ' "SCHED_BATCH nice -5"
sched '{"policy": "SCHED_IDLE"}'
assert_match "$OUT" '^policy=5 ' "SCHED_IDLE"
# a child of the shell inherits the policy
sched '{"policy": "SCHED_BATCH", "nice": 3}' sh -c 'probe sched; :'
assert_match "$OUT" '^policy=3 nice=3 ' "SCHED_BATCH, seen by a child"

# SCHED_DEADLINE: such a process cannot fork, so the probe is the process
sched '{"policy": "SCHED_DEADLINE", "runtime": 2000000, "deadline": 8000000, "period": 10000000}'
assert_match "$OUT" '^policy=6 .* runtime=2000000 deadline=8000000 period=10000000' "SCHED_DEADLINE"

# with CONFIG_RT_GROUP_SCHED (cpu.rt_runtime_us in the cpu hierarchy), a cgroup gets no
# real-time time unless given some
if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
	cgroup_path CG rt
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
		| .linux.resources.cpu = {realtimeRuntime: 20000, realtimePeriod: 1000000}'
fi
sched '{"policy": "SCHED_FIFO", "priority": 10}'
assert_match "$OUT" '^policy=1 nice=0 priority=10 ' "SCHED_FIFO priority 10"
sched '{"policy": "SCHED_RR", "priority": 3}'
assert_match "$OUT" '^policy=2 nice=0 priority=3 ' "SCHED_RR priority 3"
# RESET_ON_FORK: the process keeps it (and reports the flag), its children do not
sched '{"policy": "SCHED_RR", "priority": 4, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
assert_match "$OUT" '^policy=2 nice=0 priority=4 flags=0x1 ' "SCHED_RR with RESET_ON_FORK, the process"
sched '{"policy": "SCHED_RR", "priority": 4, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}' sh -c 'probe sched; :'
assert_match "$OUT" '^policy=0 nice=0 priority=0 flags=0x0 ' "SCHED_RR with RESET_ON_FORK, a child"
cfg 'del(.linux.resources.cpu) | del(.linux.cgroupsPath)'

# errors: exit 1, the field named, nothing left behind
bad() { # WHAT-IN-MESSAGE SCHEDULER-JSON
	cfg --argjson s "$2" '.process.scheduler = $s'
	set_args probe sched
	capture rt run --bundle "$BUNDLE" "$ID"
	log "$2: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$2: expected exit status 1, got $RC"
	is_runc || assert_contains "$ERR" "$1" "error for $2"
	state_dir_exists "$ID" && fail "$2: the failed run left its state"
	return 0
}
bad "process.scheduler.policy" '{"policy": "SCHED_FAST"}'
bad "process.scheduler.policy" '{"policy": "SCHED_ISO"}'
bad "process.scheduler.nice" '{"policy": "SCHED_OTHER", "nice": 20}'
bad "process.scheduler.priority" '{"policy": "SCHED_FIFO", "priority": 100}'
bad "process.scheduler.flags[0]" '{"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_TURBO"]}'
# the kernel refuses it (a deadline above the period): still one clear error
bad "process.scheduler" '{"policy": "SCHED_DEADLINE", "runtime": 2000000, "deadline": 20000000, "period": 10000000}'
exit 0
