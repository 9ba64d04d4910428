#!/bin/bash
# runc CLI `exec` errors, each a clear message and no process left behind: a stopped
#   container ("cannot exec in a stopped container"), an unknown id, no command, a program
#   that is missing or not executable (the kernel's words "no such file or directory" /
#   "permission denied", which Podman maps to exit codes 127 and 126), --apparmor and
#   --process-label on a host without that LSM, bad -u/-g, --preserve-fds past the open fds.
#   exec into a created (not yet started) container works, as in runc.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
create_ctr
# created: the init waits for start; exec may already run processes in it
cfg_host=$(jq -r .hostname "$BUNDLE/config.json")
assert_ok rt exec "$ID" hostname
assert_eq "$cfg_host" "$OUT" "exec into a created container (its uts namespace)"
start_ctr
wait_status "$ID" running

assert_exec_fails rt exec "$ID" /no/such/program
assert_contains "$ERR" "no such file or directory" "exec of a missing program"
assert_exec_fails rt exec "$ID" no-such-program
assert_match "$ERR" "(not found|no such file or directory)" "exec of a program not in PATH"
assert_exec_fails rt exec "$ID" /etc/passwd
assert_contains "$ERR" "permission denied" "exec of a file that is not executable"

assert_exec_fails rt exec --apparmor some-profile "$ID" true
assert_match "$ERR" "[Aa]pp[Aa]rmor" "exec --apparmor without AppArmor"
assert_exec_fails rt exec --process-label system_u:system_r:container_t:s0 "$ID" true
assert_match "$ERR" "(SELinux|selinux)" "exec --process-label without SELinux"
jq -n '{args: ["true"], cwd: "/", user: {uid: 0, gid: 0}, apparmorProfile: "p"}' > "$T/aa.json"
assert_exec_fails rt exec --process "$T/aa.json" "$ID"
assert_match "$ERR" "[Aa]pp[Aa]rmor" "a process file with apparmorProfile without AppArmor"

assert_exec_fails rt exec "$ID"
assert_match "$ERR" "(args|command)" "exec without a command"
assert_exec_fails rt exec -u bob "$ID" true
assert_exec_fails rt exec -g -5 "$ID" true
# (runc 1.1 does not check; runc 1.2+ does: "unable to stat preserved-fd")
if ! is_runc; then
	assert_exec_fails rt exec --preserve-fds 3 "$ID" true
	assert_match "$ERR" "(preserve|fd)" "--preserve-fds 3 with no fd open past stderr"
fi
assert_exec_fails rt exec no-such-container true

# nothing of the failed execs is left in the container: just its init
assert_ok rt ps --format json "$ID"
assert_eq 1 "$(jq length <<< "$OUT")" "processes in the container after the failed execs"

# a stopped container
new_id ID2 stopped
set_args true
create_ctr "$ID2"
start_ctr "$ID2"
wait_status "$ID2" stopped
assert_exec_fails rt exec "$ID2" true
assert_contains "$ERR" "stopped" "exec into a stopped container"
exit 0
