#!/bin/bash
# runc CLI: a terminal needs somewhere to go. `create` (and `run -d`) with process.terminal
#   true and no --console-socket is an error ("cannot allocate tty if runc will detach without
#   setting console socket"), --console-socket without a terminal or without detaching is an
#   error, and a socket nobody listens on is an error. runtime.md "Errors": each leaves no
#   container behind.
. "$(dirname "$0")/lib.sh"

# nothing_left ID WHAT: neither state nor a process of the container
nothing_left() {
	state_dir_exists "$1" && fail "$2: the state directory of $1 was left behind"
	capture rt list -q
	assert_not_contains "$OUT" "$1" "$2: list after the failure"
	pgrep -f "sleep 4242" > /dev/null && fail "$2: the container's process was left running"
	return 0
}

set_args sleep 4242
cfg '.process.terminal = true'
assert_fails rt create --bundle "$BUNDLE" "$ID"
assert_match "$ERR" "console.socket" "create, terminal true, no --console-socket"
nothing_left "$ID" "create without --console-socket"

assert_fails rt run -d --bundle "$BUNDLE" "$ID"
assert_match "$ERR" "console.socket" "run -d, terminal true, no --console-socket"
nothing_left "$ID" "run -d without --console-socket"

# a socket path where nobody listens
assert_fails rt create --bundle "$BUNDLE" --console-socket "$T/nobody.sock" "$ID"
assert_contains "$ERR" "$T/nobody.sock" "error names the console socket"
nothing_left "$ID" "create with a dead --console-socket"

# a listening socket that is never used: terminal false
cli_helper RECVFD recvfd
"$RECVFD" -t 5 "$T/unused.sock" > /dev/null 2> "$T/recv.err" &
PIDS+=($!)
wait_for 5 grep -q listening "$T/recv.err" || fail "recvfd did not start"
cfg '.process.terminal = false'
assert_fails rt create --bundle "$BUNDLE" --console-socket "$T/unused.sock" "$ID"
assert_contains "$ERR" "console" "create --console-socket with terminal false"
nothing_left "$ID" "--console-socket with terminal false"

# in the foreground the runtime relays the terminal itself: a console socket is a usage error
cfg '.process.terminal = true'
assert_fails rt run --bundle "$BUNDLE" --console-socket "$T/unused.sock" "$ID"
assert_match "$ERR" "console.socket" "run in the foreground with --console-socket"
nothing_left "$ID" "run --console-socket without -d"
exit 0
