#!/bin/bash
# config-linux.md, Masked Paths / Readonly Paths: "The values MUST be absolute paths in the
#   container namespace."
# config.md, Valid values: "Runtimes MUST generate an error when invalid or unsupported values
#   are encountered."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 accepts relative maskedPaths/readonlyPaths"
set_args true
cfg '.linux.maskedPaths = ["proc/kcore"]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left"
cfg '.linux.maskedPaths = [] | .linux.readonlyPaths = ["proc/sys"]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
state_dir_exists "$ID" && fail "state dir left"
exit 0
