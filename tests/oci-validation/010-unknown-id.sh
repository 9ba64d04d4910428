#!/bin/bash
# runtime.md, Query State: "Attempting to query a container that does not exist MUST generate
#   an error."  Start/Kill/Delete of a container that does not exist fail as well.
. "$(dirname "$0")/lib.sh"

assert_fails rt state "$ID"
assert_eq "" "$OUT" "stdout of state of a missing container"
assert_fails rt start "$ID"
assert_fails rt kill "$ID" KILL
assert_fails rt delete "$ID"
state_dir_exists "$ID" && fail "state dir created by operations on a missing container"
exit 0
