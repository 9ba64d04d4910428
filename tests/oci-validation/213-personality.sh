#!/bin/bash
# config-linux.md, Personality: "domain (string, REQUIRED) - the execution domain. The valid
#   list of constants is shown below. LINUX32 will set the uname system call to show a 32
#   bit CPU type, such as i686. LINUX, LINUX32"; "flags (array of strings, OPTIONAL) - the
#   additional flags to apply. Currently no flag values are supported."
# Seen from inside: personality(0xffffffff) (the probe), /proc/self/personality, uname -m.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 has no linux.personality (added in runc 1.2)"
install_probe
[ "$(uname -m)" = x86_64 ] || skip "needs a 64-bit x86 host (LINUX32 shows i686)"

cfg '.linux.personality = {domain: "LINUX32"}'
in_ctr 'probe personality; cat /proc/self/personality; uname -m'
log "LINUX32: $OUT"
assert_eq "personality=0x8" "$(echo "$OUT" | sed -n 1p)" "LINUX32: personality(2) of the process"
assert_eq 00000008 "$(echo "$OUT" | sed -n 2p)" "LINUX32: /proc/self/personality"
assert_eq i686 "$(echo "$OUT" | sed -n 3p)" "LINUX32: uname -m"

# exec'd processes get it too (it is the container's)
set_args sleep 600
create_ctr
start_ctr
assert_ok rt exec "$ID" uname -m
assert_eq i686 "$OUT" "LINUX32: uname -m of an exec'd process"
rt delete --force "$ID" > /dev/null 2>&1

cfg '.linux.personality = {domain: "LINUX"}'
in_ctr 'probe personality; uname -m'
assert_eq "personality=0x0 x86_64" "$(echo $OUT)" "LINUX"

new_id ID2 bad
for b in '{"domain": "LINUX16"}' '{"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'; do
	cfg --argjson b "$b" '.linux.personality = $b'
	capture rt run --bundle "$BUNDLE" "$ID2"
	log "$b: rc=$RC $ERR"
	[ "$RC" = 1 ] || fail "$b: expected exit status 1, got $RC"
	is_runc || assert_contains "$ERR" "linux.personality" "error for $b"
	state_dir_exists "$ID2" && fail "$b: the failed run left its state"
done
exit 0
