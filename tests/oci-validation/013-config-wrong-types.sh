#!/bin/bash
# config.md, Validation: "Runtimes MUST generate an error when invalid or unsupported values
#   are encountered."
# runtime.md, Create: "If the runtime cannot apply a property as specified in the
#   configuration, it MUST generate an error and a new container MUST NOT be created."
# The error is one line on stderr that names the offending field.
. "$(dirname "$0")/lib.sh"

check() { # FIELD-NAME-IN-MESSAGE JQ-FILTER
	default_config true > "$BUNDLE/config.json"
	cfg "$2"
	assert_fails rt create --bundle "$BUNDLE" "$ID"
	log "$2 -> $ERR"
	[ -n "$ERR" ] || fail "$2: no error message"
	assert_contains "${ERR,,}" "${1,,}" "error for $2 (names the field, any case)"
	assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "lines of the error message for $2"
	state_dir_exists "$ID" && fail "$2: state dir left after a failed create"
	rt state "$ID" > /dev/null 2>&1 && fail "$2: the container exists"
	return 0
}

check hostname '.hostname = 5'
check args '.process.args = "sh"'
check uid '.process.user.uid = "root"'
check readonly '.root.readonly = "yes"'
check mounts '.mounts = {}'
check namespaces '.linux.namespaces = "pid"'
# config.md, Process: cwd "This value MUST be an absolute path."
check cwd '.process.cwd = "tmp"'
exit 0
