#!/bin/bash
# What clients parse has runc's shape: `state`, `list -f json`, `ps -f json` (containerd),
# `features` (runtime-spec features.md), `--version` (Podman). Every key of runc's output is
# in hutch's with a value of the same JSON type (hutch may add the keys of newer specs).
# References: data/runc-1.1.5/ (kept in the tree), and the runc installed here when there is
# one, run on the same bundle.
. "$(dirname "$0")/lib.sh"
REF=$E2E_DIR/data/runc-1.1.5

# shape: one "path type" line per value; array indexes become [], the keys of annotations
# maps (free-form) become *
SHAPE='[paths as $p | ($p | map(if type == "number" then "[]" else tostring end)) as $k
	| ($k | index("annotations")) as $a
	| (if $a == null then $k else $k[:$a + 1] + ["*"] end | join(".")) + " " + (getpath($p) | type)]
	| unique | .[]'
shape() { jq -r "$SHAPE"; }

# same_shape WHAT REFERENCE-JSON HUTCH-JSON: every line of the reference's shape is in hutch's
same_shape() {
	local ref got missing
	ref=$(shape <<< "$2") || fail "$1: the reference is not JSON"
	got=$(shape <<< "$3") || fail "$1: hutch's output is not JSON: $3"
	missing=$(comm -23 <(sort -u <<< "$ref") <(sort -u <<< "$got"))
	[ -z "$missing" ] || fail "$1: keys/types of runc's output missing from hutch's:
$missing"
	log "$1: $(wc -l <<< "$ref") keys/types of runc's found"
}

version_shape() { # the keys of `--version`'s lines, the runtime's name normalised
	sed -e 's/^[a-z]* version .*/NAME version X/' -e 's/:.*/:/' | sort -u | grep -v '^go:$'
}

is_runc && skip "the references are runc's own output"

# a running container with annotations, and an exec'd process for ps
cfg '.annotations = {"org.example.key": "value"}'
set_args sleep 600
create_ctr
capture rt state "$ID"
h_created=$OUT
start_ctr
wait_status "$ID" running
assert_ok rt exec -d "$ID" sleep 500

capture rt state "$ID"
h_state=$OUT
capture rt list -f json
h_list=$OUT
capture rt ps -f json "$ID"
h_ps=$OUT
capture rt features
h_features=$OUT
capture rt --version
h_version=$OUT

same_shape "state" "$(cat "$REF/state.json")" "$h_state"
same_shape "state (created)" "$(cat "$REF/state.json")" "$h_created"
same_shape "list -f json" "$(cat "$REF/list.json")" "$h_list"
same_shape "ps -f json" "$(cat "$REF/ps.json")" "$h_ps"
assert_eq 2 "$(jq length <<< "$h_ps")" "ps -f json: the init and the exec'd process"
same_shape "features" "$(cat "$REF/features.json")" "$h_features"
assert_eq "$(version_shape < "$REF/version.txt")" "$(version_shape <<< "$h_version")" "the lines of --version"
assert_match "$(head -n1 <<< "$h_version")" '^hutch version [0-9]+\.[0-9]+\.[0-9]+' "first line of --version"
assert_match "$h_version" 'spec: 1\.3\.0' "spec line of --version"
assert_match "$h_version" 'libseccomp: [0-9]+\.[0-9]+\.[0-9]+' "libseccomp line of --version"

# and the runc installed here, on the same bundle
if command -v runc > /dev/null; then
	rroot=$T/runc-root
	rid=$ID-runc
	IDS+=("$rid")
	timeout 30 runc --root "$rroot" run -d --bundle "$BUNDLE" "$rid" < /dev/null > /dev/null 2>&1 ||
		fail "runc run -d failed"
	PIDS+=("$(runc --root "$rroot" state "$rid" | jq .pid)")
	same_shape "state (runc here)" "$(runc --root "$rroot" state "$rid")" "$h_state"
	same_shape "list -f json (runc here)" "$(runc --root "$rroot" list -f json)" "$h_list"
	same_shape "ps -f json (runc here)" "$(runc --root "$rroot" ps -f json "$rid")" "$h_ps"
	same_shape "features (runc here)" "$(runc features)" "$h_features"
	assert_eq "$(runc --version | version_shape)" "$(version_shape <<< "$h_version")" "the lines of --version (runc here)"
	runc --root "$rroot" delete -f "$rid" > /dev/null 2>&1
fi

# a stopped container: the same keys (pid 0, as runc)
assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
capture rt state "$ID"
same_shape "state (stopped)" "$(cat "$REF/state.json")" "$OUT"
assert_eq 0 "$(jq .pid <<< "$OUT")" "pid in the state of a stopped container"

# list with no container: the same as runc's
empty=$T/empty-root
mkdir "$empty"
assert_eq null "$(timeout 10 "$RUNTIME" --root "$empty" list -f json)" "list -f json without containers"
exit 0
