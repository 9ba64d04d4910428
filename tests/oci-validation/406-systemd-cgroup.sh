#!/bin/bash
# runc --systemd-cgroup: linux.cgroupsPath is "slice:prefix:name" and the container's cgroup
# is the transient scope "prefix-name.scope" that systemd creates in that slice (over D-Bus).
# Where systemd is not the init system (this project's machines and CI), create fails with
# a one-line error and leaves nothing behind; where it is, the scope is checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup-lib.sh"

# features.md: the driver is there (whether systemd runs here or not)
assert_eq true "$("$RUNTIME" features | jq .linux.cgroup.systemd)" "features: linux.cgroup.systemd"
set_args sleep 600
cfg --arg p "system.slice:hutch-t:$ID" '.linux.cgroupsPath = $p'
if [ ! -d /run/systemd/system ]; then
	capture timeout 30 "$RUNTIME" --systemd-cgroup --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID"
	log "without systemd: exit $RC: $ERR"
	assert_eq 1 "$RC" "exit status of create --systemd-cgroup without systemd"
	is_runc || assert_eq 1 "$(wc -l <<< "$ERR")" "lines of the error"
	assert_contains "$ERR" "systemd" "the error"
	state_dir_exists "$ID" && fail "a refused create left its state"
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$ID*" 2> /dev/null)" ] || fail "a refused create left a cgroup"
else
	CG=/system.slice/hutch-t-$ID.scope
	CGROUPS+=("$CG")
	assert_ok timeout 30 "$RUNTIME" --systemd-cgroup --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID"
	track_pid "$ID"
	got=$(grep -E '^0::|name=systemd' "/proc/$(state_of "$ID" pid)/cgroup" | head -n1 | cut -d: -f3)
	log "with systemd: the container is in $got"
	assert_eq "$CG" "$got" "the container's cgroup"
	assert_ok timeout 30 "$RUNTIME" --systemd-cgroup --root "$STATE_ROOT" delete --force "$ID"
	wait_for 10 test ! -d "$(cg_dir pids "$CG")" || fail "the scope's cgroup is left after delete"
fi
# a cgroupsPath that is not slice:prefix:name, or names no valid unit, is an error either way
# (checked before asking systemd). Each line: the path, then words of hutch's error.
while read -r path want; do
	cfg --arg p "$path" '.linux.cgroupsPath = $p'
	assert_fails timeout 30 "$RUNTIME" --systemd-cgroup --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID"
	log "cgroupsPath $path: $ERR"
	is_runc || assert_contains "$ERR" "$want" "the error for cgroupsPath $path"
	is_runc || assert_eq 1 "$(wc -l <<< "$ERR")" "lines of the error for cgroupsPath $path"
	state_dir_exists "$ID" && fail "a refused create ($path) left its state"
done <<- 'PATHS'
	/not/a/unit slice:prefix:name
	system.slice:hutch slice:prefix:name
	a:b:c:d slice:prefix:name
	system.slice:hutch: unit name is empty
	a--b.slice:hutch:x invalid systemd slice
	-a.slice:hutch:x invalid systemd slice
	system.slice:hu/tch:x invalid systemd unit name
PATHS
exit 0
