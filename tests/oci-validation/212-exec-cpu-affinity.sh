#!/bin/bash
# config.md, process.execCPUAffinity: "initial (string, OPTIONAL) is a list of CPUs a runtime
#   parent process to be run on initially, before the transition to container's cgroup";
#   "final (string, OPTIONAL) is a list of CPUs the process will be run on after the
#   transition to container's cgroup. If omitted or empty, runtime SHOULD NOT change
#   process' CPU affinity after the process is moved to container's cgroup";
#   "This setting is not applicable to the container's init process."
# Read back from /proc/self/status (Cpus_allowed_list) of exec'd processes (their
# process.json) and of the init.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 has no execCPUAffinity (added in runc 1.2)"
[ "$(nproc --all)" -ge 2 ] || skip "needs two CPUs"
online=$(cat /sys/devices/system/cpu/online)

set_args sleep 600
# the init ignores it, even when the config's process has one
cfg '.process.execCPUAffinity = {initial: "0", final: "1"}'
create_ctr
start_ctr
pid=$(state_of "$ID" pid)
assert_eq "$online" "$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$pid/status")" "the init's CPUs"

affinity() { # EXEC-CPU-AFFINITY-JSON: Cpus_allowed_list of an exec'd process
	jq --argjson a "$1" '.process | .args = ["sh", "-c", "grep ^Cpus_allowed_list: /proc/self/status"]
		| .execCPUAffinity = $a' "$BUNDLE/config.json" > "$T/p.json"
	assert_ok rt exec --process "$T/p.json" "$ID"
	log "$1: $OUT" >&2
	echo "$OUT" | awk '{print $2}'
}
assert_eq 1 "$(affinity '{"final": "1"}')" "final 1"
assert_eq 0 "$(affinity '{"initial": "1", "final": "0"}')" "initial 1, final 0: final wins"
assert_eq 0-1 "$(affinity '{"final": "0-1"}')" "final 0-1"
# initial only: after the cgroup the kernel decides (cpusets keep what was asked, since
# Linux 6.2): any CPU of the container's set
assert_match "$(affinity '{"initial": "1"}')" '^[0-9]' "initial only"
assert_eq "$online" "$(affinity 'null')" "no execCPUAffinity: the container's CPUs"

# errors: exit 1 naming the field; the container keeps running
for b in '{"final": "0-x"}' '{"initial": "3-1"}' '{"final": "4095"}'; do
	jq --argjson a "$b" '.process | .args = ["true"] | .execCPUAffinity = $a' "$BUNDLE/config.json" > "$T/p.json"
	capture rt exec --process "$T/p.json" "$ID"
	log "$b: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$b: expected exit status 1, got $RC"
	assert_contains "$ERR" "process.execCPUAffinity" "error for $b"
done
wait_status "$ID" running
# create validates the config's own list too
new_id ID2 bad
cfg '.process.execCPUAffinity = {initial: "0,,1"}'
capture rt create --bundle "$BUNDLE" "$ID2"
[ "$RC" = 1 ] || fail "a bad execCPUAffinity in config.json: expected exit status 1, got $RC"
assert_contains "$ERR" "process.execCPUAffinity.initial" "create's error"
state_dir_exists "$ID2" && fail "the failed create left its state"
exit 0
