#!/bin/bash
# runtime-linux.md, File descriptors: "The runtime MAY pass additional file descriptors to the
#   application to support features such as socket activation."
# runc CLI: --preserve-fds N passes fds 3 .. 3+N-1 of the caller, and no others.
. "$(dirname "$0")/lib.sh"

echo "through fd 3" > "$T/fd3"
exec 3< "$T/fd3" 4< /etc/hostname

# inside: the shell's own fds (a builtin loop; the glob's directory fd is closed again by the
# time [ -e ] looks), then what fd 3 reads
sh_args 'for f in /proc/$$/fd/*; do [ -e "$f" ] && echo -n "${f##*/} "; done; echo; cat <&3'
capture rt run --preserve-fds 1 --bundle "$BUNDLE" "$ID"
[ "$RC" = 0 ] || fail "run --preserve-fds 1 failed ($RC): $ERR"
log "$OUT"
assert_eq "0 1 2 3" "$(echo "$OUT" | sed -n 1p | sed 's/ $//')" "open fds with --preserve-fds 1"
assert_eq "through fd 3" "$(echo "$OUT" | sed -n 2p)" "content read from fd 3"

# the program's fds seen from the host
new_id ID2 detach
set_args sleep 600
assert_ok rt run -d --preserve-fds 1 --bundle "$BUNDLE" "$ID2"
track_pid "$ID2"
pid=$(state_of "$ID2" pid)
wait_for 5 test "$(cat "/proc/$pid/comm")" = sleep || fail "the program did not start"
assert_eq "0 1 2 3" "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ' | sed 's/ $//')" "fds of the program (run -d --preserve-fds 1)"
assert_eq "$T/fd3" "$(readlink "/proc/$pid/fd/3")" "file behind fd 3"

# fd 5 is not open: a file of the runtime's own would take its number and reach the
# container (CVE-2024-21626); an error, and nothing left behind
if ! is_runc; then
	new_id ID3 hole
	assert_fails rt run --preserve-fds 3 --bundle "$BUNDLE" "$ID3"
	assert_contains "$ERR" "fd 5 is not open" "run --preserve-fds 3 with fd 5 closed"
	state_dir_exists "$ID3" && fail "state left behind by the failed run"
fi
exec 3<&- 4<&-
exit 0
