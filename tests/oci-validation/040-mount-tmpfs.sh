#!/bin/bash
# config.md, Mounts: "The runtime MUST mount entries in the listed order." and the option
#   table: nosuid, nodev, noexec, ro ... "MUST"; "Runtimes SHOULD treat unknown options as
#   filesystem-specific ones" (mode=, size= are passed to tmpfs).
# config.md, Mounts destination: "Linux: This value SHOULD be an absolute path. For
#   compatibility with old tools and configurations, it MAY be a relative path, in which case
#   it MUST be interpreted as relative to "/"."
. "$(dirname "$0")/lib.sh"

cfg '.mounts += [{destination: "/mnt/t", type: "tmpfs", source: "tmpfs",
	options: ["nosuid", "nodev", "noexec", "mode=1750", "size=1m"]},
	{destination: "/mnt/t/inner", type: "tmpfs", source: "tmpfs", options: ["ro", "size=64k"]},
	{destination: "mnt/relative", type: "tmpfs", source: "tmpfs", options: ["size=32k"]}]'
in_ctr "$MOUNTS | grep '^/mnt/t '
stat -c %a /mnt/t
$MOUNTS | grep '^/mnt/t/inner '
"'echo x > /mnt/t/file && echo wrote-t
echo x > /mnt/t/inner/file 2>/dev/null || echo inner-readonly
'"$MOUNTS | grep '^/mnt/relative '"
log "$OUT"
first=$(echo "$OUT" | sed -n 1p)
for o in nosuid nodev noexec; do
	assert_match "$first" "(^| |,)$o(,| |$)" "per-mount option $o of /mnt/t"
done
assert_contains "$first" tmpfs "fs type of /mnt/t"
assert_match "$first" 'size=1024k' "size=1m"
assert_eq 1750 "$(echo "$OUT" | sed -n 2p)" "mode=1750"
assert_match "$(echo "$OUT" | sed -n 3p)" '^/mnt/t/inner ro' "the second mount (listed after the first, mounted on top of it)"
assert_contains "$OUT" wrote-t
assert_contains "$OUT" inner-readonly
assert_match "$OUT" '/mnt/relative [^ ]+ tmpfs [^ ]*size=32k' "relative destination mnt/relative mounted at /mnt/relative"
exit 0
