#!/bin/bash
# CVE-2024-21626 and runtime-linux.md "File descriptors": no fd of the runtime or of its
# caller reaches the container, not even where closing them inside the container cannot
# work: a seccomp profile denying close_range (the runtime would fall back to
# /proc/self/fd) and no /proc mounted (that fallback finds nothing). hutch marks every fd
# of the caller past the preserved ones close-on-exec before it starts its init stage, and
# holds only close-on-exec fds itself. The caller leaks directory fds of the host (its root,
# /etc) and a file; the container counts its open fds with fcntl, without /proc.
. "$(dirname "$0")/lib.sh"
install_probe

exec 3< /etc/hostname 4< /etc/hostname 7< / 8< /etc 9> "$T/leak9"
cfg '.root.readonly = false | .mounts |= map(select(.destination != "/proc"))
	| .linux.maskedPaths = [] | .linux.readonlyPaths = []
	| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["close_range"], action: "SCMP_ACT_ERRNO"}]}'
is_runc && skip "runc 1.1 refuses to start without /proc (it closes fds through /proc/self/fd)"
for nnp in true false; do
	cfg --argjson n $nnp '.process.noNewPrivileges = $n'
	in_ctr 'probe openfds; ls /proc | wc -l'
	log "noNewPrivileges $nnp: $OUT"
	assert_eq "0 1 2" "$(echo "$OUT" | sed -n 1p)" "open fds in the container (noNewPrivileges $nnp)"
	assert_eq 0 "$(echo "$OUT" | sed -n 2p)" "no /proc in the container"
	capture rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID"
	assert_eq "0 1 2 3 4" "$(echo "$OUT" | sed -n 1p)" "open fds with --preserve-fds 2 (noNewPrivileges $nnp)"
done

# exec'd processes: same rule
set_args sleep 600
create_ctr
start_ctr
assert_ok rt exec "$ID" probe openfds
assert_eq "0 1 2" "$OUT" "open fds of an exec'd process"
assert_ok rt exec --preserve-fds 1 "$ID" probe openfds
assert_eq "0 1 2 3" "$OUT" "open fds of an exec'd process with --preserve-fds 1"
exec 3<&- 4<&- 7<&- 8<&- 9>&-
exit 0
