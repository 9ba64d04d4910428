#!/bin/bash
# runc CLI `ps ID [ps options]` (ps -ef by default) shows ps(1)'s header and the lines of the
#   container's processes only; `ps -f json ID` is a JSON array of their host pids (what
#   containerd parses): exactly the processes of the container's cgroup.
. "$(dirname "$0")/lib.sh"

cgroup_path CG ps
set_args sleep 600
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
create_ctr
start_ctr
wait_status "$ID" running
init=$(state_of "$ID" pid)
assert_ok rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 500
child=$(cat "$T/exec.pid")
PIDS+=("$child")
# an unrelated process of the host with the same command: never in the output
sleep 501 &
PIDS+=($!)

procs=$(cat "/sys/fs/cgroup/pids$CG/cgroup.procs" 2> /dev/null || cat "/sys/fs/cgroup$CG/cgroup.procs")
assert_ok rt ps -f json "$ID"
log "$OUT"
assert_eq "array" "$(jq -r type <<< "$OUT")" "ps -f json"
assert_eq "$(sort -n <<< "$procs" | xargs)" "$(jq -r '.[]' <<< "$OUT" | sort -n | xargs)" "ps -f json: the pids of the container's cgroup"
assert_eq "$(printf '%s\n' "$init" "$child" | sort -n | xargs)" "$(jq -r '.[]' <<< "$OUT" | sort -n | xargs)" "ps -f json: the init and the exec'd process"
assert_ok rt ps --format=json "$ID"
assert_eq 2 "$(jq length <<< "$OUT")" "ps --format=json"

# the default: ps -ef's header and the container's lines
assert_ok rt ps "$ID"
log "$OUT"
assert_match "$(head -n1 <<< "$OUT")" '^UID +PID +PPID .*CMD$' "header of ps (ps -ef)"
assert_eq 2 "$(tail -n +2 <<< "$OUT" | wc -l)" "lines of ps"
assert_eq "$(printf '%s\n' "$init" "$child" | sort -n | xargs)" "$(tail -n +2 <<< "$OUT" | awk '{print $2}' | sort -n | xargs)" "PID column of ps"

# ps options after the id, with or without "--"
assert_ok rt ps "$ID" -o pid,args
assert_eq "PID COMMAND" "$(head -n1 <<< "$OUT" | xargs)" "header of ps -o pid,args"
assert_eq "$init sleep 600" "$(grep -E "^ *$init " <<< "$OUT" | xargs)" "the init's line of ps -o pid,args"
assert_eq "$child sleep 500" "$(grep -E "^ *$child " <<< "$OUT" | xargs)" "the exec'd process's line"
assert_eq 3 "$(wc -l <<< "$OUT")" "lines of ps -o pid,args"

assert_fails rt ps -f xml "$ID"
assert_fails rt ps no-such-container
assert_fails rt ps
exit 0
