#!/bin/bash
# runc CLI `exec --cgroup`: run the process in an existing sub-cgroup of the container's.
#   --cgroup PATH: that sub-cgroup in every hierarchy; --cgroup CTRL[,CTRL]:PATH (repeatable):
#   per cgroup v1 controller, the other hierarchies stay at the container's cgroup. A sub-cgroup
#   that does not exist, a path leaving the container's cgroup, an unknown controller: errors.
#   Seen from inside: /proc/self/cgroup of the exec'd process (in the container's cgroup
#   namespace, so paths are relative to the container's cgroup).
. "$(dirname "$0")/lib.sh"

cgroup_path CG exec
set_args sleep 600
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
create_ctr
start_ctr
wait_status "$ID" running

# the container's cgroup directory in every hierarchy that has one
dirs=()
for d in /sys/fs/cgroup/*"$CG" /sys/fs/cgroup"$CG"; do
	[ -d "$d" ] && dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || fail "no cgroup directory $CG found"
for d in "${dirs[@]}"; do
	mkdir "$d/sub" || fail "mkdir $d/sub"
	# a v1 cpuset cgroup takes no process before it has cpus and mems
	for f in cpuset.cpus cpuset.mems; do
		[ -f "$d/$f" ] && cat "$d/$f" > "$d/sub/$f"
	done
done

# every line of /proc/self/cgroup: HIERARCHY-ID:CONTROLLERS:PATH
assert_ok rt exec --cgroup sub "$ID" cat /proc/self/cgroup
log "$OUT"
while IFS=: read -r _ ctrls path; do
	assert_eq /sub "$path" "cgroup of the exec'd process in hierarchy [$ctrls]"
done <<< "$OUT"
assert_eq "${#dirs[@]}" "$(wc -l <<< "$OUT")" "hierarchies of the exec'd process"

if [ -d "/sys/fs/cgroup/pids$CG" ] && [ -d "/sys/fs/cgroup/memory$CG" ]; then
	# per controller (cgroup v1): pids and memory in their own sub-cgroups, the rest at the top
	mkdir "/sys/fs/cgroup/pids$CG/p1" "/sys/fs/cgroup/memory$CG/m1" || fail "mkdir"
	assert_ok rt exec --cgroup pids:p1 --cgroup memory:/m1 "$ID" cat /proc/self/cgroup
	log "$OUT"
	assert_eq /p1 "$(grep -E '^[0-9]+:pids:' <<< "$OUT" | cut -d: -f3)" "pids cgroup with --cgroup pids:p1"
	assert_eq /m1 "$(grep -E '^[0-9]+:memory:' <<< "$OUT" | cut -d: -f3)" "memory cgroup with --cgroup memory:/m1"
	assert_eq / "$(grep -E '^[0-9]+:freezer:' <<< "$OUT" | cut -d: -f3)" "freezer cgroup (not named)"
	assert_exec_fails rt exec --cgroup no-such-controller:p1 "$ID" true
	assert_exec_fails rt exec --cgroup pids:p1 --cgroup pids:p2 "$ID" true
fi

assert_exec_fails rt exec --cgroup no-such-sub "$ID" true
assert_contains "$ERR" "no-such-sub" "exec --cgroup with a sub-cgroup that does not exist"
assert_exec_fails rt exec --cgroup ../../escape "$ID" true
exit 0
