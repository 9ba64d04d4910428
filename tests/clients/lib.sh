# Helpers of the client suite (tests/clients/suite.sh sources this file).
#
# A scenario is a shell function run in a subshell by `scenario`: it passes when it returns
# 0, is skipped when it exits 77 (`skip REASON`), and fails otherwise (`fail MESSAGE`). Its
# output goes to a log of its own, printed when it fails. After each scenario the client's
# reset hook removes whatever containers it left, so that one failure cannot spill into the
# next scenario.

S_PASSED=0
S_FAILED=0
S_SKIPPED=0
S_N=0
S_FAILURES=()
NCAP=0

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# shellcheck source=../lib/assert.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

# (Scenarios run with pipefail: a `grep -q` at the end of a pipeline may quit before the
# writer is done and fail it with SIGPIPE, hence here-strings.)

# capture CMD...: run CMD with stdin from /dev/null and stdout/stderr in fresh files (a
# detached container or conmon must never hold a pipe of ours open). Sets OUT, ERR, RC.
capture() {
	NCAP=$((NCAP + 1))
	local o=$SCEN_DIR/cap.$NCAP.out e=$SCEN_DIR/cap.$NCAP.err
	"$@" < /dev/null > "$o" 2> "$e"
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	log "[$*] -> exit $RC"
}

# expect STATUS CMD...: run CMD (see capture) and check its exit status
expect() {
	local want=$1
	shift
	capture "$@"
	[ "$RC" = "$want" ] || fail "exit status of [$*]: expected $want, got $RC
stdout: $OUT
stderr: $ERR"
}

ok() { expect 0 "$@"; }

# A container script that counts, ten times a second, into /tmp/count
COUNTER='i=0; while :; do i=$((i + 1)); echo $i > /tmp/count; sleep 0.1; done'

# counter_of PID: the count of a COUNTER container whose init is PID (read on the host)
counter_of() { cat "/proc/$1/root/tmp/count" 2> /dev/null; }

# counter_moves PID: the count changes within 2 s
counter_moves() {
	local a b i
	a=$(counter_of "$1")
	for i in $(seq 40); do
		sleep 0.05
		b=$(counter_of "$1")
		[ -n "$b" ] && [ "$b" != "$a" ] && return 0
	done
	return 1
}

# tmux of the suite's own server (its socket is under the suite's directory)
tm() { tmux -S "$TMUX_SOCK" "$@"; }

# screen_has WINDOW TEXT: the pane shows TEXT
screen_has() {
	grep -qF -- "$2" <<< "$(tm capture-pane -p -t "$1")"
}

# wait_screen WINDOW TEXT [SECONDS]
wait_screen() {
	wait_for "${3:-15}" screen_has "$1" "$2" || fail "the terminal never showed [$2]; it shows:
$(tm capture-pane -p -t "$1" | grep -v '^$')"
}

# resized WINDOW ROWS COLS: resize the tmux window and ask the shell in it for its size
# until it reports the new one: a resize travels asynchronously (SIGWINCH to the client,
# then to whoever holds the pty master), so one `stty size` may still see the old size
resized() {
	local w=$1 rows=$2 cols=$3 i
	tm resize-window -t "$w" -x "$cols" -y "$rows"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		tm send-keys -t "$w" 'clear; stty size' Enter
		wait_for 1 screen_has "$w" "$rows $cols" && return 0
	done
	fail "the terminal never saw the resize to $rows x $cols; it shows:
$(tm capture-pane -p -t "$w" | grep -v '^$')"
}

# wanted NAME: is scenario NAME selected by CLIENT_TESTS (an ERE; empty selects all)?
wanted() {
	[ -z "${CLIENT_TESTS:-}" ] || grep -Eq -- "$CLIENT_TESTS" <<< "$1"
}

# log_excerpt LOG: the commands before the failure and the failure itself
log_excerpt() {
	local n
	n=$(grep -n '^FAIL: ' "$1" | tail -n1 | cut -d: -f1)
	if [ -n "$n" ]; then
		sed -n "$((n > 12 ? n - 12 : 1)),$((n + 30))p" "$1"
	else
		tail -n 40 "$1"
	fi
}

# client_prepare NAME SETUP TOOL...: CLIENT_MISSING says why NAME's scenarios are skipped
# (a TOOL not installed, or SETUP failed: that failure counts once, with SETUP's log).
client_prepare() {
	local name=$1 setup=$2 t
	shift 2
	CLIENT_MISSING=
	for t in "$@"; do
		command -v "$t" > /dev/null || CLIENT_MISSING="$t is not installed"
	done
	[ -z "$CLIENT_MISSING" ] || return 0
	if ! "$setup" > "$LOGS/$name-setup.log" 2>&1; then
		echo "FAIL  $name: setup ($setup):"
		sed 's/^/    | /' "$LOGS/$name-setup.log"
		S_FAILED=$((S_FAILED + 1))
		S_FAILURES+=("$name setup")
		CLIENT_MISSING="$name setup failed"
	fi
}

# scenario NAME FUNCTION [RESET]: run FUNCTION in a subshell, log to a file of its own,
# count the result, then run RESET (the client's cleanup of containers) whatever happened.
# With CLIENT_MISSING set (the client is not installed), the scenario counts as skipped.
scenario() {
	local name=$1 fn=$2 reset=${3:-} rc start took log reason
	[ "$fn" = t_leak_check ] || wanted "$name" || return 0
	if [ -n "${CLIENT_MISSING:-}" ]; then
		S_SKIPPED=$((S_SKIPPED + 1))
		echo "SKIP  $name: $CLIENT_MISSING"
		return 0
	fi
	S_N=$((S_N + 1))
	SCEN_DIR=$LOGS/$(printf '%02d' "$S_N")-$fn
	mkdir -p "$SCEN_DIR"
	log=$SCEN_DIR/log
	start=$(date +%s.%N)
	(
		set -u -o pipefail
		"$fn"
	) < /dev/null > "$log" 2>&1
	rc=$?
	[ -n "$reset" ] && "$reset" >> "$log" 2>&1
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }')
	case $rc in
	0)
		S_PASSED=$((S_PASSED + 1))
		echo "PASS  $name ($took)"
		;;
	77)
		S_SKIPPED=$((S_SKIPPED + 1))
		reason=$(sed -n 's/^SKIP: //p' "$log" | tail -n1)
		echo "SKIP  $name: $reason"
		;;
	*)
		S_FAILED=$((S_FAILED + 1))
		S_FAILURES+=("$name")
		echo "FAIL  $name ($took, exit $rc)"
		log_excerpt "$log" | sed 's/^/    | /'
		;;
	esac
	[ "${VERBOSE:-0}" = 1 ] && [ $rc = 0 ] && sed 's/^/    | /' "$log"
	return 0
}
