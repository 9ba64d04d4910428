#!/bin/bash
# CVE-2021-30465 and the like: symlinks in the rootfs (an image controls them) that point
# at host paths ("/etc", "../../../../etc", /proc/self/root/etc) must never make a mount,
# a mount point, a device node or a masked/read-only path land on the host. Every
# bundle-controlled path is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT, or the
# userspace walk, forced here with HUTCH_TEST_NO_OPENAT2=1), magic links refused.
. "$(dirname "$0")/lib.sh"

r=$BUNDLE/rootfs
tag=hutch-t-$$
register "$tag"
ln -s /etc "$r/abs-etc"
ln -s ../../../../../../../../etc "$r/rel-etc"
ln -s /proc/self/root/etc "$r/magic-etc"
echo container-hostname > "$r/etc/hostname"
mkdir -p "$T/src"
echo from-the-bundle > "$T/src/file"
echo fake-passwd > "$T/fakepasswd"
host_passwd=$(sha256sum /etc/passwd)
host_hostname=$(cat /etc/hostname)

cfg --arg t "$tag" --arg src "$T/src" --arg pw "$T/fakepasswd" '.root.readonly = false
	| .mounts += [
		{destination: ("/abs-etc/" + $t + "-tmpfs"), type: "tmpfs", source: "tmpfs"},
		{destination: ("/rel-etc/" + $t + "-new/sub"), type: "bind", source: $src, options: ["bind"]},
		{destination: "/abs-etc/passwd", type: "bind", source: $pw, options: ["bind"]}]
	| .linux.devices = [{path: ("/rel-etc/" + $t + "-null"), type: "c", major: 1, minor: 3}]
	| .linux.maskedPaths += ["/abs-etc/hostname"]
	| .linux.readonlyPaths += ["/rel-etc/" + $t + "-new"]'
script="$MOUNTS | grep -F $tag; cat /etc/$tag-new/sub/file; cat /etc/passwd; cat /etc/hostname; echo hostname-read;
	[ -c /etc/$tag-null ] && echo device-made; touch /etc/$tag-new/x 2>/dev/null || echo read-only"

host_clean() { # WHAT: nothing of this test may exist on the host's /etc
	local left
	left=$(ls -d /etc/"$tag"* 2> /dev/null)
	[ -z "$left" ] || fail "$1: created on the host: $left"
	assert_eq "$host_passwd" "$(sha256sum /etc/passwd)" "$1: the host's /etc/passwd"
	assert_eq "$host_hostname" "$(cat /etc/hostname)" "$1: the host's /etc/hostname"
	grep -F "$tag" /proc/self/mountinfo && fail "$1: a mount of the container is on the host"
	return 0
}

for mode in openat2 userspace; do
	rm -rf "$r/etc/$tag"*
	if [ $mode = openat2 ]; then in_ctr "$script"; else HUTCH_TEST_NO_OPENAT2=1 in_ctr "$script"; fi
	log "$mode: $OUT"
	assert_contains "$OUT" "/etc/$tag-tmpfs rw" "$mode: the tmpfs at /abs-etc/... is on the rootfs's /etc"
	assert_contains "$OUT" "/etc/$tag-new/sub" "$mode: the bind at /rel-etc/... is on the rootfs's /etc"
	assert_contains "$OUT" "from-the-bundle" "$mode: the bind's content"
	assert_contains "$OUT" "fake-passwd" "$mode: /abs-etc/passwd is the rootfs's /etc/passwd"
	assert_not_contains "$OUT" "container-hostname" "$mode: /etc/hostname is masked"
	assert_contains "$OUT" "hostname-read" "$mode: masked, not missing"
	assert_contains "$OUT" "device-made" "$mode: the device node is in the rootfs's /etc"
	assert_contains "$OUT" "read-only" "$mode: the read-only path is the rootfs's"
	[ -d "$r/etc/$tag-new/sub" ] || fail "$mode: the mount point was not made in the rootfs"
	host_clean "$mode"
done

# a magic link on the way (/proc/self/root is the host's root while mounts are made)
cfg --arg t "$tag" '.mounts += [{destination: ("/magic-etc/" + $t + "-magic"), type: "tmpfs", source: "tmpfs"}]'
sh_args true
run_ctr
log "magic link: rc=$RC $ERR"
[ "$RC" = 0 ] && ! is_runc && fail "a mount through /proc/self/root succeeded"
host_clean "magic link"
exit 0
