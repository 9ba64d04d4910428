#!/bin/bash
# config.md, Validation: "Runtimes MUST generate an error when invalid or unsupported values
#   are encountered."  Setting hostname without a new UTS namespace would change the host's.
# runtime.md, Create: "If the runtime cannot apply a property as specified in the
#   configuration, it MUST generate an error and a new container MUST NOT be created."
. "$(dirname "$0")/lib.sh"

host=$(hostname)
set_args true
cfg '.hostname = "must-not-leak" | .linux.namespaces |= map(select(.type != "uts"))'
assert_fails rt run --bundle "$BUNDLE" "$ID"
assert_eq "$host" "$(hostname)" "host's hostname"
state_dir_exists "$ID" && fail "state dir left after a failed run"
exit 0
