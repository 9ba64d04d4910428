#!/bin/bash
# runtime.md, Delete: "Attempting to delete a container that is not stopped MUST have no
#   effect on the container and MUST generate an error."  (here: a created container)
. "$(dirname "$0")/lib.sh"

runc_deviates "runc delete kills and removes a created container without --force"
set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
assert_fails rt delete "$ID"
assert_eq created "$(state_of "$ID" status)" "status after a refused delete"
[ -d "/proc/$pid" ] || fail "the container process died"
start_ctr
wait_status "$ID" running
exit 0
