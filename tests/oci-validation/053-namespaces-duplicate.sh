#!/bin/bash
# config-linux.md, Namespaces: "If a namespaces field contains duplicated namespaces with same
#   type, the runtime MUST generate an error."
. "$(dirname "$0")/lib.sh"

set_args true
cfg '.linux.namespaces += [{type: "ipc"}]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
log "$ERR"
state_dir_exists "$ID" && fail "state dir left"
exit 0
