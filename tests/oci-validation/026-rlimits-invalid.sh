#!/bin/bash
# config.md, POSIX process rlimits: "The runtime MUST generate an error for any values which
#   cannot be mapped to a relevant kernel interface."
# runtime.md, Errors: "generating an error MUST leave the state of the environment as if the
#   operation were never attempted"
. "$(dirname "$0")/lib.sh"

set_args true
cfg '.process.rlimits = [{type: "RLIMIT_NOSUCHTHING", soft: 1, hard: 1}]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
log "$ERR"
state_dir_exists "$ID" && fail "state dir left"
exit 0
