#!/bin/bash
# runtime.md, Kill: "This operation MUST send the specified signal to the container process."
# `run` in the foreground exits 128+N when the container process is killed by signal N.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
rt run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/run.out" 2>&1 &
runpid=$!
PIDS+=("$runpid")
wait_status "$ID" running
assert_ok rt kill "$ID" KILL
wait "$runpid"
assert_eq 137 "$?" "exit status of run when the container is killed by SIGKILL"

# a trapped signal: the program's own exit status
new_id ID2 term
sh_args 'trap "exit 42" TERM; while :; do sleep 0.1; done'
rt run --bundle "$BUNDLE" "$ID2" < /dev/null > "$T/run2.out" 2>&1 &
runpid=$!
PIDS+=("$runpid")
wait_status "$ID2" running
sleep 0.2
assert_ok rt kill "$ID2" TERM
wait "$runpid"
assert_eq 42 "$?" "exit status of run when the program exits 42 on SIGTERM"
exit 0
