#!/bin/bash
# Podman's default seccomp profile (data/podman-seccomp.json: linux.seccomp of the
# config Podman 4.3 generates, defaultAction SCMP_ACT_ERRNO with defaultErrnoRet ENOSYS, an
# allow-list of ~380 names of several kernels and architectures, personality args) must
# load and let an ordinary shell session run, under the filter (Seccomp: 2), both with and
# without noNewPrivileges (the latter loads it before the capability drop) and in `exec`.
. "$(dirname "$0")/lib.sh"
install_probe

cfg --slurpfile p "$E2E_DIR/data/podman-seccomp.json" '.linux.seccomp = $p[0] | .root.readonly = false'
script='grep ^Seccomp: /proc/self/status | tr -d "\t"
cd /tmp && mkdir d && echo hello > d/f && cat d/f && ls d && rm -r d && echo files-ok
sleep 0.1 & wait && echo jobs-ok
echo x | sed s/x/y/ | grep -c y
probe syscall 139 3
probe syscall 135 4294967295
hostname inside 2>&1 || echo hostname-denied'
in_ctr "$script"
log "$OUT"
assert_contains "$OUT" "Seccomp:2" "the filter is loaded"
assert_contains "$OUT" "files-ok" "files, directories"
assert_contains "$OUT" "jobs-ok" "fork, wait"
assert_contains "$OUT" "ret=-1 errno=1" "sysfs is denied with EPERM (the profile's errnoRet 1)"
assert_match "$OUT" "ret=[0-9]+ errno=0" "personality(0xffffffff) is allowed by its args rule"
assert_contains "$OUT" "hostname-denied" "sethostname is denied"

cfg '.process.noNewPrivileges = false'
in_ctr "$script"
assert_contains "$OUT" "Seccomp:2" "the filter is loaded (no noNewPrivileges)"
assert_contains "$OUT" "files-ok" "files, directories (no noNewPrivileges)"

set_args sleep 600
create_ctr
start_ctr
assert_ok rt exec "$ID" sh -c "$script"
assert_contains "$OUT" "Seccomp:2" "exec: the filter is loaded"
assert_contains "$OUT" "files-ok" "exec: files, directories"
assert_contains "$OUT" "hostname-denied" "exec: sethostname is denied"
exit 0
