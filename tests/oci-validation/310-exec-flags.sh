#!/bin/bash
# runc CLI `exec ID CMD...`: the process is config.json's process with the flags applied:
#   -e KEY=VALUE (added, or replacing KEY), --cwd, -u UID[:GID] (a bare UID keeps the
#   config's gid), -g GID (added to additionalGids), -c CAP (added to the bounding, effective
#   and permitted sets; to ambient only with an inheritable set), --no-new-privs,
#   --preserve-fds N, -d with --pid-file; the foreground exec exits with the process's
#   status (128+N for a signal). Checked from inside the exec'd process (/proc/self/status).
. "$(dirname "$0")/lib.sh"

set_args sleep 600
cfg '.process.env += ["FROM_CONFIG=1"] | .process.user = {uid: 0, gid: 100, additionalGids: [100]}
	| .process.noNewPrivileges = false'
create_ctr
start_ctr
wait_status "$ID" running
init=$(state_of "$ID" pid)

status_field() { sed -n "s/^$1:[[:space:]]*//p" <<< "$2"; }

# the defaults: config.json's process
assert_ok rt exec "$ID" sh -c 'echo "$FROM_CONFIG $(pwd) $(id -u):$(id -g)"; cat /proc/self/status'
assert_eq "1 / 0:100" "$(head -n1 <<< "$OUT")" "env, cwd and ids from config.json"
assert_eq "$(status_field CapEff "$(cat "/proc/$init/status")")" "$(status_field CapEff "$OUT")" "capabilities of a plain exec (the container's)"
assert_eq 0 "$(status_field NoNewPrivs "$OUT")" "no_new_privs of a plain exec (config false)"

# -e, --cwd
assert_ok rt exec -e FOO=bar -e FROM_CONFIG=2 --cwd /tmp "$ID" sh -c 'echo "$FOO $FROM_CONFIG $(pwd) $(env | grep -c ^FROM_CONFIG=)"'
assert_eq "bar 2 /tmp 1" "$OUT" "-e adds and replaces, --cwd"

# -u, -g
assert_ok rt exec -u 1000 "$ID" sh -c 'echo "$(id -u):$(id -g)"'
assert_eq "1000:100" "$OUT" "-u UID keeps the config's gid"
assert_ok rt exec --user 1000:1001 --additional-gids 5 --additional-gids 7 "$ID" sh -c 'echo "$(id -u):$(id -g)"; grep ^Groups: /proc/self/status'
assert_eq "1000:1001" "$(head -n1 <<< "$OUT")" "-u UID:GID"
groups=$(sed -n 's/^Groups:[[:space:]]*//p' <<< "$OUT" | xargs -n1 | sort -n | xargs)
assert_eq "5 7 100" "$groups" "-g adds to the config's additionalGids"
assert_ok rt exec -g 9 "$ID" grep ^Groups: /proc/self/status
assert_eq "9 100" "$(sed 's/^Groups:[[:space:]]*//' <<< "$OUT" | xargs -n1 | sort -n | xargs)" "-g (short form)"

# -c: CAP_SYS_ADMIN is bit 21
has_bit() { [ $(( 0x$1 >> $2 & 1 )) = 1 ]; }
assert_ok rt exec --cap CAP_SYS_ADMIN --cap CAP_NET_RAW "$ID" cat /proc/self/status
for set in CapBnd CapEff CapPrm; do
	has_bit "$(status_field $set "$OUT")" 21 || fail "-c CAP_SYS_ADMIN: not in $set ($(status_field $set "$OUT"))"
	has_bit "$(status_field $set "$OUT")" 13 || fail "--cap CAP_NET_RAW: not in $set"
done
assert_ok rt exec -c CAP_SYS_ADMIN "$ID" cat /proc/self/status
has_bit "$(status_field CapEff "$OUT")" 21 || fail "-c CAP_SYS_ADMIN: not in CapEff"
has_bit "$(status_field CapAmb "$OUT")" 21 && fail "-c put CAP_SYS_ADMIN in the ambient set without an inheritable set"
has_bit "$(status_field CapEff "$(cat "/proc/$init/status")")" 21 && fail "the container's init has CAP_SYS_ADMIN: the test proves nothing"

# --no-new-privs
assert_ok rt exec --no-new-privs "$ID" grep ^NoNewPrivs: /proc/self/status
assert_eq 1 "$(status_field NoNewPrivs "$OUT")" "--no-new-privs"

# --preserve-fds
echo "through fd 3" > "$T/fd3"
exec 3< "$T/fd3"
assert_ok rt exec --preserve-fds 1 "$ID" sh -c 'cat <&3; ls /proc/self/fd | sort -n | tr "\n" " "'
assert_eq "through fd 3" "$(head -n1 <<< "$OUT")" "fd 3 with --preserve-fds 1"
assert_eq "0 1 2 3 " "$(tail -n1 <<< "$OUT" | sed 's/[0-9]* $//')" "open fds of the exec'd ls (its own directory fd last)"
assert_ok rt exec "$ID" sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
assert_eq "0 1 2 " "$(sed 's/[0-9]* $//' <<< "$OUT")" "open fds without --preserve-fds"
exec 3<&-

# exit status in the foreground
assert_exit 5 rt exec "$ID" sh -c 'exit 5'
assert_exit 137 rt exec "$ID" sh -c 'kill -9 $$'
assert_exit 0 rt exec "$ID" true

# -d with --pid-file: the process runs on, detached, in the container
assert_ok rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 300
pid=$(cat "$T/exec.pid")
assert_match "$pid" '^[0-9]+$' "pid file of exec -d"
PIDS+=("$pid")
assert_eq sleep "$(cat "/proc/$pid/comm")" "the detached process"
for ns in pid mnt net ipc uts cgroup; do
	assert_eq "$(ns_of "$init" $ns)" "$(ns_of "$pid" $ns)" "$ns namespace of exec -d"
done
exit 0
