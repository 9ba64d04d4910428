#!/bin/bash
# config-linux.md, Control groups: "If the value is specified, the runtime MUST consistently
#   attach to the same place in the cgroups hierarchy given the same value of cgroupsPath."
# config-linux.md, Memory/Pids/CPU limits, seen from inside the container (cgroup namespace:
#   the container's cgroup is the root of its view).
. "$(dirname "$0")/lib.sh"

cgroup_path CG in
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
	| .linux.resources.memory = {limit: 33554432}
	| .linux.resources.pids = {limit: 20}
	| .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}
	| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options |= map(select(. != "ro")) else . end)'
in_ctr 'cat /proc/self/cgroup | grep -E ":(memory|pids|cpu,cpuacct|cpu):"
cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'
log "$OUT"
assert_contains "$OUT" "33554432" "memory limit read inside"
assert_contains "$OUT" "
20
" "pids limit read inside"
assert_contains "$OUT" "512
50000
100000" "cpu shares/quota/period read inside"
# a second container with the same cgroupsPath lands in the same place
new_id ID2 again
set_args sleep 600
create_ctr "$ID2"
grep -qx "$(state_of "$ID2" pid)" "/sys/fs/cgroup/memory$CG/cgroup.procs" || fail "second container not in $CG"
exit 0
