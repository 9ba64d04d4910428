#!/bin/bash
# config-linux.md, Seccomp: the filter applies to the container process. Without
# noNewPrivileges the kernel wants CAP_SYS_ADMIN to load it, so hutch loads it before the
# capability drop, and hutch's own last steps (executable lookup, closing fds) then run
# under it. A profile that denies newer syscalls (faccessat2, close_range) must not break
# them: hutch uses the older calls or falls back (regression: "exec: operation not permitted").
. "$(dirname "$0")/lib.sh"

cfg '.process.noNewPrivileges = false
	| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["faccessat2", "close_range"], action: "SCMP_ACT_ERRNO"}]}'
sh_args 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t " " "; ls /proc/$$/fd | wc -l'
run_ctr
[ "$RC" = 0 ] || fail "run with a filter denying faccessat2/close_range failed ($RC): $ERR"
assert_contains "$OUT" "Seccomp: 2" "the filter is loaded"
assert_contains "$OUT" "NoNewPrivs: 0" "no_new_privs stays off"
exit 0
