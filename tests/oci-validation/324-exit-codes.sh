#!/bin/bash
# runc CLI exit codes: 0 on success, 1 on errors (hutch: every command, exec included), the
#   container's status for run and exec in the foreground, which forward the signals they get
#   to the process (128+N when signal N killed it).
. "$(dirname "$0")/lib.sh"

# errors: 1 (runc: 1, but 255 for exec)
for args in "start" "state" "kill" "delete" "ps" "pause" "resume"; do
	assert_exit 1 rt $args no-such-container
done
assert_exit 1 rt create --bundle "$T/no-such-bundle" "$ID"
assert_exit 1 rt run --bundle "$T/no-such-bundle" "$ID"
assert_exit 1 rt create --no-such-flag "$ID"
is_runc || assert_exit 1 rt exec no-such-container true

# run in the foreground: the process's status; a signal to run goes to the process
for code in 0 3 255; do
	sh_args "exit $code"
	run_ctr
	assert_eq "$code" "$RC" "exit status of run (exit $code)"
done
sh_args 'trap "exit 42" TERM; sleep 300 & wait'
# (not through rt: timeout(1) would get the signal)
"$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/run.out" 2>&1 &
run_pid=$!
PIDS+=("$run_pid")
wait_for 10 status_is "$ID" running || fail "the container did not start"
wait_for 5 sh -c "pgrep -P $(state_of "$ID" pid) sleep" || fail "the container's sleep did not start"
kill -TERM "$run_pid"
wait "$run_pid"
assert_eq 42 "$?" "exit status of run after a SIGTERM to run (the container's trap)"

# exec in the foreground: the same
new_id ID2 exec
set_args sleep 600
create_ctr "$ID2"
start_ctr "$ID2"
assert_exit 7 rt exec "$ID2" sh -c 'exit 7'
"$RUNTIME" --root "$STATE_ROOT" exec "$ID2" sleep 301 < /dev/null > "$T/exec.out" 2>&1 &
exec_pid=$!
PIDS+=("$exec_pid")
wait_for 10 pgrep -x -f 'sleep 301' || fail "the exec'd sleep did not start"
kill -TERM "$exec_pid"
wait "$exec_pid"
assert_eq 143 "$?" "exit status of exec after a SIGTERM to exec (128 + SIGTERM)"
exit 0
