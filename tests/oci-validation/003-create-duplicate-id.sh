#!/bin/bash
# runtime.md, State: id "MUST be unique across all containers on this host."
# runtime.md, Create: "If the ID provided is not unique across all containers within the scope
#   of the runtime, or is not valid in any other way, the implementation MUST generate an
#   error and a new container MUST NOT be created."
# runtime.md, Errors: "generating an error MUST leave the state of the environment as if the
#   operation were never attempted"
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
new_bundle B2 bundle2 sleep 600
assert_fails rt create --bundle "$B2" "$ID"
log "duplicate create: $ERR"
assert_eq created "$(state_of "$ID" status)" "status of the original"
assert_eq "$pid" "$(state_of "$ID" pid)" "pid of the original"
assert_eq "$(realpath "$BUNDLE")" "$(state_of "$ID" bundle)" "bundle of the original"
[ -d "/proc/$pid" ] || fail "the original container process died"
# the original still works
start_ctr
wait_status "$ID" running
exit 0
