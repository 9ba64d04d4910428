#!/bin/bash
# config-linux.md, Namespaces: "If path is not specified, the runtime MUST create a new
#   container namespace of type type."
# "If a namespace type is not specified in the namespaces array, the container MUST inherit
#   the runtime namespace of that type."
. "$(dirname "$0")/lib.sh"

script='for n in pid net ipc uts mnt cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done; echo "mypid $$"'
in_ctr "$script"
log "$OUT"
for n in pid net ipc uts mnt cgroup; do
	inside=$(echo "$OUT" | sed -n "s/^$n //p")
	[ -n "$inside" ] || fail "no $n namespace read inside"
	assert_ne "$(ns_of self "$n")" "$inside" "$n namespace (new)"
done
assert_eq "mypid 1" "$(echo "$OUT" | tail -n1)" "pid of the container process in its pid namespace"

# without network, ipc and cgroup entries the container shares the caller's
cfg '.linux.namespaces |= map(select(.type != "network" and .type != "ipc" and .type != "cgroup"))'
cfg '.mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))'
in_ctr "$script"
for n in net ipc cgroup; do
	assert_eq "$(ns_of self "$n")" "$(echo "$OUT" | sed -n "s/^$n //p")" "$n namespace (inherited)"
done
for n in pid uts mnt; do
	assert_ne "$(ns_of self "$n")" "$(echo "$OUT" | sed -n "s/^$n //p")" "$n namespace (new)"
done
exit 0
