#!/bin/bash
# CVE-2019-5736 for `exec`: while hutch's init stage for an exec'd process runs inside the
# container (it has joined the container's pid namespace), the container must not be able
# to write or reopen the runtime binary through /proc/<pid>/exe, nor reach the stage's fds
# (hutch's procfs is the host's /proc in exec mode). The stage runs from a sealed memfd and
# is not dumpable until its execve.
# To catch the stage alive, its execve is held: the profile sends execve to a seccomp
# listener (helpers/security/seccomp-listener.c) that holds notifications of the exec's
# connection until told to go on. Meanwhile the container's init looks for it.
. "$(dirname "$0")/lib.sh"
helper LISTENER seccomp-listener
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
is_runc && skip "checks hutch's own exec stage"

exe=$(readlink -f "$RUNTIME")
sum_before=$(sha256sum "$exe" | cut -d' ' -f1)

# in the container: find the stage by its command line, try it, report to /out/result
inspect='while :; do
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" = 1 ] && continue
		cmd=$(tr "\0" " " < $d/cmdline 2>/tmp/e)
		case $cmd in "hutch init"*) ;; *) continue ;; esac
		{
			echo "pid=$p"
			readlink $d/exe > /tmp/e 2>&1 && echo "readlink-ok $(cat /tmp/e)" || echo readlink-refused
			cat $d/exe > /tmp/copy 2>/tmp/e && echo reopen-ok || echo reopen-refused
			(printf x >> $d/exe) 2>/tmp/e && echo write-ok || echo write-refused
			readlink $d/fd/0 > /tmp/e 2>&1 && echo "fd-ok $(cat /tmp/e)" || echo fd-refused
		} > /out/result.tmp
		mv /out/result.tmp /out/result
		exec sleep 600
	done
	sleep 0.05
done'

# run_case NAME: the container of $BUNDLE, an exec held at its execve, the checks
run_case() {
	local name=$1 id=$ID-$1 agent=$T/agent-$1
	IDS+=("$id")
	mkdir -p "$agent"
	rm -f "$T/out/result" "$BUNDLE/rootfs/tmp/e" "$BUNDLE/rootfs/tmp/copy"
	"$LISTENER" -c -H "2:$agent/release" "$agent.sock" "$agent" > "$agent.log" 2>&1 &
	PIDS+=($!)
	wait_for 5 test -e "$agent/ready" || fail "$name: the listener did not start"
	cfg --arg s "$agent.sock" '.linux.seccomp.listenerPath = $s'
	sh_args "$inspect"
	create_ctr "$id"
	start_ctr "$id"
	rt exec "$id" true > "$T/exec-$name.out" 2>&1 &
	PIDS+=($!)
	wait_for 20 test -e "$T/out/result" || fail "$name: the container found no exec stage: $(cat "$agent/notify.log" 2>/dev/null)"
	log "$name, inside: $(tr '\n' ' ' < "$T/out/result")"
	local hostpid
	hostpid=$(sed -n 's/^held conn=2 pid=\([0-9]*\) .*/\1/p' "$agent/notify.log" | head -n1)
	[ -n "$hostpid" ] || fail "$name: no held notification: $(cat "$agent/notify.log")"
	log "$name, host: stage $hostpid exe $(readlink "/proc/$hostpid/exe")"
	assert_contains "$(readlink "/proc/$hostpid/exe")" "memfd:" "$name: the exec stage runs from a memfd"
	if (printf x >> "/proc/$hostpid/exe") 2> /dev/null; then
		fail "$name: the host could write to the exec stage's /proc/<pid>/exe"
	fi
	local r
	r=$(cat "$T/out/result")
	assert_contains "$r" "write-refused" "$name: write to /proc/<stage>/exe from inside"
	assert_contains "$r" "reopen-refused" "$name: reopen /proc/<stage>/exe from inside"
	assert_contains "$r" "readlink-refused" "$name: readlink /proc/<stage>/exe from inside"
	assert_contains "$r" "fd-refused" "$name: follow /proc/<stage>/fd/0 from inside"
	touch "$agent/release"
	wait_for 10 grep -q "^conn=2 pid=$hostpid " "$agent/notify.log" || fail "$name: the exec was not released"
	assert_eq "$sum_before" "$(sha256sum "$exe" | cut -d' ' -f1)" "$name: the runtime binary is unchanged"
	rt delete --force "$id" > /dev/null 2>&1
}

bind_out
cfg '.root.readonly = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["execve", "execveat"], action: "SCMP_ACT_NOTIFY"}]}'
run_case plain

# a user namespace and every capability, CAP_SYS_PTRACE included: still refused (the
# stage is not dumpable, so only CAP_SYS_PTRACE of the host's user namespace would do)
cfg '.linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
	| .process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
	--argjson c '["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_SYS_ADMIN", "CAP_KILL"]'
chmod 777 "$T/out"
run_case userns
exit 0
