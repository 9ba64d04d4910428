#!/bin/bash
# config.md, Hostname: "hostname (string, OPTIONAL) specifies the container's hostname as seen
#   by processes running inside the container."
. "$(dirname "$0")/lib.sh"

cfg '.hostname = "box-one"'
in_ctr 'hostname; cat /proc/sys/kernel/hostname'
assert_eq "box-one
box-one" "$OUT" "hostname inside"
assert_ne "box-one" "$(hostname)" "host's hostname"
exit 0
