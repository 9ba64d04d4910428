#!/bin/bash
# config.md, POSIX process: "For each entry in rlimits, a getrlimit(3) on type MUST succeed.
#   For the following properties, rlim refers to the status returned by the getrlimit(3)
#   call: soft (uint64, REQUIRED) - the value of the limit enforced for the corresponding
#   resource. rlim.rlim_cur MUST match the configured value. hard (uint64, REQUIRED) - the
#   ceiling for the soft limit ... rlim.rlim_max MUST match the configured value."
# "If rlimits contains duplicated entries with same type, the runtime MUST generate an error."
. "$(dirname "$0")/lib.sh"

cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 1024},
	{type: "RLIMIT_NPROC", soft: 300, hard: 400}, {type: "RLIMIT_CORE", soft: 0, hard: 4096},
	{type: "RLIMIT_MSGQUEUE", soft: 1000, hard: 2000}]'
in_ctr 'cat /proc/self/limits'
log "$OUT"
line() { echo "$OUT" | grep "^$1" | awk '{print $(NF-2), $(NF-1)}'; }
assert_eq "512 1024" "$(line 'Max open files')" "RLIMIT_NOFILE"
assert_eq "300 400" "$(line 'Max processes')" "RLIMIT_NPROC"
assert_eq "0 4096" "$(line 'Max core file size')" "RLIMIT_CORE"
assert_eq "1000 2000" "$(line 'Max msgqueue size')" "RLIMIT_MSGQUEUE"
exit 0
