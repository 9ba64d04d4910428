#!/bin/bash
# config-linux.md, Seccomp: actions, architectures, operators and flags are names from
#   fixed lists; runtime.md: "If the runtime cannot ... it MUST generate an error".
#   "When the action doesn't support an errno, the runtime MUST print and error and fail."
# An unknown syscall *name* is not an error: profiles list syscalls of newer kernels and of
# other architectures, and the rest of the profile must still apply.
# Every error: exit status 1, one line naming the field, no container left.
. "$(dirname "$0")/lib.sh"
install_probe

base='{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["sysfs"], action: "SCMP_ACT_ERRNO"}]}'

# bad FIELD-IN-MESSAGE JQ-EDIT-OF-SECCOMP
bad() {
	cfg ".linux.seccomp = ($base | $2)"
	capture rt create --bundle "$BUNDLE" "$ID"
	log "$1: rc=$RC err=$ERR"
	[ "$RC" = 1 ] || fail "$1: expected exit status 1, got $RC (stderr: $ERR)"
	# runc's messages do not name the field: the exit status and the cleanup still count
	if ! is_runc; then
		assert_contains "$ERR" "$1" "the error names the field"
		assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "lines of error output for $1"
	fi
	state_dir_exists "$ID" && fail "$1: the failed create left $STATE_ROOT/$ID"
	rt state "$ID" > /dev/null 2>&1 && fail "$1: the container exists after the error"
	return 0
}

bad "linux.seccomp.defaultAction" '.defaultAction = "SCMP_ACT_BOGUS"'
bad "linux.seccomp.syscalls[0].action" '.syscalls[0].action = "SCMP_ACT_NOPE"'
bad "linux.seccomp.architectures[1]" '.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11"]'
bad "linux.seccomp.syscalls[0].args[0].op" '.syscalls[0].args = [{index: 0, value: 1, op: "SCMP_CMP_ALMOST"}]'
bad "linux.seccomp.syscalls[0].args[0].index" '.syscalls[0].args = [{index: 6, value: 1, op: "SCMP_CMP_EQ"}]'
bad "linux.seccomp.flags[0]" '.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]'
bad "listenerPath" '.syscalls[0].action = "SCMP_ACT_NOTIFY"'

# unknown names are skipped, the known one in the same entry still gets the rule
cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
	{names: ["hutch_no_such_syscall", "sysfs", "another_one_from_2040"], action: "SCMP_ACT_ERRNO", errnoRet: 95},
	{names: ["only_unknown"], action: "SCMP_ACT_KILL"}]}'
in_ctr 'probe syscall 139 3'
log "$OUT"
assert_eq "ret=-1 errno=95" "$OUT" "sysfs listed with unknown names"

# config-linux.md: "When the action doesn't support an errno, the runtime MUST print and
# error and fail."
# listenerMetadata: "MUST NOT be set if listenerPath is not set"
runc_deviates "runc 1.1 ignores errnoRet with actions that take none, and listenerMetadata without listenerPath"
bad "linux.seccomp.listenerMetadata" '.listenerMetadata = "x"'
bad "linux.seccomp.syscalls[0].errnoRet" '.syscalls[0].action = "SCMP_ACT_KILL" | .syscalls[0].errnoRet = 1'
bad "linux.seccomp.defaultErrnoRet" '.defaultErrnoRet = 1'
exit 0
