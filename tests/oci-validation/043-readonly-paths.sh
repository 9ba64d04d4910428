#!/bin/bash
# config-linux.md, Readonly Paths: "readonlyPaths (array of strings, OPTIONAL) will set the
#   provided paths as readonly inside the container. The values MUST be absolute paths in
#   the container namespace."
. "$(dirname "$0")/lib.sh"

cfg '.root.readonly = false | .linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger",
	"/etc/ro-dir", "/does/not/exist"]'
mkdir -p "$BUNDLE/rootfs/etc/ro-dir"
in_ctr 'echo changed > /proc/sys/kernel/hostname 2>/dev/null && echo sys-writable || echo sys-readonly
touch /etc/ro-dir/x 2>/dev/null && echo dir-writable || echo dir-readonly
touch /etc/rw-file && echo rest-writable
cat /etc/ro-dir/../passwd > /dev/null && echo readable
'"$MOUNTS | grep '^/proc/sys '"
log "$OUT"
assert_contains "$OUT" sys-readonly "write to /proc/sys/kernel/hostname"
assert_contains "$OUT" dir-readonly "write into /etc/ro-dir"
assert_contains "$OUT" rest-writable "write elsewhere"
assert_match "$(echo "$OUT" | tail -n1)" '^/proc/sys ro' "mount options of /proc/sys"
exit 0
