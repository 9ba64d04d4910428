#!/bin/bash
# config.md, POSIX process user: "uid (int, REQUIRED) specifies the user ID in the container
#   namespace.", "gid (int, REQUIRED) specifies the group ID in the container namespace.",
#   "umask (int, OPTIONAL) specifies the umask of the user.", "additionalGids (array of ints,
#   OPTIONAL) specifies additional group IDs in the container namespace to be added to the
#   process."
. "$(dirname "$0")/lib.sh"

cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [5, 100], umask: 23}'
cfg '.process.cwd = "/home/user"'
in_ctr 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; id -u; id -g'
log "$OUT"
assert_match "$OUT" $'Uid:\t1000\t1000\t1000\t1000' "Uid line"
assert_match "$OUT" $'Gid:\t1000\t1000\t1000\t1000' "Gid line"
groups=$(echo "$OUT" | sed -n 's/^Groups:[[:space:]]*//p' | tr -s ' \t' ' ' | sed 's/ *$//')
assert_eq "5 100" "$groups" "supplementary groups"
assert_contains "$OUT" "0027" "umask (23 = 0027)"

# uid 0 with no additionalGids: no supplementary groups, and a file created gets umask 0022
cfg '.process.user = {uid: 0, gid: 0, umask: 18} | .root.readonly = false'
in_ctr 'grep "^Groups:" /proc/self/status; umask'
groups=$(echo "$OUT" | sed -n 's/^Groups:[[:space:]]*//p' | tr -d ' \t\n')
assert_eq "" "$groups" "supplementary groups of uid 0"
assert_contains "$OUT" "0022" "umask (18 = 0022)"
exit 0
