#!/bin/bash
# config-linux.md, Seccomp: "flags (array of strings, OPTIONAL) - list of flags to use with
#   seccomp(2). SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG,
#   SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV".
# Every flag is accepted by the kernel with the filter loaded (Seccomp: 2). The effect of
# WAIT_KILLABLE_RECV can be seen: once the listener has received a notification, a signal
# the process handles no longer interrupts the wait (the notification stays valid); without
# it the syscall is interrupted and restarted (the first notification becomes invalid).
# The process is the probe, blocked in sysfs(2) sent to a listener that holds it.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 refuses every seccomp flag"
helper LISTENER seccomp-listener
install_probe
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"

for f in SECCOMP_FILTER_FLAG_TSYNC SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW; do
	cfg --arg f "$f" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f],
		syscalls: [{names: ["sysfs"], action: "SCMP_ACT_ERRNO", errnoRet: 95}]}'
	in_ctr 'grep ^Seccomp: /proc/self/status | tr -d "\t"; probe syscall 139 3'
	assert_eq "Seccomp:2 ret=-1 errno=95" "$(echo $OUT)" "filter with $f"
done

# held FLAGS-JSON NAME: the probe's sysfs held by the listener, SIGUSR1 sent meanwhile;
# HELD is then the listener's log (not a subshell: the listener's pid must reach cleanup)
held() {
	local agent=$T/agent-$2 id=$ID-$2
	IDS+=("$id")
	mkdir -p "$agent"
	"$LISTENER" -v 7 -H "1:$agent/release" "$agent.sock" "$agent" > "$agent.log" 2>&1 &
	PIDS+=($!)
	wait_for 5 test -e "$agent/ready" || fail "$2: the listener did not start"
	cfg --arg s "$agent.sock" --argjson f "$1" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		flags: $f, listenerPath: $s, syscalls: [{names: ["sysfs"], action: "SCMP_ACT_NOTIFY"}]}'
	set_args probe signalled 139 3
	capture rt run -d --bundle "$BUNDLE" "$id"
	[ "$RC" = 0 ] || fail "$2: run failed ($RC): $ERR"
	track_pid "$id"
	local pid
	pid=$(state_of "$id" pid)
	wait_for 10 grep -q "^held conn=1 pid=$pid nr=139" "$agent/notify.log" || fail "$2: no held notification"
	kill -USR1 "$pid"
	sleep 0.5
	touch "$agent/release"
	wait_for 10 grep -q "^conn=1 " "$agent/notify.log" || fail "$2: no answer"
	sleep 0.3
	HELD=$(cat "$agent/notify.log")
}

held '["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]' killable
log "WAIT_KILLABLE_RECV: $(echo $HELD)"
assert_contains "$HELD" "nr=139 valid=1" "with WAIT_KILLABLE_RECV the signal does not withdraw the notification"
assert_not_contains "$HELD" "valid=0" "with WAIT_KILLABLE_RECV no notification is withdrawn"
held '[]' plain
log "no flag: $(echo $HELD)"
assert_contains "$HELD" "nr=139 valid=0" "without WAIT_KILLABLE_RECV the signal interrupts the wait"
exit 0
