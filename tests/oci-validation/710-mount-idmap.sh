#!/bin/bash
# config.md, Linux mount options: "idmap | SHOULD | Indicates that the mount MUST have an
#   idmapping applied. [...] If uidMappings or gidMappings are specified for the mount, the
#   runtime MUST use those values for the mount's mapping." ridmap: "[...] and the mapping is
#   applied recursively". POSIX-platform Mounts, uidMappings: "The mapping to convert UIDs
#   from the source file system to the destination mount point." (the format of user
#   namespace mappings: on-disk containerID+n is seen as hostID+n through the mount).
# No user namespace here: the container's root is the host's. Checked from inside (the
# owners seen through the mount) and on the host (the owner of a file created through it).
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores id-mapped mounts (runtime-spec 1.2)"

D=$T/data
mkdir -p "$D/sub"
# owned by on-disk 1000, which the mapping covers: the kernel refuses writes into a
# directory whose owner the mount's mapping cannot express (HAS_UNMAPPED_ID)
touch "$D/u1000" "$D/u0" && chown 1000:1000 "$D/u1000" "$D" && chmod 755 "$D"
# a submount, to tell idmap (top mount only) from ridmap (the whole tree)
mount -t tmpfs -o size=64k,mode=777 tmpfs "$D/sub" || fail "mount tmpfs on the host"
touch "$D/sub/u1000" && chown 1000:1000 "$D/sub/u1000"

# on-disk 1000 is seen as 0 (the container's root), and what root creates is stored as 1000
MAP='[{"containerID": 1000, "hostID": 0, "size": 1}]'
cfg --arg d "$D" --argjson map "$MAP" '.mounts += [
	{destination: "/mnt/idmap", type: "bind", source: $d, options: ["rbind", "idmap"],
	 uidMappings: $map, gidMappings: $map},
	{destination: "/mnt/ridmap", type: "bind", source: $d, options: ["rbind", "ridmap", "ro"],
	 uidMappings: $map, gidMappings: $map},
	{destination: "/mnt/plain", type: "bind", source: $d, options: ["rbind"]}]'
in_ctr 'for m in idmap ridmap plain; do
	echo "$m $(stat -c %u:%g /mnt/$m/u1000 /mnt/$m/u0 /mnt/$m/sub/u1000 | tr "\n" " ")"
done
touch /mnt/idmap/made-idmap /mnt/idmap/sub/made-sub 2>&1 && echo created
touch /mnt/ridmap/made-ro 2>/dev/null || echo ridmap-readonly
'"$MOUNTS | grep '^/mnt/ridmap '"
log "$OUT"
assert_contains "$OUT" "idmap 0:0 65534:65534 1000:1000 " "owners through the idmap mount (u1000 u0 sub/u1000)"
assert_contains "$OUT" "ridmap 0:0 65534:65534 0:0 " "owners through the ridmap mount (the submount mapped too)"
assert_contains "$OUT" "plain 1000:1000 0:0 1000:1000 " "owners through the plain bind"
# (root, without CAP_DAC_OVERRIDE, cannot write into the plain bind: its owner is 1000)
assert_contains "$OUT" created
assert_contains "$OUT" ridmap-readonly "ro with ridmap"
assert_match "$OUT" '/mnt/ridmap ro' "mount options of /mnt/ridmap"
assert_eq 1000:1000 "$(stat -c %u:%g "$D/made-idmap")" "host owner of a file root created through the idmap mount"
# idmap is not recursive: the submount is seen as is, and root writes there as root
assert_eq 0:0 "$(stat -c %u:%g "$D/sub/made-sub")" "host owner of a file created on the submount of an idmap (not ridmap) mount"
exit 0
