#!/bin/bash
# The mount tests 72x and 74x again with HUTCH_TEST_OLD_MOUNT_API=1: on the mount(2) fallback
# (libcontainer/mount_api.h; 730 checks that the switch switches).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mount-api-lib.sh"
rerun_on_old_mount_api 5 "$E2E_DIR"/72[0-9]-*.sh "$E2E_DIR"/74[0-9]-*.sh
exit 0
