#!/bin/bash
# runtime.md, Lifecycle step 7: "If any startContainer hook fails, the runtime MUST generate an
#   error, stop the container, and continue the lifecycle at step 12."
# Here: start exits non-zero.
. "$(dirname "$0")/lib.sh"

runc_deviates "runc start exits 0 when a startContainer hook fails"

bind_out
cfg '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
sh_args 'echo program > /out/program; exec sleep 600'
create_ctr
pid=$(state_of "$ID" pid)
assert_fails rt start "$ID"
log "start: $ERR"
sleep 0.2
[ ! -e "$T/out/program" ] || fail "the user program ran although startContainer failed"
wait_for 5 test ! -d "/proc/$pid" || fail "container process $pid still alive"
exit 0
