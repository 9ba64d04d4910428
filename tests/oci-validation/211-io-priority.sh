#!/bin/bash
# config.md, process.ioPriority: "class (string, REQUIRED) ... IOPRIO_CLASS_RT,
#   IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE"; "priority (int, REQUIRED) specifies the priority
#   level within the class. The value should be an integer ranging from 0 (highest) to 7
#   (lowest)." Read back with ioprio_get(2) (the probe) and busybox ionice, in the
#   container's process and in an exec'd one (ioPriority of its process.json).
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 has no process.ioPriority (added in runc 1.2)"
install_probe

for c in "IOPRIO_CLASS_RT 2 1" "IOPRIO_CLASS_BE 6 2" "IOPRIO_CLASS_IDLE 0 3"; do
	set -- $c
	cfg --arg c "$1" --argjson p "$2" '.process.ioPriority = {class: $c, priority: $p}'
	in_ctr 'probe ioprio; ionice -p $$'
	log "$1 $2: $OUT"
	assert_eq "class=$3 level=$2" "$(echo "$OUT" | sed -n 1p)" "ioprio of the process, $1 $2"
done

# exec: the process.json's ioPriority, not the container's
set_args sleep 600
cfg '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 1}'
create_ctr
start_ctr
jq '.process | .args = ["probe", "ioprio"] | .ioPriority = {class: "IOPRIO_CLASS_BE", priority: 5}' \
	"$BUNDLE/config.json" > "$T/process.json"
assert_ok rt exec --process "$T/process.json" "$ID"
assert_eq "class=2 level=5" "$OUT" "ioprio of an exec'd process"
assert_ok rt exec "$ID" probe ioprio
assert_eq "class=2 level=1" "$OUT" "ioprio of an exec'd process without one: the container's"

new_id ID2 bad
for b in '{"class": "IOPRIO_CLASS_FAST", "priority": 1}' '{"class": "IOPRIO_CLASS_BE", "priority": 8}'; do
	cfg --argjson b "$b" '.process.ioPriority = $b'
	capture rt run --bundle "$BUNDLE" "$ID2"
	log "$b: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$b: expected exit status 1, got $RC"
	assert_contains "$ERR" "process.ioPriority" "error for $b"
	state_dir_exists "$ID2" && fail "$b: the failed run left its state"
done
exit 0
