#!/bin/bash
# runc CLI: `create --pid-file FILE` writes the container process's pid (the state's pid,
#   runtime.md State: "pid ... is the ID of the container process") to FILE, a path relative
#   to the current directory or absolute.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr "$ID" "$BUNDLE" --pid-file "$T/abs.pid"
pid=$(state_of "$ID" pid)
assert_eq "$pid" "$(cat "$T/abs.pid")" "absolute --pid-file content"
assert_match "$(cat "$T/abs.pid")" '^[0-9]+$' "pid file holds only the pid"

new_id ID2 rel
mkdir "$T/cwd"
cd "$T/cwd" || fail cd
create_ctr "$ID2" "$BUNDLE" --pid-file rel.pid
assert_eq "$(state_of "$ID2" pid)" "$(cat "$T/cwd/rel.pid")" "relative --pid-file content"
exit 0
