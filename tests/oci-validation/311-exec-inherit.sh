#!/bin/bash
# runc CLI `exec`: the exec'd process joins every namespace of the container (user and time
#   too) and its cgroup, and gets the container's seccomp filter; what a --process file
#   leaves out (capabilities, rlimits) is the container's, as in runc (newInitConfig); what
#   it gives wins. oomScoreAdj and umask are the container's too. (Two containers: hutch
#   cannot set oomScoreAdj in a new user namespace yet.)
. "$(dirname "$0")/lib.sh"

# A: user and time namespaces too (runc 1.1 knows no time namespace)
cgroup_path CG main
set_args sleep 600
extra='{type: "user"}'
is_runc || extra+=', {type: "time"}'
cfg --arg cg "$CG" ".linux.namespaces += [$extra]"'
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.cgroupsPath = $cg'
create_ctr
start_ctr
wait_status "$ID" running
init=$(state_of "$ID" pid)

# every namespace and the cgroup: a detached exec, looked at from the host
assert_ok rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 300
pid=$(cat "$T/exec.pid")
PIDS+=("$pid")
for ns in pid mnt net ipc uts cgroup user time; do
	assert_eq "$(ns_of "$init" $ns)" "$(ns_of "$pid" $ns)" "$ns namespace of the exec'd process"
done
assert_ne "$(ns_of self user)" "$(ns_of "$pid" user)" "user namespace (a new one)"
assert_eq "$(cat "/proc/$init/cgroup")" "$(cat "/proc/$pid/cgroup")" "cgroups of the exec'd process"
kill "$pid"

# B: limits, seccomp and capabilities of the container
new_id ID2 limits
cfg 'del(.linux.uidMappings, .linux.gidMappings, .linux.cgroupsPath)
	| .linux.namespaces |= map(select(.type != "user" and .type != "time"))
	| .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 333, hard: 444}]
	| .process.oomScoreAdj = 123
	| .process.user.umask = 23
	| .process.capabilities = {bounding: ["CAP_KILL", "CAP_CHOWN", "CAP_SETUID"],
		effective: ["CAP_KILL", "CAP_CHOWN"], permitted: ["CAP_KILL", "CAP_CHOWN"]}
	| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
create_ctr "$ID2"
start_ctr "$ID2"
wait_status "$ID2" running
init_status=$(cat "/proc/$(state_of "$ID2" pid)/status")
field() { sed -n "s/^$1:[[:space:]]*//p" <<< "$2"; }
ID=$ID2

# seccomp, rlimits, oomScoreAdj, umask, capabilities: from inside, with the flags' process
probe='grep -E "^(Seccomp|CapEff|CapBnd):" /proc/self/status; grep "^Max open files" /proc/self/limits
echo "oom $(cat /proc/self/oom_score_adj) umask $(umask)"
mkdir /tmp/x 2>&1 || echo "mkdir failed"'
assert_ok rt exec "$ID" sh -c "$probe"
log "$OUT"
assert_eq 2 "$(field Seccomp "$OUT")" "seccomp mode of the exec'd process (a filter)"
assert_contains "$OUT" "Operation not permitted" "mkdir under the container's filter"
assert_match "$(grep '^Max open files' <<< "$OUT")" ' 333 +444 ' "RLIMIT_NOFILE of the exec'd process"
assert_contains "$OUT" "oom 123 " "oomScoreAdj of the exec'd process"
# runc 1.1 leaves exec'd processes the default umask (newer runc: the config's)
is_runc || assert_contains "$OUT" "umask 0027" "umask of the exec'd process (config 23 = 0o27)"
assert_eq "$(field CapEff "$init_status")" "$(field CapEff "$OUT")" "effective capabilities of the exec'd process"
assert_eq "$(field CapBnd "$init_status")" "$(field CapBnd "$OUT")" "bounding set of the exec'd process"

# a --process file without capabilities or rlimits: the container's
# (noNewPrivileges as the container's: without it, a root execve regains the bounding set)
jq -n --arg p "$probe" '{args: ["sh", "-c", $p], cwd: "/", user: {uid: 0, gid: 0},
	env: ["PATH=/bin"], noNewPrivileges: true}' > "$T/bare.json"
assert_ok rt exec --process "$T/bare.json" "$ID"
assert_eq "$(field CapEff "$init_status")" "$(field CapEff "$OUT")" "capabilities with a process file that has none"
# runc 1.1 leaves them runc's own here; runc 1.2+ (newInitConfig) the container's
is_runc || assert_match "$(grep '^Max open files' <<< "$OUT")" ' 333 +444 ' "rlimits with a process file that has none"
assert_eq 2 "$(field Seccomp "$OUT")" "seccomp with a process file"

# a --process file with its own: those win (CAP_KILL only: bit 5 = 0x20)
jq '.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}
	| .rlimits = [{type: "RLIMIT_NOFILE", soft: 55, hard: 66}]' "$T/bare.json" > "$T/own.json"
assert_ok rt exec --process "$T/own.json" "$ID"
assert_eq 0000000000000020 "$(field CapEff "$OUT")" "capabilities of the process file"
assert_eq 0000000000000020 "$(field CapBnd "$OUT")" "bounding set of the process file"
assert_match "$(grep '^Max open files' <<< "$OUT")" ' 55 +66 ' "rlimits of the process file"
exit 0
