#!/bin/bash
# runc CLI --pidfd-socket SOCK (create, run, exec): the runtime connects to SOCK and sends one
#   message, payload "standard" for a container's init or "setns" for an exec'd process, with
#   a pidfd of that process by SCM_RIGHTS. recvfd checks that it got a pidfd (fdinfo "Pid:")
#   of the right process, and that it polls readable when the process exits.
. "$(dirname "$0")/lib.sh"
cli_helper RECVFD recvfd
runc_deviates "runc 1.1 has no --pidfd-socket (runc 1.2+ has)"

# start_recv NAME: recvfd -P on T/NAME.sock in the background; RECV_PID
start_recv() {
	"$RECVFD" -P -t 30 "$T/$1.sock" 2> "$T/$1.recv" &
	RECV_PID=$!
	PIDS+=("$RECV_PID")
	wait_for 5 grep -q listening "$T/$1.recv" || fail "recvfd did not start"
}

set_args sleep 600
start_recv create
create_recv=$RECV_PID
create_ctr "$ID" "$BUNDLE" --pidfd-socket "$T/create.sock"
wait_for 5 grep -q '^recvfd: pid ' "$T/create.recv" || fail "no pidfd received: $(cat "$T/create.recv")"
assert_contains "$(cat "$T/create.recv")" "recvfd: payload standard" "payload for create"
assert_contains "$(cat "$T/create.recv")" "recvfd: pid $(state_of "$ID" pid)" "the pidfd's process (the container's init)"
start_ctr

start_recv exec
assert_ok rt exec -d --pidfd-socket "$T/exec.sock" --pid-file "$T/exec.pid" "$ID" sleep 2
wait_for 5 grep -q '^recvfd: pid ' "$T/exec.recv" || fail "no pidfd received for exec"
assert_contains "$(cat "$T/exec.recv")" "recvfd: payload setns" "payload for exec"
assert_contains "$(cat "$T/exec.recv")" "recvfd: pid $(cat "$T/exec.pid")" "the pidfd's process (the exec'd one)"
# the pidfd follows the process: it polls readable once sleep 2 is over
wait "$RECV_PID" || fail "recvfd on the exec's pidfd exited $?: $(cat "$T/exec.recv")"
assert_contains "$(cat "$T/exec.recv")" "recvfd: exited" "the exec'd process's exit seen through its pidfd"

# the init's pidfd sees the container stop
assert_ok rt kill "$ID" KILL
wait "$create_recv" || fail "recvfd on the init's pidfd exited $?: $(cat "$T/create.recv")"
assert_contains "$(cat "$T/create.recv")" "recvfd: exited" "the init's exit seen through its pidfd"

# run -d, and a socket nobody listens on
new_id ID2 run
start_recv run
assert_ok rt run -d --pidfd-socket "$T/run.sock" --bundle "$BUNDLE" "$ID2"
track_pid "$ID2"
wait_for 5 grep -q "^recvfd: pid $(state_of "$ID2" pid)\$" "$T/run.recv" || fail "run -d: no pidfd of the init: $(cat "$T/run.recv")"
new_id ID3 dead
assert_fails rt create --bundle "$BUNDLE" --pidfd-socket "$T/nobody.sock" "$ID3"
assert_contains "$ERR" "pidfd-socket" "create with a dead --pidfd-socket"
state_dir_exists "$ID3" && fail "a failed --pidfd-socket left the container behind"
exit 0
