#!/bin/bash
# config-linux.md, Control groups: "cgroupsPath (string, OPTIONAL) path to the cgroups."
#   "In the case of an absolute path (starting with /), the runtime MUST take the path to be
#   relative to the cgroups mount point."
# config-linux.md, Memory: "limit (int64, OPTIONAL) - sets limit of memory usage in bytes";
#   Pids: "limit (int64, REQUIRED) - specifies the maximum number of tasks in the cgroup"
# runtime.md, Delete: "Deleting a container MUST delete the resources that were created
#   during the create step."
. "$(dirname "$0")/lib.sh"

cgroup_path CG mem
set_args sleep 600
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
	| .linux.resources.memory = {limit: 67108864}
	| .linux.resources.pids = {limit: 50}'
create_ctr
pid=$(state_of "$ID" pid)
M=/sys/fs/cgroup/memory$CG
P=/sys/fs/cgroup/pids$CG
[ -d "$M" ] || fail "no memory cgroup $M"
assert_eq 67108864 "$(cat "$M/memory.limit_in_bytes")" "memory.limit_in_bytes"
assert_eq 50 "$(cat "$P/pids.max")" "pids.max"
grep -qx "$pid" "$M/cgroup.procs" || fail "pid $pid not in $M/cgroup.procs: $(cat "$M/cgroup.procs")"
grep -qx "$pid" "$P/cgroup.procs" || fail "pid $pid not in $P/cgroup.procs"
start_ctr
grep -qx "$pid" "$M/cgroup.procs" || fail "pid $pid left $M after start"
assert_contains "$(grep memory "/proc/$pid/cgroup")" "$CG" "memory cgroup of the container process"
assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
assert_ok rt delete "$ID"
[ ! -d "$M" ] || fail "memory cgroup $M left after delete"
[ ! -d "$P" ] || fail "pids cgroup $P left after delete"
exit 0
