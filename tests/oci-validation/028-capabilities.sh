#!/bin/bash
# config.md, Linux process: "capabilities (object, OPTIONAL) is an object containing arrays
#   that specifies the sets of capabilities for the process. ... effective ... bounding ...
#   inheritable ... permitted ... ambient"
# Checked from /proc/self/status of a process in the container.
. "$(dirname "$0")/lib.sh"

caps() { grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' <<< "$OUT" | awk '{print $1 $2}' | tr '\n' ' '; }

# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10 -> 0x421
cfg '.process.capabilities = {bounding: $c, effective: $c, permitted: $c, inheritable: $c,
	ambient: $c}' --argjson c '["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
in_ctr 'cat /proc/self/status'
assert_eq "CapInh:0000000000000421 CapPrm:0000000000000421 CapEff:0000000000000421 CapBnd:0000000000000421 CapAmb:0000000000000421 " "$(caps)" "capability sets (uid 0)"

# a non-root user keeps only what ambient gives it across execve
cfg '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false'
cfg '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
	effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
	inheritable: ["CAP_NET_BIND_SERVICE", "CAP_KILL"], ambient: ["CAP_NET_BIND_SERVICE"]}'
in_ctr 'cat /proc/self/status'
# CAP_SYS_ADMIN=21 -> bounding 0x200421
assert_eq "CapInh:0000000000000420 CapPrm:0000000000000400 CapEff:0000000000000400 CapBnd:0000000000200421 CapAmb:0000000000000400 " "$(caps)" "capability sets (uid 1000)"

# no capabilities at all
cfg '.process.user = {uid: 0, gid: 0} | .process.capabilities = {}'
in_ctr 'cat /proc/self/status'
assert_eq "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000000000 CapAmb:0000000000000000 " "$(caps)" "capability sets (empty)"
exit 0
