#!/bin/bash
# config.md, POSIX-platform Hooks: "timeout (int, OPTIONAL) is the number of seconds before
#   aborting the hook. If set, timeout MUST be greater than zero."
# runtime.md, Lifecycle step 3: "If any prestart hook fails, the runtime MUST generate an
#   error, stop the container, and continue the lifecycle at step 12."
. "$(dirname "$0")/lib.sh"

cfg '.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "20"], timeout: 1}]'
set_args sleep 600
start=$(date +%s)
assert_fails rt create --bundle "$BUNDLE" "$ID"
took=$(($(date +%s) - start))
log "create with a hook past its timeout: ${took}s: $ERR"
[ "$took" -lt 10 ] || fail "create took ${took}s: the 1 s hook timeout was not enforced"
assert_fails rt state "$ID"
state_dir_exists "$ID" && fail "state dir left"

# timeout 0 is invalid
cfg '.hooks.prestart = [{path: "/bin/true", timeout: 0}]'
assert_fails rt create --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left"
exit 0
