#!/bin/bash
# runc ps: the processes of the container are those of its cgroup (cgroup.procs, sub-cgroups
# included): `--format json` prints their host pids as a JSON array (what containerd reads),
# the table is ps(1)'s output limited to them, exec'd processes included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

cgroup_path CG ps
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
set_args sh -c 'sleep 600 & sleep 601 & wait'
create_ctr
start_ctr
wait_procs 3
assert_ok rt ps --format json "$ID"
log "ps --format json: $OUT; cgroup.procs: $(tr '\n' ' ' < "$(cg_dir pids)/cgroup.procs")"
assert_eq "$(sort -n "$(cg_dir pids)/cgroup.procs" | tr '\n' ' ')" "$(jq -r 'sort | map(tostring) | join(" ")' <<< "$OUT") " \
	"pids of ps --format json vs cgroup.procs"

# an exec'd process is in the cgroup, so in ps
rt exec -d "$ID" sleep 602 > /dev/null 2>&1 || fail "exec -d failed"
exec_listed() {
	local p
	for p in $(rt ps --format json "$ID" | jq '.[]'); do
		[ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" = "sleep 602 " ] && return 0
	done
	return 1
}
wait_for 5 exec_listed || fail "the exec'd sleep 602 is not in ps --format json"
assert_ok rt ps "$ID"
log "ps:
$OUT"
assert_match "$(head -n1 <<< "$OUT")" "PID" "the table's header"
assert_eq 4 "$(tail -n +2 <<< "$OUT" | wc -l)" "rows: the init shell, its 2 sleeps and the exec'd one"
for p in $(rt ps --format json "$ID" | jq '.[]'); do
	awk -v p="$p" '$2 == p {f = 1} END {exit !f}' <<< "$OUT" || fail "pid $p missing from the table"
done
assert_not_contains "$OUT" "ps -ef" "the table holds only the container's processes"
assert_ok rt ps "$ID" -o pid,comm
assert_eq "PID COMMAND" "$(head -n1 <<< "$OUT" | tr -s ' ' | sed 's/^ //')" "ps options after the id"
assert_fails rt ps no-such-container
exit 0
