#!/bin/bash
# runtime-linux.md, File descriptors: "The runtime MAY pass additional file descriptors to the
#   application to support features such as socket activation."
# runc CLI: a runtime started by systemd socket activation (LISTEN_PID = its pid,
#   LISTEN_FDS = N, sd_listen_fds(3)) passes fds 3 .. 3+N-1 on, then the --preserve-fds ones,
#   and sets LISTEN_FDS=N and LISTEN_PID (1: the process's pid in its pid namespace) in the
#   container, over the config's values. LISTEN_* meant for another process change nothing.
. "$(dirname "$0")/lib.sh"

for f in a b c; do echo "file $f" > "$T/$f"; done
set_args sh -c 'echo "env $LISTEN_FDS $LISTEN_PID $$ $(env | grep -c ^LISTEN_FDS=)"
	for fd in 3 4 5; do [ -e /proc/$$/fd/$fd ] && echo "fd$fd $(cat <&$fd)"; done; true'
cfg '.process.env += ["LISTEN_FDS=99"]'

# as_activated CMD...: run CMD as systemd would: fds 3 4 5 open, LISTEN_FDS=2 naming this
# very process (exec keeps the pid), output in OUT
as_activated() {
	( exec 3< "$T/a" 4< "$T/b" 5< "$T/c" < /dev/null > "$T/act.out" 2> "$T/act.err"
	  LISTEN_PID=$BASHPID LISTEN_FDS=2 exec "$@" )
	RC=$?
	OUT=$(cat "$T/act.out")
	ERR=$(cat "$T/act.err")
	[ "$RC" = 0 ] || fail "[$*] exited $RC: $ERR"
}

as_activated "$RUNTIME" --root "$STATE_ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID"
log "$OUT"
assert_contains "$OUT" "env 2 1 1 1" "LISTEN_FDS, LISTEN_PID (the process's pid), one LISTEN_FDS in env"
assert_contains "$OUT" "fd3 file a" "first socket-activation fd"
assert_contains "$OUT" "fd4 file b" "second socket-activation fd"
assert_contains "$OUT" "fd5 file c" "--preserve-fds 1 after the LISTEN_FDS ones"

# LISTEN_PID of another process: not ours, nothing passed, the config's env as it is
( exec 3< "$T/a" 4< "$T/b"; LISTEN_PID=1 LISTEN_FDS=2 exec "$RUNTIME" --root "$STATE_ROOT" run \
	--bundle "$BUNDLE" "$ID" ) < /dev/null > "$T/other.out" 2>&1 || fail "run with LISTEN_PID=1 failed: $(cat "$T/other.out")"
log "$(cat "$T/other.out")"
assert_contains "$(cat "$T/other.out")" "env 99 " "LISTEN_FDS when LISTEN_PID is another process"
assert_not_contains "$(cat "$T/other.out")" "fd3" "fds passed when LISTEN_PID is another process"

# exec (runc passes none there; hutch treats exec like run)
if ! is_runc; then
	new_id ID2 exec
	set_args sleep 600
	create_ctr "$ID2"
	start_ctr "$ID2"
	as_activated "$RUNTIME" --root "$STATE_ROOT" exec "$ID2" sh -c 'echo "env $LISTEN_FDS $LISTEN_PID $$"; cat <&3; cat <&4'
	log "$OUT"
	read -r _ fds lpid pid < <(head -n1 <<< "$OUT")
	assert_eq 2 "$fds" "LISTEN_FDS of an exec'd process"
	assert_eq "$pid" "$lpid" "LISTEN_PID of an exec'd process (its pid in the container)"
	assert_contains "$OUT" "file b" "second fd of the exec'd process"
fi
exit 0
