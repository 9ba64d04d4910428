#!/bin/bash
# config.md, Process: "env (array of strings, OPTIONAL) with the same semantics as IEEE Std
#   1003.1-2008's environ."
. "$(dirname "$0")/lib.sh"

cfg '.process.env = ["PATH=/bin:/sbin", "FOO=bar", "WITH_SPACE=a b  c", "EMPTY=", "EQ=x=y"]'
in_ctr 'cat /proc/self/environ | tr "\0" "\n"'
log "environment: $OUT"
assert_contains "$OUT" "PATH=/bin:/sbin"
assert_contains "$OUT" "FOO=bar"
assert_contains "$OUT" "WITH_SPACE=a b  c"
assert_contains "$OUT" "EMPTY="
assert_contains "$OUT" "EQ=x=y"
# nothing from the caller's environment leaks in
export HUTCH_LEAK_CHECK=leaked
in_ctr 'cat /proc/self/environ | tr "\0" "\n"'
assert_not_contains "$OUT" "HUTCH_LEAK_CHECK"
exit 0
