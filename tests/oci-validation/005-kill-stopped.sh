#!/bin/bash
# runtime.md, Kill: "Attempting to send a signal to a container that is neither created nor
#   running MUST have no effect on the container and MUST generate an error."
. "$(dirname "$0")/lib.sh"

set_args true
create_ctr
start_ctr
wait_status "$ID" stopped
assert_fails rt kill "$ID" KILL
log "kill of a stopped container: $ERR"
assert_eq stopped "$(state_of "$ID" status)" "status after kill"
assert_ok rt delete "$ID"
exit 0
