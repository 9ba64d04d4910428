#!/bin/bash
# runc CLI: `run` in the foreground of a process.terminal bundle, without --console-socket,
#   gives the user an interactive session: the runtime puts its own terminal in raw mode,
#   copies both ways, passes window size changes on (SIGWINCH), restores its terminal on exit
#   and exits with the container's status. A person at a terminal (here a tmux pane) types
#   into the container's shell, resizes the window and exits.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/lib-tmux.sh"

bind_out
cfg '.process.terminal = true | .process.args = ["sh"] | .process.env += ["PS1=ctr> "]'
tmux_start "stty -g > $T/before; $RUNTIME --root $STATE_ROOT run --bundle $BUNDLE $ID; echo \$? > $T/rc; stty -g > $T/after"
tmux_wait_screen '^ctr> '

# while the container runs, the runtime's terminal is raw: no echo, no line editing, no
# signals from ^C (the keys go to the container's terminal)
during=$(stty -a < "$TMUX_TTY")
assert_match "$during" '(^| )-icanon( |$)' "the runtime's terminal during the session (canonical mode off)"
assert_match "$during" '(^| )-isig( |$)' "the runtime's terminal during the session (signal keys off)"
assert_match "$during" '(^| )-echo( |$)' "the runtime's terminal during the session (echo off)"

tmux_type 'echo "typed $((6 * 7)) $(tty)" > /out/typed'
wait_file "$T/out/typed"
assert_match "$(cat "$T/out/typed")" '^typed 42 /dev/pts/[0-9]+$' "a command typed into the shell ran, on a pty"
tmux_type 'stty size > /out/size1'
wait_file "$T/out/size1"
assert_eq "$TMUX_ROWS $TMUX_COLS" "$(cat "$T/out/size1")" "size of the container's terminal (the runtime's own)"

tmux_resize 40 120
wait_for 5 sh -c "stty size < $TMUX_TTY | grep -qx '40 120'" || fail "tmux did not resize the pane"
tmux_type 'stty size > /out/size2'
wait_file "$T/out/size2"
assert_eq "40 120" "$(cat "$T/out/size2")" "size of the container's terminal after a resize"

# ^C reaches the container's foreground job, not the runtime: the shell lives on
tmux_type 'sleep 300'
sleep 0.5
tm send-keys -t main C-c
tmux_type 'echo "after ^C" > /out/intr'
wait_file "$T/out/intr"
assert_eq "after ^C" "$(cat "$T/out/intr")" "the session after ^C"

tmux_type 'exit 7'
wait_file "$T/rc"
assert_eq 7 "$(cat "$T/rc")" "exit status of run (the shell's)"
wait_file "$T/after"
assert_eq "$(cat "$T/before")" "$(cat "$T/after")" "the runtime's terminal settings after the session (stty -g)"
state_dir_exists "$ID" && fail "run did not delete the container"
exit 0
