#!/bin/bash
# runc update: the limits of a live container change in its cgroup, as the host sees it and
# as the container sees it (its cgroup namespace), and the new limits are enforced.
# Flags as runc spells them; --resources FILE and --resources - take a linux.resources object.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

cgroup_path CG upd
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
	| .linux.resources.memory = {limit: 67108864}
	| .linux.resources.pids = {limit: 50}
	| .linux.resources.cpu = {shares: 1024}'
set_args sleep 600
create_ctr
start_ctr

assert_ok rt update --memory 100m --memory-reservation 50m --pids-limit 30 --cpu-share 512 \
	--cpu-quota 20000 --cpu-period 100000 --cpuset-cpus 0 "$ID"
if [ "$CG_V2" = 1 ]; then
	host="$(cg_cat memory memory.max) $(cg_cat memory memory.low) $(cg_cat pids pids.max) $(cg_cat cpu cpu.weight) $(cg_cat cpu cpu.max) $(cg_cat cpuset cpuset.cpus)"
	# runc's conversion: weight = 1 + (shares - 2) * 9999 / 262142
	want="104857600 52428800 30 20 20000 100000 0"
	inside='cd /sys/fs/cgroup; echo $(cat memory.max memory.low pids.max cpu.weight cpu.max cpuset.cpus)'
else
	host="$(cg_cat memory memory.limit_in_bytes) $(cg_cat memory memory.soft_limit_in_bytes) $(cg_cat pids pids.max) $(cg_cat cpu cpu.shares) $(cg_cat cpu cpu.cfs_quota_us) $(cg_cat cpu cpu.cfs_period_us) $(cg_cat cpuset cpuset.cpus)"
	want="104857600 52428800 30 512 20000 100000 0"
	inside='cd /sys/fs/cgroup; echo $(cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus)'
fi
log "host after update: $host"
assert_eq "$want" "$host" "the container's cgroup files after update"
assert_ok rt exec "$ID" sh -c "$inside"
log "inside after update: $OUT"
assert_eq "$want" "$OUT" "the cgroup files seen from inside the container"

# memory+swap, as runc: v1 memsw, v2 memory.swap.max = swap - limit
if [ "$CG_V2" = 1 ] && [ -e "$(cg_dir memory)/memory.swap.max" ]; then
	assert_ok rt update --memory 100m --memory-swap 150m "$ID"
	assert_eq 52428800 "$(cg_cat memory memory.swap.max)" "memory.swap.max for --memory-swap 150m"
elif [ "$CG_V2" = 0 ] && [ -e "$(cg_dir memory)/memory.memsw.limit_in_bytes" ]; then
	assert_ok rt update --memory 100m --memory-swap 150m "$ID"
	assert_eq 157286400 "$(cg_cat memory memory.memsw.limit_in_bytes)" "memsw for --memory-swap 150m"
fi

# the new pids limit is enforced: forks beyond it fail inside the container
assert_ok rt update --pids-limit 5 "$ID"
# the inner shell forks sleeps until a fork fails; ash gives up on a failed fork
assert_ok rt exec "$ID" sh -c 'sh -c "i=0; while [ \$i -lt 20 ]; do sleep 30 > /dev/null 2>&1 & i=\$((i + 1)); done" 2> /dev/null; echo inner=$?'
log "with pids.max 5: $OUT, pids.current $(cg_cat pids pids.current), pids.events $(cg_cat pids pids.events)"
assert_ne "inner=0" "$OUT" "a fork loop under pids.max 5"
# at the limit: init, both shells and 2 sleeps; the shells are gone now
assert_eq 3 "$(cg_cat pids pids.current)" "pids.current after the fork loop (init + 2 sleeps)"
assert_match "$(cg_cat pids pids.events)" "^max [1-9]" "pids.events"

# --resources FILE and --resources -: a linux.resources object; other flags are ignored
echo '{"memory": {"limit": 83886080}, "pids": {"limit": 40}}' > "$T/res.json"
assert_ok rt update --resources "$T/res.json" --pids-limit 7 "$ID"
if [ "$CG_V2" = 1 ]; then m=memory.max; else m=memory.limit_in_bytes; fi
assert_eq "83886080 40" "$(cg_cat memory $m) $(cg_cat pids pids.max)" "limits from --resources FILE"
assert_ok sh -c "echo '{\"pids\": {\"limit\": 44}}' | timeout 10 $RUNTIME --root $STATE_ROOT update -r - $ID"
assert_eq "83886080 44" "$(cg_cat memory $m) $(cg_cat pids pids.max)" "limits from --resources -"

# bad input: a clear error, nothing changed
assert_fails rt update --memory lots "$ID"
echo '{"memory": {"limit": "big"}}' > "$T/bad.json"
assert_fails rt update --resources "$T/bad.json" "$ID"
assert_fails rt update --resources "$T/missing.json" "$ID"
assert_eq "83886080 44" "$(cg_cat memory $m) $(cg_cat pids pids.max)" "limits after refused updates"
assert_fails rt update --memory 10m no-such-container
assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
assert_fails rt update --memory 10m "$ID"
exit 0
