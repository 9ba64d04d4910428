#!/bin/bash
# config.md, POSIX process rlimits: "If rlimits contains duplicated entries with same type,
#   the runtime MUST generate an error."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc accepts duplicated rlimits entries"
set_args true
cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 1024},
	{type: "RLIMIT_NOFILE", soft: 100, hard: 200}]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left"
exit 0
