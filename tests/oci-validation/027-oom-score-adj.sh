#!/bin/bash
# config.md, POSIX process: "If oomScoreAdj is set, the runtime MUST set oom_score_adj to the
#   given value. If oomScoreAdj is not set, the runtime MUST NOT change the value of
#   oom_score_adj."
. "$(dirname "$0")/lib.sh"

cfg '.process.oomScoreAdj = 567'
in_ctr 'cat /proc/self/oom_score_adj'
assert_eq 567 "$OUT" "oom_score_adj with oomScoreAdj 567"

cfg 'del(.process.oomScoreAdj)'
echo 123 > /proc/self/oom_score_adj
# the runtime inherits this shell's value; the container must keep it
in_ctr 'cat /proc/self/oom_score_adj'
assert_eq 123 "$OUT" "oom_score_adj without oomScoreAdj (inherited from the caller)"
exit 0
