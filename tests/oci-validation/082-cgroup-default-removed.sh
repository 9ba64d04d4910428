#!/bin/bash
# runtime.md, Delete: "Deleting a container MUST delete the resources that were created
#   during the create step."  (the cgroup the runtime made without a cgroupsPath)
# runtime.md, Errors: a failing create leaves nothing behind.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
mem=$(sed -n 's/^[0-9]*:memory://p' "/proc/$pid/cgroup")
log "memory cgroup: $mem"
assert_ne "$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)" "$mem" "container's memory cgroup vs the caller's"
[ -d "/sys/fs/cgroup/memory$mem" ] || fail "no /sys/fs/cgroup/memory$mem"
assert_ok rt delete --force "$ID"
wait_for 5 test ! -d "/sys/fs/cgroup/memory$mem" || fail "cgroup $mem left after delete"
exit 0
