#!/bin/bash
# runtime.md, Lifecycle step 9: "If any poststart hook fails, the runtime MUST generate an
#   error, stop the container, and continue the lifecycle at step 12."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 runs poststart hooks during create, so create fails instead of start"
cfg '.hooks.poststart = [{path: "/bin/false"}]'
set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
assert_fails rt start "$ID"
log "$ERR"
wait_for 5 test ! -d "/proc/$pid" || fail "container process $pid still alive after the failed poststart hook"
exit 0
