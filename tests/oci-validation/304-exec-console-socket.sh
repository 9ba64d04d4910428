#!/bin/bash
# runc CLI, the way conmon and the containerd shim run `exec -t`:
#   exec --pid-file F --process P --detach --tty --console-socket S ID
# The pty is made in the container (its devpts), its master goes over S with SCM_RIGHTS,
# process.consoleSize of the process file applies, the pid file holds the host pid of the
# exec'd process. The same with the flags (-d -t --console-socket ID CMD...). Without a
# console socket a detached -t is an error, and so is a console socket in the foreground.
. "$(dirname "$0")/lib.sh"
cli_helper RECVFD recvfd

set_args sleep 600
create_ctr
start_ctr
wait_status "$ID" running

# exec_console NAME INPUT EXEC-ARGS...: recvfd on a fresh socket, then exec with it;
# TTY_OUT/TTY_ERR as in 300-console-socket
exec_console() {
	local name=$1 input=$2 sock=$T/$1.sock rp
	shift 2
	"$RECVFD" -i "$input" "$sock" > "$T/$name.tty" 2> "$T/$name.recv" &
	rp=$!
	PIDS+=("$rp")
	wait_for 5 grep -q listening "$T/$name.recv" || fail "recvfd did not start"
	assert_ok rt exec --detach --tty --console-socket "$sock" "$@"
	grep -q '^recvfd: payload ' "$T/$name.recv" || fail "exec returned before the master was sent"
	wait "$rp" || fail "recvfd exited $?: $(cat "$T/$name.recv")"
	TTY_OUT=$(tr -d '\r' < "$T/$name.tty")
	TTY_ERR=$(cat "$T/$name.recv")
	log "$TTY_ERR"
	log "$TTY_OUT"
}

# conmon's call, with a process file like `ctr task exec -t` writes. The process lets go of
# the terminal (recvfd then sees its end) but lives on as the pid file's process (SIGHUP
# ignored: the master's close hangs up its session).
cat > "$T/process.json" <<'EOF'
{
  "terminal": true,
  "consoleSize": {"height": 21, "width": 77},
  "user": {"uid": 0, "gid": 0},
  "args": ["sh", "-c", "echo \"tty $(tty) size $(stty size) nspid $$\"; sleep 1; read -r l; echo \"got [$l]\"; trap \"\" HUP; exec sleep 60 < /dev/null > /dev/null 2>&1"],
  "env": ["PATH=/bin"],
  "cwd": "/"
}
EOF
exec_console conmon "hello exec" --pid-file "$T/exec.pid" --process "$T/process.json" "$ID"
assert_contains "$TTY_ERR" "recvfd: winsize 21 77" "window size of the master (the process file's consoleSize)"
pts=$(sed -n 's/^recvfd: pts //p' <<< "$TTY_ERR")
assert_contains "$TTY_OUT" "tty /dev/pts/$pts size 21 77" "the exec'd process's terminal"
assert_contains "$TTY_OUT" "got [hello exec]" "input through the master"
pid=$(cat "$T/exec.pid")
assert_match "$pid" '^[0-9]+$' "pid file (plain decimal)"
nspid=$(sed -n 's/.* nspid \([0-9]*\)$/\1/p' <<< "$TTY_OUT")
assert_ne "$pid" "$nspid" "the pid file holds the host pid, not the one in the container"
assert_eq "$nspid" "$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$pid/status")" "pid in the container of the pid file's process"

# the flags instead of a process file
exec_console flags "" "$ID" sh -c 'echo "tty $(tty) pid1 $(cat /proc/1/comm)"'
pts=$(sed -n 's/^recvfd: pts //p' <<< "$TTY_ERR")
assert_contains "$TTY_OUT" "tty /dev/pts/$pts pid1 sleep" "exec -d -t --console-socket with a command"

# errors
assert_exec_fails rt exec -d -t "$ID" true
assert_match "$ERR" "console.socket" "exec -d -t without --console-socket"
"$RECVFD" -t 5 "$T/unused.sock" > /dev/null 2> "$T/unused.recv" &
PIDS+=($!)
wait_for 5 grep -q listening "$T/unused.recv" || fail "recvfd did not start"
assert_exec_fails rt exec -t --console-socket "$T/unused.sock" "$ID" true
assert_match "$ERR" "console.socket" "exec -t --console-socket in the foreground"
assert_exec_fails rt exec -d --console-socket "$T/unused.sock" "$ID" true
assert_match "$ERR" "(console|tty)" "exec -d --console-socket without -t"
exit 0
