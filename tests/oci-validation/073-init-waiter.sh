#!/bin/bash
# create without a re-exec (container.c, init_can_fork): the init stage is a fork of
# hutch that execs the sealed start waiter (waiter.c) once the container is built. Seen
# from the host and from inside: the created container's pid 1 runs from a small sealed
# memfd and holds nothing but stdio and its start socket, sits in every cgroup of the
# container (its memory one too, which it leaves for its own exec), reports a failed exec
# to `start`, survives a `start` that connects and goes away; configs the waiter cannot
# serve (hooks before start) and HUTCH_TEST_INIT_REEXEC=1 get the re-exec of hutch.
. "$(dirname "$0")/lib.sh"
is_runc && skip "hutch's own init stage"
grep -q '^x86_64$' <<< "$(uname -m)" || skip "the start waiter is built for x86_64 only"

exe=$(readlink -f "$(command -v "$RUNTIME")")
set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
assert_match "$(readlink "/proc/$pid/exe")" '^/memfd:hutch-start-waiter' "the waiting init's exe"
size=$(stat -L -c %s "/proc/$pid/exe")
[ "$size" -lt 65536 ] || fail "the start waiter is $size bytes"
assert_ne "$(stat -L -c %d:%i "$exe")" "$(stat -L -c %d:%i "/proc/$pid/exe")" "the waiter is not hutch's binary"
if (printf 'x' >> "/proc/$pid/exe") 2> /dev/null; then
	fail "writing to /proc/$pid/exe of the waiting init succeeded"
fi
# CVE-2024-21626: stdio and the start socket, nothing of the host's.
fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
assert_match "$fds" '^0 1 2 [0-9]+ $' "the waiting init's fds"
sockfd=${fds#0 1 2 }
assert_match "$(readlink "/proc/$pid/fd/${sockfd% }")" '^socket:' "the waiting init's fd ${sockfd% }"
# Every hierarchy, the memory one too: the init steps out of it for the waiter's exec only.
bad=$(grep -v "/$ID\$" "/proc/$pid/cgroup" | grep -v -E '^[0-9]+:(misc|rdma|net_cls[^:]*|perf_event|hugetlb):' || true)
assert_eq "" "$bad" "cgroups of the waiting init not the container's"
grep -q "memory:.*/$ID\$" "/proc/$pid/cgroup" || ! grep -q ':memory:' "/proc/$pid/cgroup" ||
	fail "the waiting init is not in the container's memory cgroup"

# A process that connects to the start socket and leaves does not start nor end it.
sock=$STATE_ROOT/$ID/exec.sock
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.close()' "$sock" || fail "cannot connect to $sock"
sleep 0.2
assert_eq created "$(state_of "$ID" status)" "status after a connect without start"
start_ctr
assert_eq running "$(state_of "$ID" status)" "status after start"
assert_eq "$pid" "$(state_of "$ID" pid)" "the pid after start"
assert_match "$(tr '\0' ' ' < "/proc/$pid/cmdline")" '^sleep 600 $' "the container's argv"
grep -q "memory:.*/$ID\$" "/proc/$pid/cgroup" || ! grep -q ':memory:' "/proc/$pid/cgroup" ||
	fail "the container's process is not in its memory cgroup"
rt delete --force "$ID" > /dev/null

# A failed exec is start's error, in the init stage's words.
printf 'not a program\n' > "$BUNDLE/rootfs/bin/notexec"
chmod 755 "$BUNDLE/rootfs/bin/notexec"
set_args /bin/notexec
new_id ID2 fail
create_ctr "$ID2"
assert_fails rt start "$ID2"
assert_contains "$ERR" "exec /bin/notexec: exec format error" "start's error"
assert_ne running "$(state_of "$ID2" status)" "status after a failed exec"

# Not dumpable while it waits, though it exec'ed as the container's user: a process
# `exec`ed into the container cannot ptrace it (its /proc/<pid>/ files are root's); the container's
# process is dumpable again.
set_args sleep 600
cfg '.process.user.uid = 1000'
new_id ID6 user
create_ctr "$ID6"
pid=$(state_of "$ID6" pid)
assert_eq 1000 "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "uid of the waiting init"
assert_eq 0 "$(stat -c %u "/proc/$pid/status")" "owner of /proc/<pid>/status of the waiting init (dumpable?)"
start_ctr "$ID6"
assert_eq 1000 "$(stat -c %u "/proc/$pid/status")" "owner of /proc/<pid>/status of the container's process"
rt delete --force "$ID6" > /dev/null
cfg '.process.user.uid = 0'

# Hooks that run before start could see the init while it is hutch's binary
# (CVE-2019-5736): startContainer hooks run in the container's filesystem, prestart,
# createRuntime and createContainer ones get its pid or run in its namespaces. The init
# is then the sealed copy of hutch. The same with HUTCH_TEST_INIT_REEXEC=1.
for h in startContainer prestart createRuntime createContainer; do
	cfg ".hooks.$h = [{path: \"/bin/true\"}]"
	new_id ID3 "$h"
	create_ctr "$ID3"
	assert_match "$(readlink "/proc/$(state_of "$ID3" pid)/exe")" '^/memfd:hutch( |$)' "the init with a $h hook"
	rt delete --force "$ID3" > /dev/null
	cfg 'del(.hooks)'
done
# cgroup v1: the init joins each hierarchy by itself (tasks); HUTCH_TEST_NO_SELF_JOIN=1
# has create move it, as for the re-exec. In the container's cgroups either way.
new_id ID5 moved
HUTCH_TEST_NO_SELF_JOIN=1 create_ctr "$ID5"
bad=$(grep -v "/$ID5\$" "/proc/$(state_of "$ID5" pid)/cgroup" |
	grep -v -E '^[0-9]+:(misc|rdma|net_cls[^:]*|perf_event|hugetlb):' || true)
assert_eq "" "$bad" "cgroups of the init moved by create"
new_id ID4 reexec
HUTCH_TEST_INIT_REEXEC=1 create_ctr "$ID4"
assert_match "$(readlink "/proc/$(state_of "$ID4" pid)/exe")" '^/memfd:hutch( |$)' "the init with HUTCH_TEST_INIT_REEXEC=1"
exit 0
