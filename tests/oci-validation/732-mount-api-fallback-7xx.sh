#!/bin/bash
# The mount tests 72x and 74x again with HUTCH_TEST_OLD_MOUNT_API=1: on the mount(2) fallback
# (libcontainer/mount_api.h; 730 checks that the switch switches).
. "$(dirname "$0")/lib.sh"
grep -q '^hutch' <<< "$("$RUNTIME" --version)" || skip "HUTCH_TEST_OLD_MOUNT_API is a switch of hutch"

n=0
for t in "$E2E_DIR"/72[0-9]-*.sh "$E2E_DIR"/74[0-9]-*.sh; do
	name=$(basename "$t" .sh)
	HUTCH_TEST_OLD_MOUNT_API=1 timeout -k 5 50 bash "$t" < /dev/null > "$T/$name.log" 2>&1
	rc=$?
	case $rc in
	0 | 77) n=$((n + 1)) ;;
	*) fail "$name fails with HUTCH_TEST_OLD_MOUNT_API=1 (exit $rc):
$(tail -n 20 "$T/$name.log")" ;;
	esac
done
[ $n -ge 5 ] || fail "only $n mount tests found to run on the fallback"
log "$n mount tests passed with HUTCH_TEST_OLD_MOUNT_API=1"
exit 0
