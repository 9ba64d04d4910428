#!/bin/bash
# runtime.md, Lifecycle step 2: "If the runtime is unable to create the environment specified
#   in the config.json, it MUST generate an error."
# runtime.md, Errors: "generating an error MUST leave the state of the environment as if the
#   operation were never attempted"
. "$(dirname "$0")/lib.sh"

rm "$BUNDLE/config.json"
assert_fails rt create --bundle "$BUNDLE" "$ID"
log "no config.json: $ERR"
[ -n "$ERR" ] || fail "no error message on stderr"
assert_contains "$ERR" "config.json" "error message"
state_dir_exists "$ID" && fail "state dir left after a failed create"
assert_fails rt state "$ID"

# root.path must exist: "A directory MUST exist at the path declared by the field." (config.md)
default_config true > "$BUNDLE/config.json"
cfg '.root.path = "no-such-rootfs"'
assert_fails rt create --bundle "$BUNDLE" "$ID"
log "missing rootfs: $ERR"
state_dir_exists "$ID" && fail "state dir left after a failed create (missing rootfs)"
assert_fails rt state "$ID"
exit 0
