#!/bin/bash
# config-linux.md, Seccomp: "action (string, REQUIRED) - the action for seccomp rules. A
#   valid list of constants as of libseccomp v2.5.0 is shown as follows. SCMP_ACT_KILL,
#   SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO,
#   SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY" (NOTIFY: 203);
#   "errnoRet (uint, OPTIONAL) - the errno return code to use ... When not specified its
#   default value is EPERM"; "defaultErrnoRet".
# Each action is seen from inside: the probe makes sysfs(2) (nr 139, which nothing else in
# the container calls) under a rule with that action, and reports what happened to it.
. "$(dirname "$0")/lib.sh"
install_probe
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"

# rule ACTION [ERRNO]: default ALLOW, ACTION for sysfs
rule() {
	cfg --arg a "$1" --argjson e "${2:-null}" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["sysfs"], action: $a} + (if $e == null then {} else {errnoRet: $e} end)]}'
}

# probe_in SCRIPT: run it, print "rc=N" after it (a signal shows as 128+N)
probe_in() {
	in_ctr "$1; echo rc=\$?"
	log "$OUT"
}

# without a filter: the control
cfg 'del(.linux.seccomp)'
probe_in 'probe syscall 139 3'
assert_match "$OUT" '^ret=[1-9][0-9]* errno=0' "sysfs(3) without a filter"

rule SCMP_ACT_ERRNO
probe_in 'probe syscall 139 3'
assert_contains "$OUT" "ret=-1 errno=1" "SCMP_ACT_ERRNO without errnoRet: EPERM"

rule SCMP_ACT_ERRNO 95
probe_in 'probe syscall 139 3'
assert_contains "$OUT" "ret=-1 errno=95" "SCMP_ACT_ERRNO with errnoRet 95"

# KILL is KILL_THREAD: only the calling thread dies
for a in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD; do
	rule $a
	probe_in 'probe thread 139 3'
	assert_contains "$OUT" "alive" "$a: the process survives"
	assert_contains "$OUT" "rc=0" "$a: exit status"
done

rule SCMP_ACT_KILL_PROCESS
probe_in 'probe thread 139 3'
assert_not_contains "$OUT" "alive" "SCMP_ACT_KILL_PROCESS: the process dies"
assert_contains "$OUT" "rc=159" "SCMP_ACT_KILL_PROCESS: killed by SIGSYS (128+31)"

rule SCMP_ACT_TRAP
probe_in 'probe trap 139 3'
assert_contains "$OUT" "trapped nr=139" "SCMP_ACT_TRAP: SIGSYS for sysfs"

# TRACE: the tracer gets errnoRet as the event message; without a tracer, ENOSYS
rule SCMP_ACT_TRACE 7
probe_in 'probe trace 139 3; probe syscall 139 3'
assert_contains "$OUT" "traced msg=7" "SCMP_ACT_TRACE with errnoRet 7: the tracer's event"
assert_contains "$OUT" "ret=-1 errno=38" "SCMP_ACT_TRACE without a tracer: ENOSYS"

# LOG as the default: everything runs (and is logged); a rule still applies
cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_LOG",
	syscalls: [{names: ["sysfs"], action: "SCMP_ACT_ERRNO", errnoRet: 22}]}'
probe_in 'probe syscall 140 0 0; probe syscall 139 3'
assert_contains "$OUT" "ret=20 errno=0" "default SCMP_ACT_LOG lets getpriority run"
assert_contains "$OUT" "ret=-1 errno=22" "an ERRNO rule under a LOG default"

# ALLOW as a rule, defaultErrnoRet for the rest: getpriority allowed, sysfs not; the
# shell's own syscalls come from the allow-list of Podman's profile
cfg --slurpfile p "$E2E_DIR/data/podman-seccomp.json" '.linux.seccomp = ($p[0]
	| .defaultErrnoRet = 75
	| .syscalls |= map(.names -= ["sysfs", "getpriority"])
	| .syscalls += [{names: ["getpriority"], action: "SCMP_ACT_ALLOW"}])'
probe_in 'probe syscall 140 0 0; probe syscall 139 3'
assert_contains "$OUT" "ret=20 errno=0" "SCMP_ACT_ALLOW rule for getpriority"
assert_contains "$OUT" "ret=-1 errno=75" "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 75"

# without defaultErrnoRet the default errno is EPERM
cfg '.linux.seccomp |= del(.defaultErrnoRet)'
probe_in 'probe syscall 139 3'
assert_contains "$OUT" "ret=-1 errno=1" "defaultAction SCMP_ACT_ERRNO without defaultErrnoRet"
exit 0
