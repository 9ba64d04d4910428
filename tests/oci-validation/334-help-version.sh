#!/bin/bash
# runc CLI: --help (and -h, and `help COMMAND`) for every command, exit 0; no command prints
#   the help too; an unknown command is an error (Podman probes `checkpoint --help`);
#   --version/-v is runc's shape ("NAME version X", "commit:", "spec:", "libseccomp:"). A -h
#   after exec's command belongs to the command. Global flags come as --flag=value too (Podman).
. "$(dirname "$0")/lib.sh"

assert_ok "$RUNTIME" --help
# the words starting the lines of the "Commands:" section
cmds=$(awk 'tolower($0) ~ /^commands:/ {on = 1; next} on && /^$/ {exit}
	on && $1 ~ /^[a-z][a-z-]*,?$/ {sub(/,$/, "", $1); print $1}' <<< "$OUT" | grep -v '^help$')
for c in create start state kill delete run exec ps list spec features; do
	grep -qx "$c" <<< "$cmds" || fail "--help does not list $c"
done
# the usage line names the command (runc's: "USAGE:" and "   runc CMD ...")
usage_re() { is_runc && echo "^ *runc $1( |$)" || echo "^Usage: hutch $1( |$)"; }
for c in $cmds; do
	assert_ok "$RUNTIME" "$c" --help
	assert_match "$(grep -E "$(usage_re "$c")" <<< "$OUT")" . "$c --help"
	assert_ok "$RUNTIME" "$c" -h
	assert_match "$(grep -E "$(usage_re "$c")" <<< "$OUT")" . "$c -h"
	is_runc && continue
	assert_ok "$RUNTIME" help "$c"
	assert_match "$OUT" "^Usage: hutch $c" "help $c"
done
is_runc || assert_exit 0 "$RUNTIME"
assert_fails "$RUNTIME" no-such-command
is_runc || assert_fails "$RUNTIME" checkpoint --help

for v in --version -v; do
	assert_ok "$RUNTIME" $v
	assert_match "$(sed -n 1p <<< "$OUT")" '^[a-z]+ version [0-9]+\.[0-9]+\.[0-9]+' "$v, line 1"
	assert_match "$(grep '^commit:' <<< "$OUT")" '^commit: .+' "$v: commit line"
	assert_match "$(grep '^spec:' <<< "$OUT")" '^spec: [0-9]+\.[0-9]+\.[0-9]+' "$v: spec line"
	assert_match "$(grep '^libseccomp:' <<< "$OUT")" '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' "$v: libseccomp line"
done
is_runc || assert_eq "spec: 1.3.0" "$(grep '^spec:' <<< "$OUT")" "--version: the spec version implemented"

# global flags as --flag=value; an option-looking argument of exec's command is the command's
set_args sleep 600
assert_ok timeout 30 "$RUNTIME" --root="$STATE_ROOT" --log="$T/log" --log-format=json run -d --bundle="$BUNDLE" "$ID"
track_pid "$ID"
assert_ok rt exec "$ID" ls -h -d /
assert_eq / "$OUT" "exec ID ls -h -d / (the -h is ls's)"
assert_ok rt exec "$ID" sh -c 'echo "$0 $1"' --help -h
assert_eq "--help -h" "$OUT" "exec ID CMD --help -h"
exit 0
