#!/bin/bash
# config.md, idmap and ridmap: "If there are no uidMappings and gidMappings specified and the
#   container isn't using user namespaces, an error MUST be returned."
# POSIX-platform Mounts: uidMappings "If specified, it MUST be specified along with
#   gidMappings" (and back).
# hutch, as runc, id-maps bind mounts only. Each error names the mount, exits 1, leaves no
# state behind, and a good id-mapped config still runs afterwards.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores id-mapped mounts (runtime-spec 1.2)"

mkdir -p "$T/data"
set_args true
MAP='[{"containerID": 0, "hostID": 1000, "size": 1}]'
BASE=$(cat "$BUNDLE/config.json")
# try FILTER EXPECTED-MESSAGE-PART
try() {
	echo "$BASE" > "$BUNDLE/config.json"
	cfg --arg d "$T/data" --argjson map "$MAP" "$1"
	assert_exit 1 rt run --bundle "$BUNDLE" "$ID"
	assert_contains "$ERR" "$2" "error of [$1]"
	assert_contains "$ERR" "mounts[" "error of [$1] names the mount"
	state_dir_exists "$ID" && fail "state dir left after [$1]"
	log "$ERR"
}
try '.mounts += [{destination: "/mnt/x", type: "bind", source: $d, options: ["bind", "idmap"]}]' \
	"user namespace"
try '.mounts += [{destination: "/mnt/x", type: "bind", source: $d, options: ["rbind", "ridmap"]}]' \
	"user namespace"
try '.mounts += [{destination: "/mnt/x", type: "tmpfs", source: "tmpfs", options: ["idmap"],
	uidMappings: $map, gidMappings: $map}]' "bind"
try '.mounts += [{destination: "/mnt/x", type: "bind", source: $d, options: ["bind", "idmap"],
	uidMappings: $map}]' "gidMappings"
try '.mounts += [{destination: "/mnt/x", type: "bind", source: $d, options: ["bind"],
	gidMappings: $map}]' "uidMappings"
# and the same mount with both mappings works
echo "$BASE" > "$BUNDLE/config.json"
cfg --arg d "$T/data" --argjson map "$MAP" '.mounts += [{destination: "/mnt/x", type: "bind",
	source: $d, options: ["bind", "idmap"], uidMappings: $map, gidMappings: $map}]'
in_ctr 'stat -c %u /mnt/x'
assert_eq 1000 "$OUT" "owner of the mount's root, on-disk 0 seen as 1000"
exit 0
