#!/bin/bash
# runtime.md, State: "ociVersion (string, REQUIRED)", "id (string, REQUIRED)", "status
#   (string, REQUIRED)", "pid (int, REQUIRED when status is created or running on Linux)",
#   "bundle (string, REQUIRED) is the absolute path to the container's bundle directory",
#   "annotations (map, OPTIONAL) contains the list of annotations associated with the container."
# runtime.md, Query State: "This operation MUST return the state of a container as specified
#   in the State section."
. "$(dirname "$0")/lib.sh"

set_args sleep 600
cfg '.annotations = {"org.hutch.test": "yes", "com.example.key": "value"}'
create_ctr
s=$(state_json "$ID") || fail "state failed"
log "state: $s"
echo "$s" | jq -e . > /dev/null || fail "state is not JSON: $s"
assert_eq string "$(echo "$s" | jq -r '.ociVersion | type')" "type of ociVersion"
assert_match "$(echo "$s" | jq -r .ociVersion)" '^[0-9]+\.[0-9]+\.[0-9]+' "ociVersion is SemVer"
assert_eq "$ID" "$(echo "$s" | jq -r .id)" "id"
assert_eq created "$(echo "$s" | jq -r .status)" "status"
assert_eq number "$(echo "$s" | jq -r '.pid | type')" "type of pid"
assert_eq "$(realpath "$BUNDLE")" "$(echo "$s" | jq -r .bundle)" "bundle (absolute path)"
assert_eq yes "$(echo "$s" | jq -r '.annotations["org.hutch.test"]')" "annotations[org.hutch.test]"
assert_eq value "$(echo "$s" | jq -r '.annotations["com.example.key"]')" "annotations[com.example.key]"

# a relative --bundle is reported as an absolute path
new_id ID2 rel
cd "$T" || fail "cd"
assert_ok rt create --bundle bundle "$ID2"
track_pid "$ID2"
assert_eq "$(realpath "$BUNDLE")" "$(state_of "$ID2" bundle)" "bundle given as a relative path"
exit 0
