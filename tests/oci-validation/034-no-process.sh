#!/bin/bash
# runtime.md, Start: "This operation MUST generate an error if process was not set."
# (A runtime may refuse such a config already at create; either way the program never runs.)
. "$(dirname "$0")/lib.sh"

cfg 'del(.process)'
capture rt create --bundle "$BUNDLE" "$ID"
log "create without process: rc=$RC $ERR"
if [ "$RC" = 0 ]; then
	track_pid "$ID"
	assert_fails rt start "$ID"
else
	assert_fails rt create --bundle "$BUNDLE" "$ID"
	state_dir_exists "$ID" && fail "state dir left after a failed create"
fi
exit 0
