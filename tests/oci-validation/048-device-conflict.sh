#!/bin/bash
# config-linux.md, Devices: "If a file already exists at path that does not match the
#   requested device, the runtime MUST generate an error."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 leaves a regular file at a device path and runs the container"
echo "regular file" > "$BUNDLE/rootfs/etc/mydev"
set_args true
cfg '.linux.devices = [{path: "/etc/mydev", type: "c", major: 1, minor: 3}]'
assert_fails rt run --bundle "$BUNDLE" "$ID"
log "$ERR"
assert_eq "regular file" "$(cat "$BUNDLE/rootfs/etc/mydev")" "the existing file"
state_dir_exists "$ID" && fail "state dir left"
exit 0
