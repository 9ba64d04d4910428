# Interactive terminal sessions for the e2e tests: a private tmux server (socket under T, so
# cleanup removes it) with one pane running a command, keys typed into it, its screen read
# back. Sourced after lib.sh.

command -v tmux > /dev/null || fail "tmux is not installed (apt-get install tmux)"
TMUX_SOCK=$T/tmux.sock
TMUX_ROWS=30
TMUX_COLS=100

tm() { tmux -S "$TMUX_SOCK" "$@"; }

# tmux_start SCRIPT: a detached session whose only pane runs `sh -c SCRIPT` in a
# TMUX_ROWS x TMUX_COLS terminal (no status line: the pane is the whole window)
tmux_start() {
	printf 'set -g status off\nset -g default-terminal xterm\nset -g history-limit 2000\nset -g remain-on-exit on\n' > "$T/tmux.conf"
	tm -f "$T/tmux.conf" new-session -d -s main -x "$TMUX_COLS" -y "$TMUX_ROWS" "$1" ||
		fail "tmux new-session failed"
	local p
	p=$(tm display -p -t main '#{pid}') && PIDS+=("$p")
	TMUX_TTY=$(tm display -p -t main '#{pane_tty}')
}

# tmux_type TEXT: type TEXT (literally) and Enter
tmux_type() {
	tm send-keys -t main -l "$1" && tm send-keys -t main Enter
}

tmux_screen() { tm capture-pane -p -J -S - -t main 2> /dev/null; }

# tmux_wait_screen ERE [SECONDS]: until the pane shows a line matching ERE
tmux_wait_screen() {
	wait_for "${2:-10}" sh -c 'tmux -S "$1" capture-pane -p -J -S - -t main | grep -Eq -- "$2"' \
		_ "$TMUX_SOCK" "$1" || fail "the terminal never showed /$1/; screen:
$(tmux_screen)"
}

# tmux_resize ROWS COLS: resize the window, as a user dragging the terminal's corner
tmux_resize() {
	tm resize-window -t main -x "$2" -y "$1" || fail "tmux resize-window failed"
}

# wait_file FILE [SECONDS]: until FILE exists and is not empty
wait_file() {
	wait_for "${2:-10}" test -s "$1" || fail "$1 never appeared; screen:
$(tmux_screen)"
}
