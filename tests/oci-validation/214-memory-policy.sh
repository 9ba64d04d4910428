#!/bin/bash
# config-linux.md, Memory policy: "mode (string, REQUIRED) ... MPOL_DEFAULT, MPOL_BIND,
#   MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY,
#   MPOL_LOCAL"; "nodes (string, REQUIRED) - Comma-separated list of memory nodes ...";
#   "flags (array of strings, OPTIONAL) ... MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES,
#   MPOL_F_STATIC_NODES"; set with set_mempolicy(2).
# Read back with get_mempolicy(2) (the probe) in the container's process and an exec'd one.
# The host's memory nodes decide what can be asked: node 0 always exists.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 has no linux.memoryPolicy (added in runc 1.3)"
install_probe
[ -e /proc/self/numa_maps ] || skip "the kernel has no NUMA support"

policy() { # JSON EXPECTED
	cfg --argjson m "$1" '.linux.memoryPolicy = $m'
	in_ctr 'probe mempolicy'
	log "$1: $OUT"
	assert_eq "$2" "$OUT" "memory policy $1"
}
policy '{"mode": "MPOL_BIND", "nodes": "0"}' "mode=2 flags=0x0 nodes=0"
policy '{"mode": "MPOL_INTERLEAVE", "nodes": "0"}' "mode=3 flags=0x0 nodes=0"
policy '{"mode": "MPOL_PREFERRED", "nodes": "0"}' "mode=1 flags=0x0 nodes=0"
policy '{"mode": "MPOL_PREFERRED_MANY", "nodes": "0"}' "mode=5 flags=0x0 nodes=0"
policy '{"mode": "MPOL_LOCAL"}' "mode=4 flags=0x0 nodes="
policy '{"mode": "MPOL_DEFAULT"}' "mode=0 flags=0x0 nodes="
policy '{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}' "mode=2 flags=0x8000 nodes=0"
policy '{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_RELATIVE_NODES"]}' "mode=2 flags=0x4000 nodes=0"
# NUMA balancing is a kernel option (CONFIG_NUMA_BALANCING)
if [ -e /proc/sys/kernel/numa_balancing ]; then
	policy '{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_NUMA_BALANCING"]}' "mode=2 flags=0x2000 nodes=0"
fi
# weighted interleave is Linux 6.9
if [ "$(uname -r | awk -F. '{print $1 * 100 + $2}')" -ge 609 ]; then
	policy '{"mode": "MPOL_WEIGHTED_INTERLEAVE", "nodes": "0"}' "mode=6 flags=0x0 nodes=0"
fi

# an exec'd process gets the container's policy
cfg '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0"}'
set_args sleep 600
create_ctr
start_ctr
assert_ok rt exec "$ID" probe mempolicy
assert_eq "mode=3 flags=0x0 nodes=0" "$OUT" "memory policy of an exec'd process"
rt delete --force "$ID" > /dev/null 2>&1

# errors: exit 1, the field named, nothing left behind
new_id ID2 bad
node_max=$(ls -d /sys/devices/system/node/node[0-9]* | sed 's/.*node//' | sort -n | tail -n1)
for b in '{"mode": "MPOL_FASTEST", "nodes": "0"}' '{"mode": "MPOL_BIND", "nodes": "0-x"}' \
	'{"mode": "MPOL_BIND"}' '{"mode": "MPOL_DEFAULT", "nodes": "0"}' \
	'{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}' \
	'{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_SOMETIMES"]}' \
	"{\"mode\": \"MPOL_BIND\", \"nodes\": \"$((node_max + 1))\"}"; do
	cfg --argjson b "$b" '.linux.memoryPolicy = $b'
	set_args true
	capture rt run --bundle "$BUNDLE" "$ID2"
	log "$b: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$b: expected exit status 1, got $RC"
	assert_contains "$ERR" "linux.memoryPolicy" "error for $b"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line of error for $b"
	state_dir_exists "$ID2" && fail "$b: the failed run left its state"
done
exit 0
