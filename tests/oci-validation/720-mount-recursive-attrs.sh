#!/bin/bash
# config.md, Linux mount options: "rro | SHOULD | Recursive ro", rrw, rnosuid, rsuid, rnodev,
#   rdev, rnoexec, rexec, rnoatime, ratime, rnodiratime, rdiratime, rrelatime, rnorelatime,
#   rstrictatime, rnostrictatime, rnosymfollow, rsymfollow: "These AT_RECURSIVE options need
#   kernel 5.12 or later. See mount_setattr(2)".
# Checked on a submount of the bind source: a recursive option reaches it, a plain one
# (ro) does not.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 fails ratime with EINVAL (mount_setattr without MOUNT_ATTR__ATIME)"

# Host trees with a submount each: "plain" (no flags), "locked" (every flag set), "single".
mkdir -p "$T/plain/sub" "$T/locked/sub" "$T/single/sub"
mount -t tmpfs -o size=64k tmpfs "$T/plain/sub" || fail "mount tmpfs on the host"
# per-mount flags only (a plain "ro" would make the tmpfs superblock read-only too)
mount -t tmpfs -o size=64k tmpfs "$T/locked/sub" &&
	mount -o remount,bind,ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow "$T/locked/sub" ||
	fail "mount tmpfs on the host"
mount -t tmpfs -o size=64k tmpfs "$T/single/sub" || fail "mount tmpfs on the host"

cfg --arg p "$T/plain" --arg l "$T/locked" --arg s "$T/single" '.mounts += [
	{destination: "/r/set", type: "bind", source: $p, options: ["rbind", "rro", "rnosuid",
	 "rnodev", "rnoexec", "rnoatime", "rnodiratime", "rnosymfollow"]},
	{destination: "/r/clear", type: "bind", source: $l, options: ["rbind", "rrw", "rsuid",
	 "rdev", "rexec", "rstrictatime", "rdiratime", "rsymfollow"]},
	{destination: "/r/relatime", type: "bind", source: $l, options: ["rbind", "rnoatime", "rrelatime"]},
	{destination: "/r/ratime", type: "bind", source: $l, options: ["rbind", "ratime"]},
	{destination: "/r/norelatime", type: "bind", source: $p, options: ["rbind", "rnorelatime"]},
	{destination: "/r/nostrict", type: "bind", source: $p, options: ["rbind", "rstrictatime", "rnostrictatime"]},
	{destination: "/r/single", type: "bind", source: $s, options: ["rbind", "ro"]}]'
in_ctr "$MOUNTS | grep '^/r/'
echo x > /r/set/sub/f 2>/dev/null && echo set-writable || echo set-refused
echo x > /r/clear/sub/f && echo clear-written"
log "$OUT"

# opts MOUNTPOINT: the per-mount options of that mount, from inside
opts() { echo "$OUT" | awk -v m="$1" '$1 == m {print $2}'; }
has() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }
for m in /r/set /r/set/sub; do
	for o in ro nosuid nodev noexec noatime nodiratime nosymfollow; do
		has "$(opts $m)" $o || fail "$m: expected $o in [$(opts $m)]"
	done
done
assert_contains "$OUT" set-refused "write under an rro submount"
for m in /r/clear /r/clear/sub; do
	for o in ro nosuid nodev noexec noatime relatime nodiratime nosymfollow; do
		! has "$(opts $m)" $o || fail "$m: expected no $o in [$(opts $m)]"
	done
	has "$(opts $m)" rw || fail "$m: expected rw in [$(opts $m)]"
done
assert_contains "$OUT" clear-written "write under an rrw submount"
for m in /r/relatime/sub /r/ratime/sub /r/nostrict/sub; do
	has "$(opts $m)" relatime || fail "$m: expected relatime in [$(opts $m)]"
	! has "$(opts $m)" noatime || fail "$m: expected no noatime in [$(opts $m)]"
done
! has "$(opts /r/norelatime/sub)" relatime || fail "/r/norelatime/sub: still relatime"
# the non-recursive ro only reaches the top of the tree
has "$(opts /r/single)" ro || fail "/r/single: expected ro in [$(opts /r/single)]"
has "$(opts /r/single/sub)" rw || fail "/r/single/sub: plain ro must not be recursive [$(opts /r/single/sub)]"
exit 0
