#!/bin/bash
# config.md, Linux mount options: "rshared | MUST | Bind mount propagation", "rprivate | MUST
#   | Bind mount propagation", "shared | MUST", "private | MUST".
# Checked in the container's mountinfo: a shared mount has a "shared:N" optional field.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/src"
cfg --arg s "$T/src" '.mounts += [
	{destination: "/mnt/sh", type: "bind", source: $s, options: ["rbind", "rshared"]},
	{destination: "/mnt/pr", type: "bind", source: $s, options: ["rbind", "rprivate"]}]'
in_ctr 'grep -E " /mnt/(sh|pr) " /proc/self/mountinfo'
log "$OUT"
assert_match "$(echo "$OUT" | grep ' /mnt/sh ')" ' shared:[0-9]+ .*- ' "propagation of the rshared mount"
assert_not_contains "$(echo "$OUT" | grep ' /mnt/pr ')" "shared:" "propagation of the rprivate mount"
exit 0
