#!/bin/bash
# config.md: "apparmorProfile (string, OPTIONAL) specifies the name of the AppArmor profile
#   for the process"; "selinuxLabel (string, OPTIONAL) specifies the SELinux label for the
#   process"; config-linux.md: "mountLabel (string, OPTIONAL) will set the Selinux context
#   for the mounts in the container". runtime.md: a runtime that cannot apply a setting
#   MUST generate an error.
# hutch writes the labels through the LSM's attributes (lsm.c) when the LSM is enabled;
# without it, create and exec fail with one line naming the field and leave nothing.
# Where AppArmor is enabled and apparmor_parser is installed, a profile loaded for the test
# must be the container process's (/proc/self/attr/current).
. "$(dirname "$0")/lib.sh"

apparmor=n
[ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" = Y ] && apparmor=y
selinux=n
[ "$(stat -f -c %T /sys/fs/selinux 2> /dev/null)" = selinuxfs ] && selinux=y
log "AppArmor enabled: $apparmor, SELinux enabled: $selinux"

# refused FIELD JQ: create must fail naming FIELD
refused() {
	cfg "del(.process.apparmorProfile) | del(.process.selinuxLabel) | del(.linux.mountLabel) | $2"
	capture rt create --bundle "$BUNDLE" "$ID"
	log "$1: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$1 on a host without its LSM: expected exit status 1, got $RC"
	is_runc || assert_eq "hutch: $1: $3 is not enabled on this host" "$ERR" "the error for $1"
	state_dir_exists "$ID" && fail "$1: the failed create left its state"
	return 0
}

set_args sleep 600
[ $apparmor = n ] && refused process.apparmorProfile '.process.apparmorProfile = "hutch-test"' AppArmor
[ $selinux = n ] && refused process.selinuxLabel '.process.selinuxLabel = "system_u:system_r:container_t:s0"' SELinux
[ $selinux = n ] && refused linux.mountLabel '.linux.mountLabel = "system_u:object_r:container_file_t:s0"' SELinux
cfg 'del(.process.apparmorProfile) | del(.process.selinuxLabel) | del(.linux.mountLabel)'

# exec: the process.json's labels are checked the same way; the container keeps running
create_ctr
start_ctr
if [ $apparmor = n ]; then
	jq '.process | .apparmorProfile = "hutch-test" | .args = ["true"]' "$BUNDLE/config.json" > "$T/p.json"
	capture rt exec --process "$T/p.json" "$ID"
	log "exec with apparmorProfile: rc=$RC $ERR"
	[ "$RC" = 1 ] || { is_runc && [ "$RC" != 0 ]; } || fail "exec with apparmorProfile: expected exit status 1, got $RC"
	is_runc || assert_contains "$ERR" "process.apparmorProfile: AppArmor is not enabled on this host" "exec error"
	wait_status "$ID" running
	# runc's flags for the same fields
	capture rt exec --apparmor hutch-test "$ID" true
	[ "$RC" != 0 ] || fail "exec --apparmor on a host without AppArmor succeeded"
	is_runc || assert_contains "$ERR" "process.apparmorProfile: AppArmor is not enabled on this host" "exec --apparmor"
fi
if [ $selinux = n ]; then
	capture rt exec --process-label system_u:system_r:container_t:s0 "$ID" true
	[ "$RC" != 0 ] || fail "exec --process-label on a host without SELinux succeeded"
	is_runc || assert_contains "$ERR" "process.selinuxLabel: SELinux is not enabled on this host" "exec --process-label"
	wait_status "$ID" running
fi
rt delete --force "$ID" > /dev/null 2>&1

if [ $apparmor = y ] && command -v apparmor_parser > /dev/null; then
	prof=hutch-test-$$
	printf 'profile %s flags=(attach_disconnected,mediate_deleted) {\n  file,\n  capability,\n  network,\n  signal,\n  ptrace,\n  mount,\n  umount,\n  pivot_root,\n  unix,\n}\n' "$prof" > "$T/profile"
	apparmor_parser -r "$T/profile" || fail "cannot load the test profile"
	cfg --arg p "$prof" '.process.apparmorProfile = $p'
	in_ctr 'cat /proc/self/attr/current'
	apparmor_parser -R "$T/profile"
	assert_contains "$OUT" "$prof" "the container process's AppArmor profile"
elif [ $apparmor = y ]; then
	log "AppArmor is enabled but apparmor_parser is missing: the profile itself is not tested"
fi
[ $selinux = y ] && log "SELinux is enabled: labels are applied, but this test only checks the error paths"
exit 0
