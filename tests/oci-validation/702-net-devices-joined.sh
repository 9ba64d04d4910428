#!/bin/bash
# config-linux.md, Network Devices: "If a network device with the specified name already
#   exists in the container namespace, the runtime MUST generate an error, unless the user
#   has provided a template by appending %d to the new name. In that case, the runtime MUST
#   allow the move, and the kernel will generate a unique name"; "The runtime MUST NOT
#   attempt to move the interface out of the namespace before deletion."
# A network namespace made here (ip netns), joined by path, already has a ceth0: moving a
# device in as ceth0 fails (and leaves it on the host), as ceth%d it becomes ceth1. After
# the container is deleted the device is still in that namespace, with its address.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores linux.netDevices (runtime-spec 1.3)"
command -v ip > /dev/null || skip "ip (iproute2) is not installed"

NS=hutch-t-702-$$
register "$NS"
at_cleanup ip netns del "$NS"
ip netns add "$NS" || fail "ip netns add $NS"
new_veth A_HOST A_PEER
new_veth B_HOST B_PEER
ip link set "$A_PEER" netns "$NS" name ceth0 || fail "put a ceth0 in $NS"
ip addr add "$NET.2/24" dev "$B_PEER" || fail "address on $B_PEER"
cfg --arg ns "/run/netns/$NS" '.linux.namespaces |= map(if .type == "network" then .path = $ns else . end)'
sh_args 'ip -o link show; ip -o addr show'

cfg --arg dev "$B_PEER" '.linux.netDevices = {($dev): {name: "ceth0"}}'
assert_exit 1 rt run --bundle "$BUNDLE" "$ID"
log "$ERR"
assert_contains "$ERR" "ceth0 already exists in the container's network namespace" "error of a name clash"
assert_match "$(ip -o addr show dev "$B_PEER" 2>&1)" "inet $NET.2/24" "$B_PEER still on the host with its address"

cfg --arg dev "$B_PEER" '.linux.netDevices = {($dev): {name: "ceth%d"}}'
run_ctr
[ "$RC" = 0 ] || fail "run with the template ceth%d failed (exit $RC): $ERR"
log "$OUT"
assert_match "$OUT" '[0-9]+: ceth1[@:][^\n]*UP' "the device, named ceth1 by the kernel, up"
assert_contains "$OUT" "inet $NET.2/24" "its address"
# the container is gone (run deletes it): the device stays where it was moved
after=$(ip netns exec "$NS" ip -o addr show dev ceth1 2>&1)
assert_match "$after" "inet $NET.2/24" "ceth1 with its address in $NS after the container was deleted"
[ -z "$(ip -o link show "$B_PEER" 2> /dev/null)" ] || fail "$B_PEER came back to the host"
exit 0
