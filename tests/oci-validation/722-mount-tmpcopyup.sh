#!/bin/bash
# config.md, Linux mount options: "tmpcopyup | MAY | copy up the contents to a tmpfs" (as
# runc and crun: the new tmpfs starts with a copy of what it covers: files, directories,
# symlinks, special files, with their modes and owners; writes stay in the tmpfs).
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 fails tmpcopyup on a fifo (lchown of what it did not copy)"

R=$BUNDLE/rootfs
mkdir -p "$R/opt/data/dir" "$R/opt/empty"
echo "top file" > "$R/opt/data/file"
echo "nested file" > "$R/opt/data/dir/nested"
ln -s file "$R/opt/data/link"
mkfifo "$R/opt/data/fifo"
chown 1000:100 "$R/opt/data/dir/nested"
chmod 0664 "$R/opt/data/dir/nested"
chmod 0711 "$R/opt/data/dir"
cfg '.mounts += [
	{destination: "/opt/data", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "size=1m"]},
	{destination: "/opt/empty", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]},
	{destination: "/opt/fresh", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}]'
in_ctr "$MOUNTS | grep '^/opt/'
cat /opt/data/file /opt/data/dir/nested
echo link=\$(readlink /opt/data/link)
stat -c '%n %u:%g %a %F' /opt/data/dir /opt/data/dir/nested /opt/data/fifo
echo changed > /opt/data/file && echo new > /opt/data/new && echo wrote
ls -A /opt/empty /opt/fresh | tr '\n' ' '"
log "$OUT"
assert_match "$OUT" '/opt/data [^ ]+ tmpfs' "/opt/data is a tmpfs"
assert_contains "$OUT" "top file" "copied file"
assert_contains "$OUT" "nested file" "file copied from a subdirectory"
assert_contains "$OUT" "link=file" "copied symlink"
assert_contains "$OUT" "/opt/data/dir 0:0 711 directory" "directory mode"
assert_contains "$OUT" "/opt/data/dir/nested 1000:100 664 regular file" "owner and mode of a copied file"
assert_contains "$OUT" "/opt/data/fifo 0:0 644 fifo" "copied fifo"
assert_contains "$OUT" wrote "write into the tmpfs (the rootfs is read-only)"
assert_eq "top file" "$(cat "$R/opt/data/file")" "the rootfs file under the tmpfs, after the container wrote its copy"
[ ! -e "$R/opt/data/new" ] || fail "a file created in the tmpfs reached the rootfs"
exit 0
