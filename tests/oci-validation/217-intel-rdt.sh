#!/bin/bash
# config-linux.md, IntelRdt: "If intelRdt is set, the runtime MUST write the container
#   process ID to the tasks file in a proper sub-directory in a mounted resctrl
#   pseudo-filesystem ... If no mounted resctrl pseudo-filesystem is available in the
#   runtime mount namespace, the runtime MUST generate an error."; memBwSchema "MUST start
#   with MB: and MUST NOT contain newlines"; schemata "MUST NOT contain newlines".
# Without resctrl (as on the machine these tests were written on, and in most VMs) the
# error path; with it, the container's own group and MON group exist while it runs, hold
# its pid, and are gone after delete. The rest (closID groups, schemata compared or
# written, the undo of a failed create) is tests/unit/test_intelrdt.c.
. "$(dirname "$0")/lib.sh"

resctrl=$(awk '$0 ~ / - resctrl / {print $5; exit}' /proc/self/mountinfo)
log "resctrl: ${resctrl:-not mounted}"

bad() { # FIELD-IN-MESSAGE JQ
	cfg "$2"
	capture rt create --bundle "$BUNDLE" "$ID"
	log "$2: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$2: expected exit status 1, got $RC"
	is_runc || assert_contains "$ERR" "$1" "the error for $2"
	is_runc || assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line of error for $2"
	state_dir_exists "$ID" && fail "$2: the failed create left its state"
	return 0
}

set_args sleep 600
runc_deviates "runc 1.1.5 creates a container with intelRdt and no resctrl, knows no schemata"
if [ -z "$resctrl" ]; then
	bad "linux.intelRdt: no resctrl filesystem is mounted" '.linux.intelRdt = {closID: "hutch-test"}'
	bad "linux.intelRdt: no resctrl filesystem is mounted" '.linux.intelRdt = {}'
fi
bad "linux.intelRdt.memBwSchema: must start with \"MB:\"" '.linux.intelRdt = {memBwSchema: "L3:0=ff"}'
bad "linux.intelRdt.schemata[1]: must not contain a newline" '.linux.intelRdt = {schemata: ["L3:0=ff", "MB:0=10\nL2:0=f"]}'
bad "linux.intelRdt.closID: \"a/b\" is not a directory name" '.linux.intelRdt = {closID: "a/b"}'
[ -n "$resctrl" ] || exit 0

# a resctrl is mounted: the container's own CTRL_MON and MON groups
cfg '.linux.intelRdt = {enableMonitoring: true}'
create_ctr
pid=$(state_of "$ID" pid)
[ -d "$resctrl/$ID" ] || fail "no resctrl group $resctrl/$ID"
grep -qx "$pid" "$resctrl/$ID/mon_groups/$ID/tasks" || fail "the init $pid is not in its MON group's tasks"
grep -qx "$pid" "$resctrl/$ID/tasks" || fail "the init $pid is not in its CTRL_MON group's tasks"
start_ctr
assert_ok rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 300
grep -qx "$(cat "$T/exec.pid")" "$resctrl/$ID/tasks" || fail "the exec'd process is not in the group"
assert_ok rt delete --force "$ID"
[ -e "$resctrl/$ID" ] && fail "the container's resctrl group is left after delete"
exit 0
