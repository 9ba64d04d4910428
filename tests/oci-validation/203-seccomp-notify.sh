#!/bin/bash
# config-linux.md, Seccomp: "listenerPath (string, OPTIONAL) - specifies the path of UNIX
#   domain socket over which the runtime will send the container process state data
#   structure when the SCMP_ACT_NOTIFY action is used. This socket MUST use AF_UNIX domain
#   and SOCK_STREAM type. The runtime MUST send exactly one container process state per
#   connection. ... The container process state data structure MUST be sent as JSON ...
#   the seccomp file descriptors ... in the SCM_RIGHTS array ... fds ["seccompFd"]";
#   "listenerMetadata (string, OPTIONAL) - specifies an opaque data to pass to the seccomp
#   agent"; The Container Process State: ociVersion, fds, pid ("as seen by the runtime"),
#   metadata, state.
# A small listener (helpers/security/seccomp-listener.c) answers every mkdir with "success"
# without running it: the directory is then absent, which only the agent can cause.
. "$(dirname "$0")/lib.sh"
helper LISTENER seccomp-listener

mkdir -p "$T/agent"
"$LISTENER" -v 0 "$T/agent.sock" "$T/agent" > "$T/agent.log" 2>&1 &
PIDS+=($!)
wait_for 5 test -e "$T/agent/ready" || fail "the listener did not start: $(cat "$T/agent.log")"

cfg --arg sock "$T/agent.sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	listenerPath: $sock, listenerMetadata: "MKNOD=/dev/null;hutch-test",
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
bind_out
sh_args 'mkdir /tmp/made; echo "mkdir=$?" > /out/init; [ -d /tmp/made ] && echo present >> /out/init || echo absent >> /out/init; exec sleep 600'
create_ctr
pid=$(state_of "$ID" pid)
start_ctr
wait_for 10 test -s "$T/out/init" -a -e "$T/agent/state.1.json" || fail "the container did not report"
wait_for 5 grep -q absent "$T/out/init"
log "container: $(cat "$T/out/init")"
assert_eq "mkdir=0 absent" "$(tr '\n' ' ' < "$T/out/init" | sed 's/ $//')" \
	"mkdir answered by the agent (success, nothing made)"

s=$T/agent/state.1.json
log "state sent: $(cat "$s")"
jq -e . "$s" > /dev/null || fail "the state is not one JSON document: $(cat "$s")"
assert_eq 1 "$(cat "$T/agent/fds.1")" "fds sent with the state (SCM_RIGHTS)"
assert_eq '["seccompFd"]' "$(jq -c .fds "$s")" "fds"
assert_match "$(jq -r .ociVersion "$s")" '^1\.' "ociVersion"
assert_eq "MKNOD=/dev/null;hutch-test" "$(jq -r .metadata "$s")" "metadata"
assert_eq "$pid" "$(jq -r .pid "$s")" "pid: the container process, as seen by the runtime"
assert_eq "$ID" "$(jq -r .state.id "$s")" "state.id"
assert_eq "$pid" "$(jq -r .state.pid "$s")" "state.pid"
assert_eq "$(cd "$BUNDLE" && pwd -P)" "$(jq -r .state.bundle "$s")" "state.bundle"
assert_match "$(jq -r .state.status "$s")" '^(creating|created)$' "state.status"
assert_match "$(jq -r .state.ociVersion "$s")" '^1\.' "state.ociVersion"
# (the shell forks mkdir: the notification comes from a child of the init)
grep -Eq "^conn=1 pid=[1-9][0-9]* nr=(83|258) valid=1" "$T/agent/notify.log" ||
	fail "no notification of mkdir: $(cat "$T/agent/notify.log")"

# exec: a connection of its own, with the exec'd process's pid and the running state
runc_deviates "runc 1.1's exec with a seccomp listener is killed"
assert_ok rt exec --pid-file "$T/exec.pid" "$ID" sh -c 'mkdir /tmp/again && [ ! -d /tmp/again ] && echo faked'
assert_eq faked "$OUT" "mkdir in an exec'd process, answered by the agent"
s=$T/agent/state.2.json
wait_for 5 test -e "$s" || fail "exec sent no state"
log "exec state: $(cat "$s")"
epid=$(jq -r .pid "$s")
assert_eq "$(cat "$T/exec.pid")" "$epid" "pid: the exec'd process (its --pid-file)"
grep -Eq "^conn=2 pid=[1-9][0-9]* nr=(83|258) " "$T/agent/notify.log" ||
	fail "no notification from the exec'd process: $(cat "$T/agent/notify.log")"
assert_eq "$ID" "$(jq -r .state.id "$s")" "exec: state.id"
assert_eq "$pid" "$(jq -r .state.pid "$s")" "exec: state.pid is the container's"
assert_eq running "$(jq -r .state.status "$s")" "exec: state.status"
assert_eq "MKNOD=/dev/null;hutch-test" "$(jq -r .metadata "$s")" "exec: metadata"

# without noNewPrivileges the filter is loaded during create, before the capability drop,
# in a user namespace: the listener is still reached (with the runtime's credentials)
new_id ID2 early
cfg '.process.noNewPrivileges = false | .linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
sh_args 'mkdir /tmp/made && [ ! -d /tmp/made ] && echo faked'
run_ctr "$ID2"
[ "$RC" = 0 ] || fail "run with the listener in a user namespace failed ($RC): $ERR"
assert_eq faked "$OUT" "mkdir answered by the agent (user namespace, early load)"
s=$T/agent/state.3.json
wait_for 5 test -e "$s" || fail "no state for the third container process"
assert_eq "$ID2" "$(jq -r .state.id "$s")" "state.id (early load)"
assert_eq creating "$(jq -r .state.status "$s")" "state.status while the container is being created"
exit 0
