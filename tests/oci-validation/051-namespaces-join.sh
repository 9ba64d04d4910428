#!/bin/bash
# config-linux.md, Namespaces: "path (string, OPTIONAL) - namespace file. This value MUST be an
#   absolute path in the runtime mount namespace. The runtime MUST place the container
#   process in the namespace associated with that path."
. "$(dirname "$0")/lib.sh"

new_id A first
set_args sleep 600
create_ctr "$A"
start_ctr "$A"
apid=$(state_of "$A" pid)

new_bundle B second
CONFIG=$B/config.json cfg --arg p "/proc/$apid/ns" '.linux.namespaces |= map(
	if .type == "network" then .path = $p + "/net"
	elif .type == "ipc" then .path = $p + "/ipc"
	elif .type == "uts" then .path = $p + "/uts"
	elif .type == "pid" then .path = $p + "/pid"
	else . end) | del(.hostname)'
CONFIG=$B/config.json cfg --argjson a "$(json_array sh -c 'for n in pid net ipc uts mnt; do echo "$n $(readlink /proc/self/ns/$n)"; done; echo "uts-name $(hostname)"')" '.process.args = $a'
new_id BID second
capture rt run --bundle "$B" "$BID"
[ "$RC" = 0 ] || fail "run of the joining container failed ($RC): $ERR"
log "$OUT"
for n in net ipc uts; do
	assert_eq "$(ns_of "$apid" "$n")" "$(echo "$OUT" | sed -n "s/^$n //p")" "$n namespace joined by path"
done
assert_eq "$(ns_of "$apid" pid)" "$(echo "$OUT" | sed -n "s/^pid //p")" "pid namespace joined by path"
assert_ne "$(ns_of "$apid" mnt)" "$(echo "$OUT" | sed -n "s/^mnt //p")" "mnt namespace (new)"
assert_eq "uts-name hutch" "$(echo "$OUT" | tail -n1)" "hostname seen through the joined uts namespace"
exit 0
