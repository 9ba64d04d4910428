#!/bin/bash
# config-linux.md, Network Devices: "The runtime MUST check if moving the network interface
#   to the container namespace is possible. If a network device with the specified name
#   already exists in the container namespace, the runtime MUST generate an error".
# And what cannot work either way (as runc): no network namespace of the container's own
# (the devices would stay where they are, in the runtime's), a device the host does not
# have, an invalid name, two devices given the same name. Each is an error that names the
# device, exits 1, leaves no state, and leaves the host's device as it was.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores linux.netDevices (runtime-spec 1.3)"
command -v ip > /dev/null || skip "ip (iproute2) is not installed"

new_veth HOST_IF CTR_IF
ip addr add "$NET.2/24" dev "$CTR_IF" && ip link set "$CTR_IF" up || fail "configure $CTR_IF"
set_args true
BASE=$(cat "$BUNDLE/config.json")
# try FILTER EXPECTED-MESSAGE-PART: the config fails to run and the device is untouched
try() {
	echo "$BASE" > "$BUNDLE/config.json"
	cfg --arg dev "$CTR_IF" --arg host "$HOST_IF" "$1"
	assert_exit 1 rt run --bundle "$BUNDLE" "$ID"
	log "$ERR"
	assert_contains "$ERR" "linux.netDevices" "error of [$1]"
	assert_contains "$ERR" "$2" "error of [$1]"
	state_dir_exists "$ID" && fail "state dir left after [$1]"
	assert_match "$(ip -o addr show dev "$CTR_IF" 2>&1)" "inet $NET.2/24" "$CTR_IF with its address, after [$1]"
}
try '.linux.namespaces |= map(select(.type != "network")) | .linux.netDevices = {($dev): {}}' \
	"network namespace"
try '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end) |
	.linux.netDevices = {($dev): {}}' "runtime's own"
try '.linux.netDevices = {"nosuchdev9": {}}' "nosuchdev9: no such network device"
try '.linux.netDevices = {($dev): {name: "lo"}}' "lo already exists in the container"
try '.linux.netDevices = {($dev): {name: "eth0"}, ($host): {name: "eth0"}}' "eth0 is also the name"
try '.linux.netDevices = {($dev): {name: "a/b"}}' "invalid device name"
try '.linux.netDevices = {($dev): {name: "name-is-16-chars"}}' "invalid device name"
try '.linux.netDevices = {($dev): {name: 7}}' "name"
exit 0
