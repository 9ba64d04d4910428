#!/bin/bash
# config-linux.md, User namespace mappings: "uidMappings (array of objects, OPTIONAL) describes
#   the user namespace uid mappings from the host to the container. gidMappings ...
#   containerID ... hostID ... size"
# "The runtime SHOULD NOT modify the ownership of referenced filesystems to realize the mapping."
. "$(dirname "$0")/lib.sh"

cfg '.linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
before=$(stat -c %u:%g "$BUNDLE/rootfs/bin/busybox")
in_ctr 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; readlink /proc/self/ns/user
stat -c %u:%g /bin/busybox /home/user'
log "$OUT"
norm=$(echo "$OUT" | tr -s ' \t' ' ' | sed 's/^ //')
assert_eq "0 100000 65536" "$(echo "$norm" | sed -n 1p)" "uid_map inside"
assert_eq "0 200000 65536" "$(echo "$norm" | sed -n 2p)" "gid_map inside"
assert_eq 0 "$(echo "$norm" | sed -n 3p)" "uid inside"
assert_eq 0 "$(echo "$norm" | sed -n 4p)" "gid inside"
assert_ne "$(ns_of self user)" "$(echo "$norm" | sed -n 5p)" "user namespace"
# host root is not mapped: files owned by host uid 0 show as the overflow uid
assert_eq "65534:65534" "$(echo "$norm" | sed -n 6p)" "owner of /bin/busybox inside"
assert_eq "$before" "$(stat -c %u:%g "$BUNDLE/rootfs/bin/busybox")" "owner of the rootfs on the host"
exit 0
