#!/bin/bash
# config-linux.md, Sysctl: "sysctl (object, OPTIONAL) allows kernel parameters to be modified
#   at runtime for the container."
. "$(dirname "$0")/lib.sh"

cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096",
	"net.ipv4.conf.all.accept_redirects": "0"}'
in_ctr 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/net/ipv4/conf/all/accept_redirects'
assert_eq "1
4096
0" "$OUT" "sysctl values inside"
assert_ne 4096 "$(cat /proc/sys/kernel/msgmax)" "host's kernel.msgmax"
exit 0
