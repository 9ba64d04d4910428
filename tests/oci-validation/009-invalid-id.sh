#!/bin/bash
# runtime.md, Create: "If the ID provided is not unique across all containers within the scope
#   of the runtime, or is not valid in any other way, the implementation MUST generate an
#   error and a new container MUST NOT be created."
. "$(dirname "$0")/lib.sh"

set_args true
mkdir -p "$STATE_ROOT"
for bad in "a/b" ".." "." "../escape" "/abs" ""; do
	assert_fails rt create --bundle "$BUNDLE" "$bad"
	log "id [$bad]: $ERR"
	[ -z "$(ls -A "$STATE_ROOT")" ] || fail "id [$bad]: state root not empty: $(ls -A "$STATE_ROOT")"
	[ ! -e "$T/escape" ] || fail "id [$bad]: something written outside the state root"
done
exit 0
