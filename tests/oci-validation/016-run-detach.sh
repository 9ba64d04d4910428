#!/bin/bash
# runtime.md, Start: "This operation MUST run the user-specified program as specified by
#   process."  runc CLI: `run --detach` returns once the program runs; `--pid-file` gets its pid.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
assert_ok rt run --detach --pid-file "$T/pid" --bundle "$BUNDLE" "$ID"
track_pid "$ID"
assert_eq running "$(state_of "$ID" status)" "status after run --detach"
assert_match "$(cat "$T/pid")" '^[0-9]+$' "pid file content"
assert_eq "$(state_of "$ID" pid)" "$(cat "$T/pid")" "pid file vs state pid"
assert_eq sleep "$(cat "/proc/$(cat "$T/pid")/comm")" "the detached program"

new_id ID2 short
set_args true
assert_ok rt run -d --bundle "$BUNDLE" "$ID2"
wait_status "$ID2" stopped
assert_ok rt delete "$ID2"
exit 0
