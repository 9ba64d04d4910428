#!/bin/bash
# runtime.md, Delete: "Attempting to delete a container that is not stopped MUST have no
#   effect on the container and MUST generate an error."
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr
start_ctr
wait_status "$ID" running
pid=$(state_of "$ID" pid)
assert_fails rt delete "$ID"
log "delete of a running container: $ERR"
assert_eq running "$(state_of "$ID" status)" "status after a refused delete"
[ -d "/proc/$pid" ] || fail "the container process died"
state_dir_exists "$ID" || fail "the state dir was removed"
# --force kills and deletes it
assert_ok rt delete --force "$ID"
assert_fails rt state "$ID"
wait_for 5 test ! -d "/proc/$pid" || fail "process $pid survived delete --force"
exit 0
