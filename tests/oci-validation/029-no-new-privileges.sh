#!/bin/bash
# config.md, Linux process: "noNewPrivileges (bool, OPTIONAL) setting noNewPrivileges to true
#   prevents the process from gaining additional privileges."
. "$(dirname "$0")/lib.sh"

cfg '.process.noNewPrivileges = true'
in_ctr 'grep ^NoNewPrivs: /proc/self/status'
assert_eq $'NoNewPrivs:\t1' "$OUT" "NoNewPrivs with noNewPrivileges true"
cfg '.process.noNewPrivileges = false'
in_ctr 'grep ^NoNewPrivs: /proc/self/status'
assert_eq $'NoNewPrivs:\t0' "$OUT" "NoNewPrivs with noNewPrivileges false"
exit 0
