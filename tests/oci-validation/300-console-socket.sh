#!/bin/bash
# config.md, process.terminal: "terminal (bool, OPTIONAL) specifies whether a terminal is
#   attached to the process"; consoleSize: "the console size in characters of the terminal".
# runtime-linux.md: "/dev/console ... MUST be set up ... by bind mounting the pseudoterminal
#   pty to /dev/console".
# runc CLI: create --console-socket SOCK sends the pty master over SOCK with SCM_RIGHTS (one
#   message, the master's name as payload), what containerd and conmon receive. The helper
#   recvfd plays the client: it reads the winsize of the master it got, types a line into it
#   and copies what the container writes.
. "$(dirname "$0")/lib.sh"
cli_helper RECVFD recvfd

# console_session ID INPUT: recvfd on a fresh socket, create with it, start; waits for the
# container to close its terminal. Sets TTY_OUT (what the container wrote) and TTY_ERR.
console_session() {
	local id=$1 sock=$T/console-$1.sock rp
	"$RECVFD" -i "$2" "$sock" > "$T/$id.tty" 2> "$T/$id.recv" &
	rp=$!
	PIDS+=("$rp")
	wait_for 5 grep -q listening "$T/$id.recv" || fail "recvfd did not start: $(cat "$T/$id.recv")"
	create_ctr "$id" "$BUNDLE" --console-socket "$sock"
	grep -q '^recvfd: payload ' "$T/$id.recv" || fail "create returned before the master was sent"
	start_ctr "$id"
	wait "$rp" || fail "recvfd exited $? (2: the terminal was not closed in time): $(cat "$T/$id.recv")"
	TTY_OUT=$(tr -d '\r' < "$T/$id.tty")
	TTY_ERR=$(cat "$T/$id.recv")
	log "$TTY_ERR"
	log "$TTY_OUT"
}

cfg '.process.terminal = true | .process.consoleSize = {height: 33, width: 111}'
sh_args 'echo "size $(stty size)"; echo "tty $(tty)"
for f in 0 1 2; do echo "fd$f $(readlink /proc/$$/fd/$f)"; done
echo "console $(stat -c %t:%T /dev/console) $(stat -Lc %t:%T "$(tty)")"
set -- $(cat /proc/self/stat); echo "session $6 $$ ttynr $7"
if { exec 3<> /dev/tty; } 2> /dev/null; then echo "ctty yes"; else echo "ctty no"; fi
read -r line; echo "got [$line]"; exit 3'
console_session "$ID" "typed through the master"

assert_match "$TTY_ERR" 'recvfd: payload /dev/(pts/)?ptmx' "payload of the console socket message (the master's name, as runc)"
name=/dev/pts/$(sed -n 's/^recvfd: pts //p' <<< "$TTY_ERR")
assert_contains "$TTY_ERR" "recvfd: winsize 33 111" "window size of the master as received (consoleSize)"
assert_contains "$TTY_OUT" "size 33 111" "stty size inside (consoleSize)"
assert_contains "$TTY_OUT" "tty $name" "the process's terminal is the pty that was sent"
for f in 0 1 2; do
	assert_contains "$TTY_OUT" "fd$f $name" "fd $f of the process"
done
console=$(sed -n 's/^console //p' <<< "$TTY_OUT")
assert_eq "$(cut -d' ' -f2 <<< "$console")" "$(cut -d' ' -f1 <<< "$console")" "/dev/console is the pty (device numbers)"
read -r _ sid pid _ ttynr < <(grep '^session ' <<< "$TTY_OUT")
assert_eq "$pid" "$sid" "the process leads its own session"
assert_ne 0 "$ttynr" "controlling terminal (tty_nr of /proc/self/stat)"
assert_contains "$TTY_OUT" "ctty yes" "/dev/tty opens (a controlling terminal)"
assert_contains "$TTY_OUT" "got [typed through the master]" "a line typed into the master reaches the process"
wait_status "$ID" stopped

# a non-root process owns its terminal, so it can reopen it (runc's fixStdioPermissions);
# without consoleSize the pty keeps the kernel's default size, not a stale one
new_id ID2 user
cfg 'del(.process.consoleSize) | .process.user = {uid: 1000, gid: 1000}'
sh_args 'echo "owner $(stat -c %u:%g "$(tty)")"; echo "size $(stty size)"; echo reopen > "$(tty)" && echo reopened'
console_session "$ID2" ""
assert_contains "$TTY_OUT" "owner 1000:" "owner of the pty of a uid 1000 process"
assert_contains "$TTY_OUT" "reopened" "the process reopens its terminal by name"
assert_contains "$TTY_ERR" "recvfd: winsize 0 0" "window size without consoleSize"
exit 0
