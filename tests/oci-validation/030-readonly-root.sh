#!/bin/bash
# config.md, Root: "readonly (bool, OPTIONAL) If true then the root filesystem MUST be
#   read-only inside the container, defaults to false."
. "$(dirname "$0")/lib.sh"

cfg '.root.readonly = true'
in_ctr 'if touch /newfile 2>/dev/null; then echo writable; else echo readonly; fi
'"$MOUNTS | grep '^/ '"
assert_contains "$OUT" readonly "write to / with readonly true"
assert_match "$(echo "$OUT" | tail -n1)" '^/ ro' "mount options of / with readonly true"

cfg '.root.readonly = false'
in_ctr 'if touch /newfile 2>/dev/null; then echo writable; else echo readonly; fi
'"$MOUNTS | grep '^/ '"
assert_contains "$OUT" writable "write to / with readonly false"
[ -e "$BUNDLE/rootfs/newfile" ] || fail "/newfile not in the rootfs on the host"
exit 0
