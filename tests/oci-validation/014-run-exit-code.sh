#!/bin/bash
# runtime.md, Lifecycle step 10: "The container process exits."  `run` (create + start +
#   wait, runc CLI) exits with the container process's exit status, and delete removes it.
. "$(dirname "$0")/lib.sh"

sh_args 'echo out; echo err >&2; exit 3'
run_ctr
assert_eq 3 "$RC" "exit status of run"
assert_eq out "$OUT" "stdout of the container"
assert_contains "$ERR" err "stderr of the container"
# run deletes the container when it exits
assert_fails rt state "$ID"

set_args true
run_ctr
assert_eq 0 "$RC" "exit status of run true"
exit 0
