#!/bin/bash
# config.md, idmap: "If they [uidMappings, gidMappings] are not specified, the runtime MAY use
#   the container's user namespace mapping" (hutch does, as runc and crun); "If
#   uidMappings or gidMappings are specified for the mount, the runtime MUST use those values".
# In a container with a user namespace (container 0 = host 100000): an idmap mount with no
# mappings of its own shows the host's files with their owners and stores what the
# container's root creates as host root; one with its own mappings uses those. Then the
# same idmap mount in a second container that joins the first one's user namespace by path.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores id-mapped mounts (runtime-spec 1.2)"

# D belongs to host root, O to 1000: each is written through a mapping that covers its
# owner (the kernel refuses writes into a directory whose owner a mount cannot map)
D=$T/data O=$T/own
mkdir -p "$D" "$O" "$BUNDLE/rootfs/mnt/idmap" "$BUNDLE/rootfs/mnt/own" "$BUNDLE/rootfs/mnt/plain"
touch "$D/u1000" "$D/u0" "$O/u1000" "$O/u0" && chown 1000:1000 "$D/u1000" "$O/u1000" "$O" &&
	chmod 777 "$D" || fail "make the host directories"
CMAP='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
# on-disk 1000 is seen as host 100000, i.e. the container's root
OWN='[{"containerID": 1000, "hostID": 100000, "size": 1}]'
cfg --arg d "$D" --arg o "$O" --argjson c "$CMAP" --argjson own "$OWN" '
	.linux.namespaces += [{type: "user"}] | .linux.uidMappings = $c | .linux.gidMappings = $c |
	.mounts += [
	{destination: "/mnt/idmap", type: "bind", source: $d, options: ["rbind", "idmap"]},
	{destination: "/mnt/own", type: "bind", source: $o, options: ["bind"],
	 uidMappings: $own, gidMappings: $own},
	{destination: "/mnt/plain", type: "bind", source: $d, options: ["rbind"]}]'
in_ctr 'for m in idmap own plain; do
	echo "$m $(stat -c %u:%g /mnt/$m/u1000 /mnt/$m/u0 | tr "\n" " ")"
done
touch /mnt/idmap/made-idmap /mnt/own/made-own /mnt/plain/made-plain && echo created'
log "$OUT"
assert_contains "$OUT" "idmap 1000:1000 0:0 " "owners through the idmap mount with the container's mapping"
assert_contains "$OUT" "own 0:0 65534:65534 " "owners through the idmap mount with its own mapping"
assert_contains "$OUT" "plain 65534:65534 65534:65534 " "owners through the plain bind (host ids, unmapped in the container)"
assert_contains "$OUT" created
assert_eq 0:0 "$(stat -c %u:%g "$D/made-idmap")" "host owner of a file created through the idmap mount"
assert_eq 1000:1000 "$(stat -c %u:%g "$O/made-own")" "host owner of a file created through the mount with its own mapping"
assert_eq 100000:100000 "$(stat -c %u:%g "$D/made-plain")" "host owner of a file created through the plain bind"

# a container joining the user namespace (and network namespace) of a running one
new_id ID2 joined
new_bundle B2 joined
mkdir -p "$B2/rootfs/mnt/idmap"
set_args sleep 600
create_ctr
PID=$(state_of "$ID" pid)
CONFIG=$B2/config.json cfg --arg d "$D" --arg u "/proc/$PID/ns/user" --arg n "/proc/$PID/ns/net" '
	.linux.namespaces |= map(if .type == "network" then .path = $n else . end) |
	.linux.namespaces += [{type: "user", path: $u}] |
	.mounts += [{destination: "/mnt/idmap", type: "bind", source: $d, options: ["rbind", "idmap"]}] |
	.process.args = ["sh", "-c", "stat -c %u:%g /mnt/idmap/u1000 /mnt/idmap/u0 | tr \"\\n\" \" \"; touch /mnt/idmap/made-joined"]'
run_ctr "$ID2" "$B2"
[ "$RC" = 0 ] || fail "the joining container failed (exit $RC): $ERR"
log "joined: $OUT"
assert_eq "1000:1000 0:0" "$(echo $OUT)" "owners through the idmap mount, with the joined user namespace's mapping"
assert_eq 0:0 "$(stat -c %u:%g "$D/made-joined")" "host owner of a file created through it"
exit 0
