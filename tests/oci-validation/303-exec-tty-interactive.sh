#!/bin/bash
# runc CLI: `exec -t ID sh` in the foreground: a new pty in the container's devpts for the
#   exec'd process, relayed to the runtime's terminal in raw mode, window size changes passed
#   on, the terminal restored and the process's status returned when it exits; the container
#   keeps running. Driven from a tmux pane like a person at a shell.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/lib-tmux.sh"

bind_out
set_args sleep 600
cfg '.process.env += ["PS1=exec> "]'
create_ctr
start_ctr
wait_status "$ID" running

tmux_start "stty -g > $T/before; $RUNTIME --root $STATE_ROOT exec -t $ID sh; echo \$? > $T/rc; stty -g > $T/after"
tmux_wait_screen '^exec> '
assert_match "$(stty -a < "$TMUX_TTY")" '(^| )-icanon( |$)' "the runtime's terminal during exec -t (raw)"

tmux_type 'echo "$(tty) $(stty size) $(cat /proc/1/comm)" > /out/inside'
wait_file "$T/out/inside"
read -r tty size_r size_c pid1 < "$T/out/inside"
assert_match "$tty" '^/dev/pts/[0-9]+$' "terminal of the exec'd shell"
assert_eq "$TMUX_ROWS $TMUX_COLS" "$size_r $size_c" "size of the exec'd shell's terminal"
assert_eq sleep "$pid1" "pid 1 seen from the exec'd shell (the container's pid namespace)"

tmux_resize 35 90
wait_for 5 sh -c "stty size < $TMUX_TTY | grep -qx '35 90'" || fail "tmux did not resize the pane"
tmux_type 'stty size > /out/size2'
wait_file "$T/out/size2"
assert_eq "35 90" "$(cat "$T/out/size2")" "size after a resize"

tmux_type 'exit 9'
wait_file "$T/rc"
assert_eq 9 "$(cat "$T/rc")" "exit status of exec -t (the shell's)"
wait_file "$T/after"
assert_eq "$(cat "$T/before")" "$(cat "$T/after")" "the runtime's terminal settings after exec -t"
assert_eq running "$(state_of "$ID" status)" "the container after the exec'd shell exited"
exit 0
