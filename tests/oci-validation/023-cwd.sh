#!/bin/bash
# config.md, Process: "cwd (string, REQUIRED) is the working directory that will be set for
#   the executable. This value MUST be an absolute path."
. "$(dirname "$0")/lib.sh"

cfg '.process.cwd = "/etc"'
in_ctr 'pwd; readlink /proc/self/cwd'
assert_eq "/etc
/etc" "$OUT" "working directory"
cfg '.process.cwd = "/home/user"'
in_ctr 'pwd'
assert_eq "/home/user" "$OUT" "working directory"
exit 0
