#!/bin/bash
# runc CLI `exec` into a paused container: an error ("cannot exec in a paused container (use
#   --ignore-paused to override)"). With --ignore-paused the process is made and put in the
#   container's frozen cgroup, so it runs once the container is resumed; meanwhile `resume`
#   must not wait for the exec.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr
start_ctr
wait_status "$ID" running
assert_ok rt pause "$ID"
wait_status "$ID" paused

assert_exec_fails rt exec "$ID" true
assert_contains "$ERR" "paused" "exec into a paused container"
assert_eq paused "$(state_of "$ID" status)" "status after the refused exec"

rt exec --ignore-paused -d --pid-file "$T/exec.pid" "$ID" sleep 300 < /dev/null > "$T/exec.out" 2>&1 &
exec_job=$!
PIDS+=("$exec_job")
sleep 1
[ -s "$T/exec.pid" ] && fail "the exec'd process started in a paused container"
assert_ok rt resume "$ID"
wait "$exec_job" || fail "exec --ignore-paused exited $?: $(cat "$T/exec.out")"
pid=$(cat "$T/exec.pid")
PIDS+=("$pid")
assert_eq sleep "$(cat "/proc/$pid/comm")" "the process of exec --ignore-paused after resume"
assert_eq "$(ns_of "$(state_of "$ID" pid)" pid)" "$(ns_of "$pid" pid)" "its pid namespace"
exit 0
