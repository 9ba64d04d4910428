#!/bin/bash
# runtime.md, Lifecycle step 2: "If the runtime is unable to create the environment specified
#   in the config.json, it MUST generate an error."
# runtime.md, Errors: "generating an error MUST leave the state of the environment as if the
#   operation were never attempted"
. "$(dirname "$0")/lib.sh"

printf '{"ociVersion": "1.0.2", "process": {"args": ["sh"' > "$BUNDLE/config.json"
assert_fails rt create --bundle "$BUNDLE" "$ID"
log "truncated JSON: $ERR"
[ -n "$ERR" ] || fail "no error message on stderr"
state_dir_exists "$ID" && fail "state dir left after a failed create"

echo 'not json at all' > "$BUNDLE/config.json"
assert_fails rt create --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left after a failed create"

echo '[]' > "$BUNDLE/config.json"
assert_fails rt create --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left after a failed create"
assert_fails rt state "$ID"
exit 0
