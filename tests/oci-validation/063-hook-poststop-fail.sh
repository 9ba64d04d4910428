#!/bin/bash
# (delete still succeeds and removes the container; 064 checks the hooks after it)
# runtime.md, Lifecycle step 13: "If any poststop hook fails, the runtime MUST log a warning,
#   but the remaining hooks and lifecycle continue as if the hook had succeeded."
. "$(dirname "$0")/lib.sh"

bind_out
cfg --arg d "$T/out" '.hooks.poststop = [
	{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]'
set_args true
create_ctr
start_ctr
wait_status "$ID" stopped
assert_ok rt delete "$ID"
log "delete: $ERR"
assert_fails rt state "$ID"
state_dir_exists "$ID" && fail "state dir left after delete"
exit 0
