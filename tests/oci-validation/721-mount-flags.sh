#!/bin/bash
# config.md, Linux mount options: "nosymfollow | SHOULD", "symfollow | SHOULD | Opposite of
#   nosymfollow", "lazytime | MUST", "nolazytime | MUST", "iversion | MUST", "noiversion |
#   MUST", "silent | MUST", "loud | MUST" (mount(8) filesystem-independent options).
# nosymfollow and lazytime are checked from inside (a symlink that cannot be followed,
# the superblock options); iversion and silent change nothing a process can see (i_version
# is kernel-internal, silent only quiets the kernel log), so they are checked where they
# take effect: the flags hutch passes to mount(2), traced.
. "$(dirname "$0")/lib.sh"
command -v strace > /dev/null || skip "strace is not installed"

cfg '.mounts += [
	{destination: "/m/nosym", type: "tmpfs", source: "tmpfs", options: ["nosymfollow", "size=64k"]},
	{destination: "/m/sym", type: "tmpfs", source: "tmpfs", options: ["nosymfollow", "symfollow", "size=64k"]},
	{destination: "/m/lazy", type: "tmpfs", source: "tmpfs", options: ["lazytime", "size=64k"]},
	{destination: "/m/nolazy", type: "tmpfs", source: "tmpfs", options: ["lazytime", "nolazytime", "size=64k"]},
	{destination: "/m/iv", type: "tmpfs", source: "tmpfs", options: ["iversion", "size=11k"]},
	{destination: "/m/noiv", type: "tmpfs", source: "tmpfs", options: ["iversion", "noiversion", "size=12k"]},
	{destination: "/m/silent", type: "tmpfs", source: "tmpfs", options: ["silent", "size=13k"]},
	{destination: "/m/loud", type: "tmpfs", source: "tmpfs", options: ["silent", "loud", "size=14k"]}]'
sh_args "$MOUNTS | grep '^/m/'
for d in nosym sym; do
	echo target > /m/\$d/file && ln -s file /m/\$d/link
	echo \"\$d: link \$(readlink /m/\$d/link), read [\$(cat /m/\$d/link 2>&1)]\"
done"
# LeakSanitizer cannot run under ptrace (an ASan build of hutch): leaks are checked elsewhere
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 capture strace -f -qq -s 256 -e trace=mount,fsconfig,fsmount -o "$T/trace" \
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
[ "$RC" = 0 ] || fail "container run failed (exit $RC): $OUT $ERR"
log "$OUT"

opts() { echo "$OUT" | awk -v m="$1" '$1 == m {print $2}'; }
sopts() { echo "$OUT" | awk -v m="$1" '$1 == m {print $4}'; }
has() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }
has "$(opts /m/nosym)" nosymfollow || fail "/m/nosym: no nosymfollow in [$(opts /m/nosym)]"
! has "$(opts /m/sym)" nosymfollow || fail "/m/sym: symfollow did not win over nosymfollow"
assert_match "$OUT" 'nosym: link file, read \[[^]]*(Too many|symbolic)' "following a symlink on a nosymfollow mount"
assert_contains "$OUT" "sym: link file, read [target]" "following a symlink on a symfollow mount"
has "$(sopts /m/lazy)" lazytime || fail "/m/lazy: no lazytime in superblock options [$(sopts /m/lazy)]"
! has "$(sopts /m/nolazy)" lazytime || fail "/m/nolazy: nolazytime did not win over lazytime"

# mount_call SIZE: the traced mount(2) of the tmpfs with data size=SIZE
mount_call() { grep -E "mount\(\"tmpfs\", [^,]*, \"tmpfs\", [^,]*, \"size=$1\"" "$T/trace"; }
for s in 11k 12k 13k 14k; do
	[ -n "$(mount_call $s)" ] || fail "no mount(2) call with size=$s traced:
$(grep -E 'mount|fsconfig' "$T/trace" | head -40)"
done
assert_contains "$(mount_call 11k)" MS_I_VERSION "mount(2) flags of iversion"
assert_not_contains "$(mount_call 12k)" MS_I_VERSION "mount(2) flags of iversion,noiversion"
assert_contains "$(mount_call 13k)" MS_SILENT "mount(2) flags of silent"
assert_not_contains "$(mount_call 14k)" MS_SILENT "mount(2) flags of silent,loud"
exit 0
