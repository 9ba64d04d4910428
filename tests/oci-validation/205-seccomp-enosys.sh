#!/bin/bash
# Syscalls newer than the profile must fail with ENOSYS, not with the default errno (as
# runc does): a program then falls back to the older call (glibc: clone3 -> clone), where
# EPERM would make it give up. "Newer" is a native number above the highest one the profile
# names, whether libseccomp knows the syscall (clone3, 435) or not (mseal, 462). A syscall
# the profile does not list but that is older than its newest name gets the default action.
# The profile: the allow-list of Podman's default profile without the names newer than
# pidfd_open (434), defaultAction SCMP_ACT_ERRNO (EPERM).
. "$(dirname "$0")/lib.sh"
install_probe
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"

newer='["clone3", "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise",
	"epoll_pwait2", "mount_setattr", "quotactl_fd", "landlock_create_ruleset",
	"landlock_add_rule", "landlock_restrict_self", "memfd_secret", "process_mrelease",
	"futex_waitv", "set_mempolicy_home_node", "cachestat", "fchmodat2", "map_shadow_stack"]'
cfg --slurpfile p "$E2E_DIR/data/podman-seccomp.json" --argjson newer "$newer" \
	'.linux.seccomp = ($p[0] | del(.defaultErrnoRet)
		| .syscalls |= [.[] | select(.action == "SCMP_ACT_ALLOW") | .names -= $newer
			| select(.names | length > 0)])'
jq -e '[.linux.seccomp.syscalls[].names[]] | index("pidfd_open")' "$BUNDLE/config.json" > /dev/null ||
	fail "the profile should name pidfd_open"

in_ctr 'probe syscall 435 0 0; probe syscall 441 -1 0 0 0 0; probe syscall 462 0 0 0; probe syscall 172 0; probe syscall 434 -1 0; echo done'
log "$OUT"
assert_eq "ret=-1 errno=38" "$(echo "$OUT" | sed -n 1p)" "clone3: newer than the profile, ENOSYS"
assert_eq "ret=-1 errno=38" "$(echo "$OUT" | sed -n 2p)" "epoll_pwait2: newer than the profile, ENOSYS"
assert_eq "ret=-1 errno=38" "$(echo "$OUT" | sed -n 3p)" "mseal: newer than libseccomp, ENOSYS"
assert_eq "ret=-1 errno=1" "$(echo "$OUT" | sed -n 4p)" "iopl: old and not listed, the default EPERM"
assert_eq "ret=-1 errno=22" "$(echo "$OUT" | sed -n 5p)" "pidfd_open: listed, runs (EINVAL for pid -1)"
assert_eq "done" "$(echo "$OUT" | sed -n 6p)" "the shell ran under the profile"
exit 0
