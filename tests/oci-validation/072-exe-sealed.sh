#!/bin/bash
# CVE-2019-5736: a container must not be able to reach the runtime's binary on the host
# through /proc/<pid>/exe of the runtime's own processes in the container (the init stage
# waiting for start). hutch runs its init stage from a sealed memfd copy: /proc/<init>/exe
# is not the binary on disk, and the copy itself cannot be written.
. "$(dirname "$0")/lib.sh"
is_runc && skip "runc 1.1 uses a different protection (cloned binary); hutch-specific check"

exe=$(readlink -f "$(command -v "$RUNTIME")")
sum_before=$(sha256sum "$exe" | cut -d' ' -f1)
set_args sleep 600
create_ctr
pid=$(state_of "$ID" pid)
link=$(readlink "/proc/$pid/exe")
log "init stage exe: $link"
assert_contains "$link" "memfd:" "the init stage runs from a memfd"
assert_ne "$(stat -L -c %d:%i "$exe")" "$(stat -L -c %d:%i "/proc/$pid/exe")" \
	"the init stage's exe is not the runtime binary on the host"
# Writes through the link must fail: the copy is sealed (and is not the host binary).
if (printf 'x' >> "/proc/$pid/exe") 2> /dev/null; then
	fail "writing to /proc/$pid/exe of the init stage succeeded"
fi
# The same from inside the container, as its root, through the init stage's pid 1.
capture rt exec "$ID" sh -c 'printf x >> /proc/1/exe && echo WROTE || echo refused'
log "exec: rc=$RC out=$OUT err=$ERR"
assert_not_contains "$OUT" "WROTE" "write to /proc/1/exe from inside the container"
assert_eq "$sum_before" "$(sha256sum "$exe" | cut -d' ' -f1)" "the runtime binary is unchanged"
exit 0
