#!/bin/bash
# runtime.md, Query State / Create / Start / Kill / Delete: "This operation MUST generate an
#   error if it is not provided the ID of a container." (create: "if it is not provided a
#   path to the bundle and the container ID")
. "$(dirname "$0")/lib.sh"

assert_fails rt state
assert_fails rt start
assert_fails rt kill
assert_fails rt delete
assert_fails rt create --bundle "$BUNDLE"
[ -z "$(ls -A "$STATE_ROOT" 2> /dev/null)" ] || fail "something created in the state root: $(ls -A "$STATE_ROOT")"
# create without --bundle uses the current directory: a directory with no config.json fails
mkdir "$T/empty"
cd "$T/empty" || fail cd
assert_fails rt create "$ID"
state_dir_exists "$ID" && fail "state dir left after a failed create"
exit 0
