#!/bin/bash
# config.md, Domainname: "domainname (string, OPTIONAL) specifies the container's domainname
#   as seen by processes running inside the container."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 ignores domainname"
cfg '.domainname = "example.test"'
in_ctr 'cat /proc/sys/kernel/domainname'
assert_eq "example.test" "$OUT" "domainname inside"
exit 0
