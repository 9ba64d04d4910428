#!/bin/bash
# runc delete --force: a running (or paused, or created) container is killed with all its
# processes, then deleted like a stopped one (runtime.md Delete: its cgroups and state are
# removed); without --force, deleting a running container is an error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

check_gone() { # ID PIDS...: nothing of the container is left
	local id=$1
	shift
	wait_for 5 none_alive "$@" || fail "processes of $id left: $*"
	for c in pids memory freezer; do
		[ ! -d "$(cg_dir $c)" ] || fail "cgroup $(cg_dir $c) left after delete --force"
		[ "$CG_V2" = 1 ] && break
	done
	state_dir_exists "$id" && fail "state of $id left"
	assert_fails rt state "$id"
}

cgroup_path CG del
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
set_args sh -c 'sleep 600 & sleep 600 & wait'
create_ctr
start_ctr
wait_procs 3
mapfile -t pids < "$(cg_dir pids)/cgroup.procs"
assert_fails rt delete "$ID"
assert_eq running "$(state_of "$ID" status)" "status after a refused delete"
assert_ok rt delete --force "$ID"
check_gone "$ID" "${pids[@]}"

# paused: the frozen processes die too, and quickly
new_id ID2 paused
create_ctr "$ID2"
start_ctr "$ID2"
wait_procs 3
mapfile -t pids < "$(cg_dir pids)/cgroup.procs"
assert_ok rt pause "$ID2"
start=$(date +%s%N)
assert_ok rt delete --force "$ID2"
ms=$((($(date +%s%N) - start) / 1000000))
log "delete --force of a paused container: ${ms} ms"
check_gone "$ID2" "${pids[@]}"
# (a frozen init that never dies would hold delete for its 10 s wait)
[ "$ms" -lt 8000 ] || fail "delete --force of a paused container took ${ms} ms"

# created: the init waiting for start goes too
new_id ID3 created
set_args sleep 600
create_ctr "$ID3"
pid=$(state_of "$ID3" pid)
assert_ok rt delete --force "$ID3"
check_gone "$ID3" "$pid"
# and a container that does not exist: runc succeeds
assert_ok rt delete --force "$ID3"
exit 0
