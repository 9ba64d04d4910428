#!/bin/bash
# runc CLI `exec`: run a process in a running container (not an operation of runtime.md, but
#   part of the runc command line hutch implements). The process joins the container's
#   namespaces and gets the container's environment/cwd.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
cfg '.hostname = "exec-box" | .process.env += ["FROM_CONFIG=1"]'
create_ctr
start_ctr
wait_status "$ID" running
pid=$(state_of "$ID" pid)
assert_ok rt exec "$ID" sh -c 'hostname; echo "pid1 $(cat /proc/1/comm)"; readlink /proc/self/ns/net; echo "env $FROM_CONFIG"'
log "$OUT"
assert_eq exec-box "$(echo "$OUT" | sed -n 1p)" "hostname seen by exec"
assert_eq "pid1 sleep" "$(echo "$OUT" | sed -n 2p)" "pid 1 seen by exec"
assert_eq "$(ns_of "$pid" net)" "$(echo "$OUT" | sed -n 3p)" "net namespace of exec"
assert_eq "env 1" "$(echo "$OUT" | sed -n 4p)" "environment of exec"
assert_exit 5 rt exec "$ID" sh -c 'exit 5'
exit 0
