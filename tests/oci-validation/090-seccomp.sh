#!/bin/bash
# config-linux.md, Seccomp: "Seccomp provides application sandboxing mechanism in the Linux
#   kernel." defaultAction, syscalls[].names, action SCMP_ACT_ERRNO, errnoRet.
. "$(dirname "$0")/lib.sh"

cfg '.root.readonly = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1},
		{names: ["sethostname"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
in_ctr 'grep ^Seccomp: /proc/self/status
mkdir /tmp/newdir 2>&1 || true
hostname other 2>&1 || true
touch /tmp/file && echo touch-ok'
log "$OUT"
assert_match "$OUT" $'Seccomp:\t2' "seccomp mode (filter)"
assert_contains "$OUT" "Operation not permitted" "mkdir with errnoRet 1 (EPERM)"
assert_contains "$OUT" "Function not implemented" "sethostname with errnoRet 38 (ENOSYS)"
assert_contains "$OUT" "touch-ok" "allowed syscalls"
[ ! -d "$BUNDLE/rootfs/tmp/newdir" ] || fail "mkdir was not blocked"
exit 0
