#!/bin/bash
# runtime.md, Lifecycle step 2: "Any updates to config.json after this step MUST NOT affect
#   the container."
. "$(dirname "$0")/lib.sh"

bind_out
sh_args 'echo original > /out/which'
cfg '.hostname = "original"'
create_ctr
sh_args 'echo updated > /out/which'
cfg '.hostname = "updated"'
start_ctr
wait_status "$ID" stopped
assert_eq original "$(cat "$T/out/which")" "program that ran"
exit 0
