#!/bin/bash
# (the hooks after a failing one still run)
# runtime.md, Lifecycle step 13: "If any poststop hook fails, the runtime MUST log a warning,
#   but the remaining hooks and lifecycle continue as if the hook had succeeded."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 stops at the first failing poststop hook"

bind_out
cfg --arg d "$T/out" '.hooks.poststop = [
	{path: "/bin/sh", args: ["sh", "-c", "exit 1"]},
	{path: "/bin/sh", args: ["sh", "-c", "echo second > \($d)/second"]}]'
set_args true
create_ctr
start_ctr
wait_status "$ID" stopped
capture rt delete "$ID"
log "delete: rc=$RC $ERR"
assert_fails rt state "$ID"
state_dir_exists "$ID" && fail "state dir left after delete"
assert_eq second "$(cat "$T/out/second" 2> /dev/null)" "the poststop hook after the failing one"
exit 0
