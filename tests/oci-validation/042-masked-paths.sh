#!/bin/bash
# config-linux.md, Masked Paths: "maskedPaths (array of strings, OPTIONAL) will mask over the
#   provided paths inside the container so that they cannot be read. The values MUST be
#   absolute paths in the container namespace."
. "$(dirname "$0")/lib.sh"

cfg '.linux.maskedPaths = ["/proc/kcore", "/sys/firmware", "/proc/keys", "/etc/secret-dir",
	"/etc/secret-file", "/does/not/exist"]'
mkdir -p "$BUNDLE/rootfs/etc/secret-dir"
echo hidden > "$BUNDLE/rootfs/etc/secret-dir/x"
echo hidden > "$BUNDLE/rootfs/etc/secret-file"
in_ctr 'echo "kcore=$(head -c 16 /proc/kcore | wc -c)"
echo "keys=$(cat /proc/keys | wc -c)"
echo "firmware=$(ls -A /sys/firmware | wc -l)"
echo "dir=$(ls -A /etc/secret-dir | wc -l)"
echo "file=$(cat /etc/secret-file | wc -c)"'
log "$OUT"
assert_contains "$OUT" "kcore=0" "/proc/kcore masked (reads nothing)"
assert_contains "$OUT" "keys=0" "/proc/keys masked"
assert_contains "$OUT" "firmware=0" "/sys/firmware masked (empty)"
assert_contains "$OUT" "dir=0" "directory masked"
assert_contains "$OUT" "file=0" "file masked"
assert_eq hidden "$(cat "$BUNDLE/rootfs/etc/secret-file")" "the masked file on the host"
exit 0
