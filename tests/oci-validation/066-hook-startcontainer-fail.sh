#!/bin/bash
# runtime.md, Lifecycle step 7: "If any startContainer hook fails, the runtime MUST generate an
#   error, stop the container, and continue the lifecycle at step 12."
# Here: the program does not run and the container stops (067: start reports the error).
. "$(dirname "$0")/lib.sh"

bind_out
cfg '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
sh_args 'echo program > /out/program; exec sleep 600'
create_ctr
pid=$(state_of "$ID" pid)
capture rt start "$ID"
log "start: rc=$RC $ERR"
sleep 0.2
[ ! -e "$T/out/program" ] || fail "the user program ran although startContainer failed"
wait_for 5 test ! -d "/proc/$pid" || fail "container process $pid still alive"
exit 0
