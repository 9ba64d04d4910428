#!/bin/bash
# config-linux.md, Namespaces: "The runtime MUST generate an error if path is not associated
#   with a namespace of type type."  "If a namespaces field contains duplicated namespaces
#   with same type, the runtime MUST generate an error."
. "$(dirname "$0")/lib.sh"

set_args true
cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/ipc" else . end)'
assert_fails rt run --bundle "$BUNDLE" "$ID"
log "$ERR"
state_dir_exists "$ID" && fail "state dir left"

cfg '.linux.namespaces |= map(if .type == "network" then .path = "/does/not/exist" else . end)'
assert_fails rt run --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left"
exit 0
