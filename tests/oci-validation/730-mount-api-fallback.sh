#!/bin/bash
# hutch makes mounts with the new mount API (open_tree, fsopen/fsmount, mount_setattr,
# move_mount) and falls back to mount(2) on /proc/self/fd targets on kernels without it.
# HUTCH_TEST_OLD_MOUNT_API=1 forces the fallback everywhere (libcontainer/mount_api.h).
# Here: the switch really switches. Traced, a bind, a tmpcopyup tmpfs and a propagation
# go through open_tree/fsmount/move_mount by default, through mount(2) with the switch.
# 731 and 732 run the mount tests (04x; 72x and 74x) again with the switch.
. "$(dirname "$0")/lib.sh"
grep -q '^hutch' <<< "$("$RUNTIME" --version)" || skip "HUTCH_TEST_OLD_MOUNT_API is a switch of hutch"
command -v strace > /dev/null || skip "strace is not installed"

mkdir -p "$T/src"
cfg --arg s "$T/src" '.mounts += [
	{destination: "/mnt/bind", type: "bind", source: $s, options: ["rbind", "ro", "nosuid"]},
	{destination: "/mnt/copy", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "size=77k"]},
	{destination: "/mnt/prop", type: "tmpfs", source: "tmpfs", options: ["rprivate", "size=78k"]}]'
sh_args "$MOUNTS | grep '^/mnt/'"
NEW_API='open_tree|fsopen|fsmount|move_mount'
# traced MODE: run the container under strace; MODE "old" sets the switch
traced() {
	local env=()
	[ "$1" = old ] && env=(env HUTCH_TEST_OLD_MOUNT_API=1)
	# LeakSanitizer cannot run under ptrace (an ASan build of hutch)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 capture "${env[@]}" strace -f -qq -s 128 -o "$T/trace.$1" \
		-e trace=mount,open_tree,fsopen,fsconfig,fsmount,move_mount,mount_setattr \
		timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$RC" = 0 ] || fail "container run ($1 API) failed (exit $RC): $OUT $ERR"
	assert_match "$OUT" '/mnt/bind ro,nosuid' "/mnt/bind ($1 API)"
}
traced new
grep -Eq "open_tree\(AT_FDCWD, \"$T/src\"" "$T/trace.new" || fail "the bind did not use open_tree"
grep -Eq 'fsconfig\([0-9]+, FSCONFIG_SET_STRING, "size", "77k"' "$T/trace.new" ||
	fail "the tmpcopyup tmpfs was not made by fsopen/fsconfig"
[ "$(grep -c 'move_mount(' "$T/trace.new")" -ge 3 ] || fail "fewer than 3 move_mount calls"
traced old
if grep -Eq "($NEW_API)\(" "$T/trace.old"; then
	fail "HUTCH_TEST_OLD_MOUNT_API=1 still used the new mount API:
$(grep -E "($NEW_API)\(" "$T/trace.old" | head)"
fi
grep -Eq "mount\(\"/proc/self/fd/[0-9]+\", \"/proc/self/fd/[0-9]+\", NULL, MS_BIND\|MS_REC" "$T/trace.old" ||
	fail "no bind by mount(2) with the switch"
grep -Eq 'mount\("tmpfs", [^,]+, "tmpfs", [^,]+, "size=77k"' "$T/trace.old" ||
	fail "no tmpfs by mount(2) with the switch"

exit 0
