#!/bin/bash
# features.md: "mountOptions (array of strings, OPTIONAL) The recognized names of the mount
#   options [...] The runtime MUST recognize the elements in this array as the options of
#   mounts objects in config.json." features-linux.md: mountExtensions.idmap.enabled "whether
#   the runtime parses and attempts to use the uidMappings and gidMappings properties of
#   mounts"; netDevices.enabled "whether the runtime supports the capability to move Linux
#   network devices into the container's network namespace".
# Both ways: every option of config.md's table is listed, and every listed option works:
# one container mounts a tmpfs (a bind where the option needs one) with each of them.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 reports no mountExtensions nor netDevices"

F=$("$RUNTIME" features) || fail "features failed"
assert_eq true "$(jq -r '.linux.mountExtensions.idmap.enabled' <<< "$F")" "mountExtensions.idmap.enabled"
assert_eq true "$(jq -r '.linux.netDevices.enabled' <<< "$F")" "netDevices.enabled"
# config.md, "Linux mount options" (runtime-spec v1.3), every row
SPEC="async atime bind defaults dev diratime dirsync exec iversion lazytime loud mand noatime
nodev nodiratime noexec noiversion nolazytime nomand norelatime nostrictatime nosuid
nosymfollow private ratime rbind rdev rdiratime relatime remount rexec rnoatime rnodiratime
rnoexec rnorelatime rnostrictatime rnosuid rnosymfollow ro rprivate rrelatime rro rrw rshared
rslave rstrictatime rsuid rsymfollow runbindable rw shared silent slave strictatime suid
symfollow sync tmpcopyup unbindable idmap ridmap"
mapfile -t LISTED < <(jq -r '.mountOptions[]' <<< "$F")
missing=$(jq -r --arg spec "$SPEC" '($spec | split("[ \n]+"; null)) - .mountOptions | join(" ")' <<< "$F")
[ -z "$missing" ] || fail "features.mountOptions lacks: $missing"
[ -z "$(jq -r '.mountOptions[]' <<< "$F" | sort | uniq -d)" ] || fail "features.mountOptions has duplicates"

mkdir -p "$T/src"
MAP='[{"containerID": 0, "hostID": 0, "size": 65536}]'
# one entry per listed option (two for remount: the bind it remounts, then the remount)
entries=$(jq -c --arg src "$T/src" --argjson map "$MAP" '[.mountOptions[] as $o | ("/m/" + $o) as $d |
	if $o == "bind" or $o == "rbind" then {destination: $d, type: "bind", source: $src, options: [$o]}
	elif $o == "idmap" or $o == "ridmap" then {destination: $d, type: "bind", source: $src,
		options: ["rbind", $o], uidMappings: $map, gidMappings: $map}
	elif $o == "remount" then ({destination: $d, type: "bind", source: $src, options: ["bind"]},
		{destination: $d, options: ["remount", "bind", "ro"]})
	else {destination: $d, type: "tmpfs", source: "tmpfs", options: [$o, "size=16k"]} end]' <<< "$F") ||
	fail "jq: the mount entries"
cfg --argjson e "$entries" '.mounts += $e'
in_ctr "$MOUNTS | grep '^/m/'"
for o in "${LISTED[@]}"; do
	assert_match "$OUT" "^/m/$o " "a mount with the listed option $o"
done
assert_match "$OUT" "^/m/remount ro" "the remount"
log "${#LISTED[@]} listed options, each mounted"
exit 0
