#!/bin/bash
# runtime.md, Lifecycle: "While the resources requested in the config.json MUST be created,
#   the user-specified program (from process) MUST NOT be run at this time."
# runtime.md, Create: "This operation MUST create a new container." / "process.args MUST NOT
#   be applied until triggered by the start operation."
# runtime.md, Start: "This operation MUST run the user-specified program as specified by process."
# runtime.md, Kill: "This operation MUST send the specified signal to the container process."
# runtime.md, Delete: "Deleting a container MUST delete the resources that were created
#   during the create step."
# runtime.md, State: status created/running/stopped; pid REQUIRED when created or running.
. "$(dirname "$0")/lib.sh"

bind_out
sh_args 'echo started > /out/started; exec sleep 600'

create_ctr
assert_eq created "$(state_of "$ID" status)" "status after create"
pid=$(state_of "$ID" pid)
assert_match "$pid" '^[1-9][0-9]*$' "pid after create"
[ -d "/proc/$pid" ] || fail "pid $pid of the created container does not exist"
sleep 0.2
[ ! -e "$T/out/started" ] || fail "the user program ran before start"

start_ctr
wait_for 5 test -e "$T/out/started" || fail "the user program did not run after start"
assert_eq running "$(state_of "$ID" status)" "status after start"
assert_eq "$pid" "$(state_of "$ID" pid)" "pid after start"
assert_eq "sleep" "$(cat "/proc/$pid/comm")" "the container process runs the program"

assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
[ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] &&
	fail "container process $pid still alive after kill KILL"

assert_ok rt delete "$ID"
assert_fails rt state "$ID"
state_dir_exists "$ID" && fail "state dir $STATE_ROOT/$ID left after delete"
exit 0
