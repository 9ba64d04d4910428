#!/bin/bash
# config-linux.md, Default Devices: "In addition to any devices configured with this setting,
#   the runtime MUST also supply: /dev/null /dev/zero /dev/full /dev/random /dev/urandom
#   /dev/tty /dev/console (if terminal is enabled) /dev/ptmx (a bind-mount or symlink of the
#   container's /dev/pts/ptmx)"
# runtime-linux.md, Dev symbolic links: "runtimes MUST create the following symlinks if the
#   source file exists after processing mounts: /proc/self/fd -> /dev/fd, /proc/self/fd/0 ->
#   /dev/stdin, /proc/self/fd/1 -> /dev/stdout, /proc/self/fd/2 -> /dev/stderr"
# config-linux.md: "The following filesystems SHOULD be made available in each container's
#   filesystem: /proc proc, /sys sysfs, /dev/pts devpts, /dev/shm tmpfs"
. "$(dirname "$0")/lib.sh"

in_ctr 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T" /dev/$d)"; done
for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done
echo "ptmx $(readlink /dev/ptmx || stat -c "%F %t:%T" /dev/ptmx)"
echo "console $(test -e /dev/console && echo present || echo absent)"
echo hello > /dev/null && echo null-writable
echo "zero $(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")"
echo "urandom $(head -c 8 /dev/urandom | wc -c)"
'"$MOUNTS"

log "$OUT"
assert_contains "$OUT" "null character special file 1:3"
assert_contains "$OUT" "zero character special file 1:5"
assert_contains "$OUT" "full character special file 1:7"
assert_contains "$OUT" "random character special file 1:8"
assert_contains "$OUT" "urandom character special file 1:9"
assert_contains "$OUT" "tty character special file 5:0"
assert_contains "$OUT" "fd -> /proc/self/fd"
assert_contains "$OUT" "stdin -> /proc/self/fd/0"
assert_contains "$OUT" "stdout -> /proc/self/fd/1"
assert_contains "$OUT" "stderr -> /proc/self/fd/2"
assert_match "$OUT" "ptmx (pts/ptmx|/dev/pts/ptmx|character special file 5:2)" "/dev/ptmx"
assert_contains "$OUT" "console absent" "/dev/console without a terminal"
assert_contains "$OUT" "null-writable"
assert_contains "$OUT" "zero 00000000"
assert_contains "$OUT" "urandom 8"
for m in "/proc proc" "/sys sysfs" "/dev/pts devpts" "/dev/shm tmpfs" "/dev tmpfs"; do
	assert_match "$OUT" "^${m% *} [^ ]+ ${m#* } " "mount $m"
done
exit 0
