#!/bin/bash
# runtime-linux.md, File descriptors: "By default, only the stdin, stdout and stderr file
#   descriptors are kept open for the application by the runtime."
# Checked on the running program (sleep, which opens nothing itself) through /proc/PID/fd,
# and from inside with the shell's own fd list.
. "$(dirname "$0")/lib.sh"

# fds of the caller without close-on-exec: they must not reach the container
exec 7> "$T/leak7" 9< /etc/hostname

fds_of() { ls "/proc/$1/fd" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

set_args sleep 600
create_ctr
start_ctr
wait_status "$ID" running
pid=$(state_of "$ID" pid)
wait_for 5 test "$(cat "/proc/$pid/comm")" = sleep || fail "the program did not start"
log "$(ls -l "/proc/$pid/fd")"
assert_eq "0 1 2" "$(fds_of "$pid")" "open fds of the program (create + start)"

new_id ID2 detach
assert_ok rt run -d --bundle "$BUNDLE" "$ID2"
track_pid "$ID2"
pid2=$(state_of "$ID2" pid)
wait_for 5 test "$(cat "/proc/$pid2/comm")" = sleep || fail "the program did not start"
assert_eq "0 1 2" "$(fds_of "$pid2")" "open fds of the program (run -d)"

# from inside: the shell's fds, read by a builtin-only loop; the glob's directory fd is
# the one extra entry and is closed again, so count entries that still resolve
new_id ID3 run
sh_args 'for f in /proc/$$/fd/*; do [ -e "$f" ] && echo -n "${f##*/} "; done; echo'
run_ctr "$ID3"
[ "$RC" = 0 ] || fail "run failed ($RC): $ERR"
assert_eq "0 1 2" "$(echo "$OUT" | sed 's/ $//')" "open fds of the container shell (run)"
exec 7>&- 9<&-
exit 0
