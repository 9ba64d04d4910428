#!/bin/bash
# runc CLI `spec [--bundle DIR] [--rootless]`: writes a starter config.json, runc's default
#   (the same JSON but for ociVersion and hostname), never over an existing one. A container
#   made from it runs, with the capabilities it names.
# References: data/runc-1.1.5/spec*.json (as root on a hybrid cgroup host), and the runc
# installed here when there is one.
. "$(dirname "$0")/lib.sh"
REF=$E2E_DIR/data/runc-1.1.5

norm() { jq -S 'del(.ociVersion, .hostname)' "$1"; }
# runc adds a cgroup namespace (before the user one) where cgroup v2 is the only hierarchy
ref_here() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		jq '.linux.namespaces |= (map(select(.type != "user")) + [{type: "cgroup"}] + map(select(.type == "user")))' "$1"
	else
		cat "$1"
	fi
}

mkdir "$T/s1" "$T/s2"
( cd "$T/s1" && "$RUNTIME" spec ) || fail "spec in the current directory failed"
assert_ok rt spec --bundle "$T/s2" --rootless
[ -f "$T/s1/config.json" ] || fail "spec wrote no config.json in the current directory"

if ! is_runc; then
	ref_here "$REF/spec.json" > "$T/ref.json"
	ref_here "$REF/spec-rootless.json" > "$T/ref-rootless.json"
	assert_eq "$(norm "$T/ref.json")" "$(norm "$T/s1/config.json")" "spec (against runc 1.1.5's)"
	assert_eq "$(norm "$T/ref-rootless.json")" "$(norm "$T/s2/config.json")" "spec --rootless (against runc 1.1.5's)"
	if command -v runc > /dev/null; then
		mkdir "$T/r1" "$T/r2"
		runc spec --bundle "$T/r1" && runc spec --rootless --bundle "$T/r2" || fail "runc spec failed"
		assert_eq "$(norm "$T/r1/config.json")" "$(norm "$T/s1/config.json")" "spec (against the runc here)"
		assert_eq "$(norm "$T/r2/config.json")" "$(norm "$T/s2/config.json")" "spec --rootless (against the runc here)"
	fi
fi

# never over an existing config.json
echo '{"mine": true}' > "$T/s2/config.json"
assert_fails rt spec --bundle "$T/s2"
assert_eq '{"mine": true}' "$(cat "$T/s2/config.json")" "an existing config.json after spec"
assert_fails rt spec --bundle "$T/no/such/dir"

# the default config runs (without its terminal): CAP_AUDIT_WRITE, CAP_KILL,
# CAP_NET_BIND_SERVICE = bits 29, 5, 10
make_rootfs "$T/s1/rootfs" || fail "cannot make the rootfs"
CONFIG=$T/s1/config.json cfg '.process.terminal = false | .process.args = ["sh", "-c", "hostname; grep ^CapBnd: /proc/self/status"]'
capture rt run --bundle "$T/s1" "$ID"
assert_eq 0 "$RC" "exit status of a container from spec's config ($ERR)"
assert_eq "$(jq -r .hostname "$T/s1/config.json")" "$(head -n1 <<< "$OUT")" "hostname from spec's config"
assert_match "$OUT" 'CapBnd:[[:space:]]+0000000020000420' "bounding set from spec's config"
exit 0
