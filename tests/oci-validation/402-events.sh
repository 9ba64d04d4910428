#!/bin/bash
# runc events: `--stats` prints one {"type":"stats","id":ID,"data":{...}} object in runc's
# shape (types.Stats: what containerd and podman decode); `--interval D` streams one such
# line every D, and an {"type":"oom","id":ID} line when the OOM killer kills in the
# container; the stream ends when the container stops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

cgroup_path CG ev
cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
	| .linux.resources.memory = {limit: 33554432}
	| .linux.resources.pids = {limit: 40}'
set_args sh -c 'sleep 600 & sleep 600 & wait'
create_ctr
start_ctr
wait_procs 3

assert_ok rt events --stats "$ID"
log "events --stats: $(cut -c1-300 <<< "$OUT")..."
assert_eq 1 "$(wc -l <<< "$OUT")" "lines printed by --stats"
assert_eq "stats $ID" "$(jq -r '"\(.type) \(.id)"' <<< "$OUT")" "type and id"
# runc's fields: always-present objects and the numbers that must match the cgroup
assert_eq 33554432 "$(jq -r .data.memory.usage.limit <<< "$OUT")" "data.memory.usage.limit"
assert_eq 3 "$(jq -r .data.pids.current <<< "$OUT")" "data.pids.current (sh + 2 sleeps)"
assert_eq 40 "$(jq -r .data.pids.limit <<< "$OUT")" "data.pids.limit"
usage=$(jq -r .data.memory.usage.usage <<< "$OUT")
[ "$usage" -gt 0 ] || fail "data.memory.usage.usage is $usage"
assert_eq "true true true true true" "$(jq -r '.data | [has("cpu"), has("memory"), has("pids"), has("blkio"), (.cpu.usage | has("kernel") and has("user"))] | map(tostring) | join(" ")' <<< "$OUT")" \
	"the objects of runc's stats"
total=$(jq -r .data.cpu.usage.total <<< "$OUT")
[ "$total" -gt 0 ] || fail "data.cpu.usage.total is $total"

# --interval: a stream of stats lines, one per interval. The bounds hold however loaded the
# machine is: wait for 5 lines (however long they take), then the time they took allows
# at most elapsed/200ms + 1 of them (the first one comes at once), and one more may be on
# its way when the stream is ended.
stats_lines() { grep -c '"type":"stats"' "$T/stream"; }
has_stats_lines() { [ "$(stats_lines)" -ge "$1" ]; }
t0=$(date +%s%N)
"$RUNTIME" --root "$STATE_ROOT" events --interval 200ms "$ID" > "$T/stream" 2> "$T/stream.err" &
ev=$!
PIDS+=("$ev")
wait_for 60 has_stats_lines 5 || fail "events --interval 200ms: fewer than 5 stats lines in 60 s: $(cat "$T/stream.err")"
kill "$ev"
wait "$ev" 2> /dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
n=$(stats_lines)
log "events --interval 200ms: $n stats lines in $ms ms"
[ "$n" -le $((ms / 200 + 2)) ] || fail "events --interval 200ms printed $n stats lines in $ms ms: faster than the interval"
jq -e . "$T/stream" > /dev/null || fail "the stream is not JSON lines"

assert_fails rt events --interval 0s "$ID"
assert_fails rt events --interval soon "$ID"
assert_fails rt events --stats no-such-container

# an OOM kill is reported, then the stream ends with the container
new_id ID2 oom
cgroup_path CG2 oom
bind_out
cfg --arg cg "$CG2" '.linux.cgroupsPath = $cg | .linux.resources.memory = {limit: 16777216}'
# the hog starts once events watches (the first stats line is out)
set_args sh -c 'while [ ! -e /out/go ]; do usleep 20000; done; tail /dev/zero; sleep 1'
create_ctr "$ID2"
start_ctr "$ID2"
# (runc on cgroup v1 streams until delete: there, stop it once the container is gone)
limit=60
is_runc && [ "$CG_V2" = 0 ] && limit=8
timeout "$limit" "$RUNTIME" --root "$STATE_ROOT" events --interval 100ms "$ID2" > "$T/oom" 2>&1 &
ev=$!
PIDS+=("$ev")
wait_for 30 grep -q stats "$T/oom" || fail "events printed no stats: $(cat "$T/oom")"
touch "$T/out/go"
wait "$ev"
rc=$?
log "events of the hog: exit $rc, $(grep -c stats "$T/oom") stats lines, oom lines: $(grep -v stats "$T/oom")"
is_runc && [ "$CG_V2" = 0 ] || assert_eq 0 "$rc" "exit status of events once the container stopped"
grep -qx "{\"type\":\"oom\",\"id\":\"$ID2\"}" "$T/oom" || fail "no oom event: $(cut -c1-200 "$T/oom")"
exit 0
