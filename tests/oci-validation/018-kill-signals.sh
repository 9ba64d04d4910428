#!/bin/bash
# runtime.md, Kill: "This operation MUST send the specified signal to the container process."
# runc CLI: the signal is a name with or without SIG, or a number; the default is SIGTERM.
. "$(dirname "$0")/lib.sh"

bind_out
sh_args 'trap "echo TERM > /out/\$MARK; exit 0" TERM; trap "echo USR1 > /out/\$MARK; exit 0" USR1
echo ready > /out/ready.$MARK; while :; do sleep 0.1; done'
n=0
for form in TERM SIGTERM 15 "" USR1 SIGUSR1 10; do
	n=$((n + 1))
	new_id id "s$n"
	cfg --arg m "m$n" '.process.env += ["MARK=" + $m]'
	create_ctr "$id"
	start_ctr "$id"
	wait_for 5 test -e "$T/out/ready.m$n" || fail "container $id not ready"
	if [ -z "$form" ]; then
		assert_ok rt kill "$id"
	else
		assert_ok rt kill "$id" "$form"
	fi
	wait_status "$id" stopped
	want=TERM
	case $form in *USR1 | 10) want=USR1 ;; esac
	assert_eq "$want" "$(cat "$T/out/m$n" 2> /dev/null)" "signal received for kill [$form]"
	cfg '.process.env |= map(select(startswith("MARK=") | not))'
done

# SIGKILL of a created container (kill works on created too)
new_id idk kill
set_args sleep 600
create_ctr "$idk"
assert_ok rt kill "$idk" KILL
wait_status "$idk" stopped
assert_ok rt delete "$idk"
exit 0
