#!/bin/bash
# config.md, Mounts option table: "bind | MUST | Bind mount", "rbind | MUST | Recursive bind
#   mount", "ro | MUST", "rw | MUST".
# config.md, Mounts: "source (string, OPTIONAL) A device name, but can also be a file or
#   directory name for bind mounts or a dummy."
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/host-ro" "$T/host-rw"
echo "from host" > "$T/host-ro/file"
echo "file mount" > "$T/single-file"
cfg --arg ro "$T/host-ro" --arg rw "$T/host-rw" --arg f "$T/single-file" '.mounts += [
	{destination: "/mnt/ro", type: "bind", source: $ro, options: ["bind", "ro"]},
	{destination: "/mnt/rw", type: "none", source: $rw, options: ["rbind", "rw"]},
	{destination: "/etc/single", source: $f, options: ["bind", "ro"]}]'
in_ctr 'cat /mnt/ro/file
echo x > /mnt/ro/new 2>/dev/null && echo ro-writable || echo ro-refused
echo "from container" > /mnt/rw/new && echo rw-ok
cat /etc/single
'"$MOUNTS | grep '^/mnt/ro '"
log "$OUT"
assert_contains "$OUT" "from host" "read through the ro bind mount"
assert_contains "$OUT" "ro-refused" "write through the ro bind mount"
assert_contains "$OUT" "rw-ok" "write through the rw bind mount"
assert_contains "$OUT" "file mount" "bind mount of a single file"
assert_match "$(echo "$OUT" | tail -n1)" '^/mnt/ro ro' "mount options of /mnt/ro"
assert_eq "from container" "$(cat "$T/host-rw/new")" "file written through the rw bind, seen on the host"
[ ! -e "$T/host-ro/new" ] || fail "file created through the ro bind mount"
exit 0
