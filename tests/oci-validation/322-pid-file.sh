#!/bin/bash
# runc CLI --pid-file FILE (create, run -d, exec -d): the host pid of the process in plain
#   decimal (no newline: conmon and the containerd shim read it as it is), written atomically
#   (a new file renamed over the old one: a reader never sees it half written), relative to
#   the caller's directory. A pid file that cannot be written fails create and leaves nothing.
. "$(dirname "$0")/lib.sh"

set_args sleep 600
mkdir "$T/pids"
echo "stale content, longer than a pid" > "$T/pids/init.pid"
inode_before=$(stat -c %i "$T/pids/init.pid")
( cd "$T/pids" && rt create --bundle "$BUNDLE" --pid-file init.pid "$ID" ) < /dev/null > "$T/create.out" 2>&1 ||
	fail "create --pid-file (relative) failed: $(cat "$T/create.out")"
track_pid "$ID"
pid=$(state_of "$ID" pid)
assert_eq "$pid" "$(cat "$T/pids/init.pid")" "pid file of create (the init's host pid)"
assert_eq "${#pid}" "$(wc -c < "$T/pids/init.pid")" "size of the pid file (digits only, no newline)"
assert_ne "$inode_before" "$(stat -c %i "$T/pids/init.pid")" "inode of the pid file (replaced by a rename, not rewritten)"
assert_eq "init.pid" "$(ls -A "$T/pids")" "files left beside the pid file"
assert_ne "$(ns_of self pid)" "$(ns_of "$pid" pid)" "the pid file's process is in the container's pid namespace"
start_ctr

# exec -d
assert_ok rt exec -d --pid-file "$T/pids/exec.pid" "$ID" sleep 500
epid=$(cat "$T/pids/exec.pid")
PIDS+=("$epid")
assert_match "$epid" '^[0-9]+$' "pid file of exec -d"
assert_eq "${#epid}" "$(wc -c < "$T/pids/exec.pid")" "size of exec's pid file"
assert_eq "$(ns_of "$pid" mnt)" "$(ns_of "$epid" mnt)" "exec's pid file names a process in the container"

# run -d
new_id ID2 run
assert_ok rt run -d --pid-file "$T/pids/run.pid" --bundle "$BUNDLE" "$ID2"
track_pid "$ID2"
assert_eq "$(state_of "$ID2" pid)" "$(cat "$T/pids/run.pid")" "pid file of run -d"

# a pid file that cannot be written
new_id ID3 bad
assert_fails rt create --bundle "$BUNDLE" --pid-file "$T/no/such/dir/x.pid" "$ID3"
assert_contains "$ERR" "$T/no/such/dir/" "the error names the pid file's path"
state_dir_exists "$ID3" && fail "a failed --pid-file left the container's state"
capture rt list -q
assert_not_contains "$OUT" "$ID3" "containers after a failed --pid-file"
exit 0
