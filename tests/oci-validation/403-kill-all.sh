#!/bin/bash
# runc kill --all: the signal goes to every process of the container's cgroup (cgroup.kill
# where the kernel has it and the signal is SIGKILL), not only to its init; a paused
# container killed with SIGKILL dies (the v1 freezer holds signals until thawed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

cgroup_path CG kill
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
# pid 1 of a pid namespace ignores SIGTERM without a handler: only --all stops the sleeps
set_args sh -c 'sleep 600 & sleep 600 & wait; sleep 600'
create_ctr
start_ctr
wait_procs 3
mapfile -t pids < "$(cg_dir pids)/cgroup.procs"
log "processes: ${pids[*]}"

assert_ok rt kill "$ID" TERM
sleep 0.3
alive "${pids[@]}" || fail "a plain kill TERM reached more than the init (which ignores it)"
assert_ok rt kill --all "$ID" TERM
wait_for 5 none_alive "${pids[1]}" "${pids[2]}" || fail "kill --all TERM left a sleep alive"
alive "${pids[0]}" || fail "the init should survive TERM (pid 1 without a handler); it is gone"
log "after kill --all TERM: init ${pids[0]} alive, sleeps gone, now in the cgroup: $(tr '\n' ' ' < "$(cg_dir pids)/cgroup.procs")"

# a paused container: kill --all KILL kills every process, no resume needed
assert_ok rt pause "$ID"
mapfile -t pids < "$(cg_dir pids)/cgroup.procs"
assert_ok rt kill --all "$ID" KILL
wait_for 5 none_alive "${pids[@]}" || fail "kill --all KILL left processes of a paused container: $(cat "$(cg_dir pids)/cgroup.procs")"
wait_status "$ID" stopped
assert_ok rt delete "$ID"
exit 0
