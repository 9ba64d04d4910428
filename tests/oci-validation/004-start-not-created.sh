#!/bin/bash
# runtime.md, Start: "Attempting to start a container that is not created MUST have no effect
#   on the container and MUST generate an error."
. "$(dirname "$0")/lib.sh"

bind_out
sh_args 'echo x >> /out/runs; exec sleep 600'
create_ctr
start_ctr
wait_status "$ID" running
pid=$(state_of "$ID" pid)
assert_fails rt start "$ID"
log "start of a running container: $ERR"
assert_eq running "$(state_of "$ID" status)" "status after the second start"
assert_eq "$pid" "$(state_of "$ID" pid)" "pid after the second start"
sleep 0.2
assert_eq 1 "$(wc -l < "$T/out/runs")" "number of times the program ran"

assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
assert_fails rt start "$ID"
log "start of a stopped container: $ERR"
assert_eq stopped "$(state_of "$ID" status)" "status after start of a stopped container"
assert_eq 1 "$(wc -l < "$T/out/runs")" "number of times the program ran"
exit 0
