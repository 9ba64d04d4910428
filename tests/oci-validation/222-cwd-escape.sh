#!/bin/bash
# CVE-2024-21626: process.cwd must not take the process out of the container's root: not
# by "..", not by a symlink of the rootfs pointing at a host path, and not through
# /proc/self/fd/N, which would be a directory fd the runtime still holds while it sets the
# process up (runc leaked one of the host's /sys/fs/cgroup; hutch holds its own procfs).
# The same for `exec --cwd`. A directory fd the caller leaks (no close-on-exec) must not
# reach the container either.
. "$(dirname "$0")/lib.sh"

echo in-the-container > "$BUNDLE/rootfs/tmp/marker"
ln -s /../../../../../../../../tmp "$BUNDLE/rootfs/evil-tmp"
# the caller's leak: fd 8 is the host's root directory
exec 8< /

# cwd OUT: the container's view from that cwd (pwd -P, the marker seen relative to it)
sh_args 'pwd -P; cat marker 2>/dev/null || cat tmp/marker 2>/dev/null || echo no-marker'
for c in /../../../..:/ /evil-tmp:/tmp /evil-tmp/../..:/; do
	cwd=${c%:*}
	cfg --arg c "$cwd" '.process.cwd = $c'
	run_ctr
	log "cwd $cwd: rc=$RC $(echo $OUT) $ERR"
	[ "$RC" = 0 ] || fail "cwd $cwd: run failed ($RC): $ERR"
	assert_eq "${c#*:} in-the-container" "$(echo $OUT)" "cwd $cwd: where the process is"
done

# /proc/self/fd/N: refused, whatever N is (the runtime's fds, the caller's leaked fd 8)
for n in 3 4 5 6 7 8 9 10 11 12; do
	cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c'
	run_ctr
	log "cwd /proc/self/fd/$n: rc=$RC $(echo $OUT) $ERR"
	if [ "$RC" = 0 ]; then
		assert_match "$(echo "$OUT" | sed -n 1p)" '^/' "cwd /proc/self/fd/$n: must stay in the container"
	else
		assert_not_contains "$OUT" "/" "cwd /proc/self/fd/$n: nothing ran"
	fi
done

# the same with the userspace walk (no openat2): a magic link is only its text there, and
# the text is resolved inside the root like any symlink
for n in 3 4 5 8; do
	cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c'
	HUTCH_TEST_NO_OPENAT2=1 run_ctr
	log "no openat2, cwd /proc/self/fd/$n: rc=$RC $(echo $OUT) $ERR"
	# inside the root getcwd names the directory; outside it says "(unreachable)"
	[ "$RC" = 0 ] && assert_match "$(echo "$OUT" | sed -n 1p)" '^/' "no openat2, cwd /proc/self/fd/$n: must stay in the container"
done

# exec --cwd
set_args sleep 600
cfg '.process.cwd = "/"'
create_ctr
start_ctr
for n in 3 4 5 6 7 8 9 10; do
	capture rt exec --cwd "/proc/self/fd/$n" "$ID" sh -c 'pwd -P; ls'
	log "exec --cwd /proc/self/fd/$n: rc=$RC $(echo $OUT) $ERR"
	if [ "$RC" = 0 ]; then
		assert_eq "/" "$(echo "$OUT" | sed -n 1p)" "exec --cwd /proc/self/fd/$n: must stay in the container"
	fi
done
assert_ok rt exec --cwd /evil-tmp/../../.. "$ID" sh -c 'pwd -P; cat tmp/marker'
assert_eq "/ in-the-container" "$(echo $OUT)" "exec --cwd /evil-tmp/../../.."
assert_ok rt exec --cwd /evil-tmp "$ID" sh -c 'pwd -P; cat marker'
assert_eq "/tmp in-the-container" "$(echo $OUT)" "exec --cwd /evil-tmp (a symlink to a host path)"

# the caller's fd 8 is not in the container
assert_ok rt exec "$ID" sh -c 'ls /proc/self/fd/'
assert_not_contains " $(echo $OUT) " " 8 " "fds of an exec'd process"
exec 8<&-
exit 0
