#!/bin/bash
# runc pause/resume (runtime.md has no pause; runc's and crun's CLI do): pause freezes every
# process of the container through the cgroup freezer (v1 freezer.state, v2 cgroup.freeze)
# and the status is "paused"; resume thaws them and the status is what it was before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

cgroup_path CG frz
bind_out
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
# a counter in the container's init and one in a child: both must stop and restart
sh_args 'n() { i=0; while :; do i=$((i + 1)); echo $i > /out/$1.tmp; mv /out/$1.tmp /out/$1; usleep 20000; done; }
	n child & n init'
create_ctr
start_ctr
counts() { [ "$(cat "$T/out/init" 2> /dev/null)" -gt 3 ] && [ "$(cat "$T/out/child" 2> /dev/null)" -gt 3 ]; }
wait_for 10 counts || fail "the counters never started"

assert_ok rt pause "$ID"
assert_eq paused "$(state_of "$ID" status)" "status after pause"
cg_frozen || fail "the container's cgroup is not frozen after pause"
a=$(cat "$T/out/init") b=$(cat "$T/out/child")
sleep 1
log "while paused: init $a -> $(cat "$T/out/init"), child $b -> $(cat "$T/out/child")"
assert_eq "$a" "$(cat "$T/out/init")" "the init's counter while paused"
assert_eq "$b" "$(cat "$T/out/child")" "the child's counter while paused"

# runc: pausing twice is an error; exec needs --ignore-paused; start is refused
assert_fails rt pause "$ID"
capture rt exec "$ID" true
[ "$RC" != 0 ] && [ -n "$ERR" ] || fail "exec in a paused container: exit $RC, stderr [$ERR]"
assert_fails rt start "$ID"

assert_ok rt resume "$ID"
assert_eq running "$(state_of "$ID" status)" "status after resume"
cg_frozen && fail "the container's cgroup is still frozen after resume"
moved() { [ "$(cat "$T/out/init")" -gt "$a" ] && [ "$(cat "$T/out/child")" -gt "$b" ]; }
wait_for 10 moved || fail "the counters did not move after resume: init $a -> $(cat "$T/out/init"), child $b -> $(cat "$T/out/child")"
assert_fails rt resume "$ID"

# a created container can be paused too, and is "created" again after resume
new_id ID2 created
cgroup_path CG2 created
cfg --arg cg "$CG2" '.linux.cgroupsPath = $cg'
set_args sleep 600
create_ctr "$ID2"
assert_ok rt pause "$ID2"
assert_eq paused "$(state_of "$ID2" status)" "status of a paused created container"
assert_ok rt resume "$ID2"
assert_eq created "$(state_of "$ID2" status)" "status after resuming a created container"
assert_fails rt pause no-such-container
exit 0
