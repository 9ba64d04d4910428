#!/bin/bash
# config-linux.md, Seccomp: "args (array of objects, OPTIONAL) - the specific syscall in
#   seccomp. Each entry has the following structure: index (uint, REQUIRED), value (uint64,
#   REQUIRED), valueTwo (uint64, OPTIONAL), op (string, REQUIRED) - SCMP_CMP_NE,
#   SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ".
# The rule (ERRNO 95) must hit exactly the calls whose arguments compare as asked. Seen from
# inside with the probe's raw sysfs(2) (nr 139: option 3 counts filesystems, 2 with a NULL
# buffer is EFAULT, others EINVAL) and getpriority(2) (nr 140).
. "$(dirname "$0")/lib.sh"
install_probe
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"

# args_rule ARGS [SYSCALL]: default ALLOW, ERRNO 95 for the syscall with these args (a jq
# expression)
args_rule() {
	cfg --arg n "${2:-sysfs}" "$1 as \$a | "'.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: [$n], action: "SCMP_ACT_ERRNO", errnoRet: 95, args: $a}]}'
}

# check OP VALUE HIT MISS: a0 = HIT must fail with 95, a0 = MISS must not
check() {
	args_rule "[{index: 0, op: \"SCMP_CMP_$1\", value: $2}]"
	in_ctr "probe syscall 139 $3; probe syscall 139 $4"
	log "$1 $2: $OUT"
	assert_eq "ret=-1 errno=95" "$(echo "$OUT" | sed -n 1p)" "SCMP_CMP_$1 $2, a0=$3"
	assert_ne "ret=-1 errno=95" "$(echo "$OUT" | sed -n 2p)" "SCMP_CMP_$1 $2, a0=$4"
}

check EQ 3 3 4
check NE 3 4 3
check LT 3 2 3
check LE 3 3 4
check GE 3 3 2
check GT 3 4 3
# 64-bit comparison: 0x100000003 is not 3 (the kernel then reads the int option as 3)
check EQ 4294967299 4294967299 3

# MASKED_EQ: (a0 & value) == valueTwo
args_rule '[{index: 0, op: "SCMP_CMP_MASKED_EQ", value: 6, valueTwo: 2}]'
in_ctr 'probe syscall 139 3; probe syscall 139 4'
log "MASKED_EQ: $OUT"
assert_eq "ret=-1 errno=95" "$(echo "$OUT" | sed -n 1p)" "MASKED_EQ 6/2, a0=3"
assert_ne "ret=-1 errno=95" "$(echo "$OUT" | sed -n 2p)" "MASKED_EQ 6/2, a0=4"

# two arguments: both must match (getpriority(PRIO_PROCESS, 1): pid 1 is the container's)
args_rule '[{index: 0, op: "SCMP_CMP_EQ", value: 0}, {index: 1, op: "SCMP_CMP_EQ", value: 1}]' getpriority
in_ctr 'probe syscall 140 0 1; probe syscall 140 0 0; probe syscall 140 1 1'
log "a0 && a1: $OUT"
assert_eq "ret=-1 errno=95" "$(echo "$OUT" | sed -n 1p)" "getpriority(0, 1): both arguments match"
assert_eq "ret=20 errno=0" "$(echo "$OUT" | sed -n 2p)" "getpriority(0, 0): the second does not"
assert_ne "ret=-1 errno=95" "$(echo "$OUT" | sed -n 3p)" "getpriority(1, 1): the first does not"

# the same argument twice: either value matches (as runc does)
args_rule '[{index: 0, op: "SCMP_CMP_EQ", value: 3}, {index: 0, op: "SCMP_CMP_EQ", value: 4}]'
in_ctr 'probe syscall 139 3; probe syscall 139 4; probe syscall 139 2 0 0'
log "a0 == 3 || a0 == 4: $OUT"
assert_eq "ret=-1 errno=95" "$(echo "$OUT" | sed -n 1p)" "a0=3 with two values for a0"
assert_eq "ret=-1 errno=95" "$(echo "$OUT" | sed -n 2p)" "a0=4 with two values for a0"
assert_eq "ret=-1 errno=14" "$(echo "$OUT" | sed -n 3p)" "a0=2 with two values for a0"
exit 0
