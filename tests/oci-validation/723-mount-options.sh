#!/bin/bash
# config.md, Linux mount options, the plain (non-recursive) ones of mount(8): sync, async,
#   dirsync, atime, noatime, diratime, nodiratime, strictatime, nostrictatime, relatime,
#   norelatime, dev, nodev, exec, noexec, suid, nosuid, defaults, remount (each MUST), and
#   the propagation options shared, slave, rslave, private, unbindable, runbindable (MUST).
# An option and its opposite after it: the last one wins, as in mount(8). Checked in the
# container's mountinfo (per-mount options, superblock options, the propagation fields)
# and by what the mount lets the container do.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 passes defaults to the filesystem as data (EINVAL)"

mkdir -p "$T/src/sub" "$T/shared"
mount -t tmpfs -o size=64k tmpfs "$T/src/sub" || fail "mount tmpfs on the host"
# a host mount in a peer group: a slave bind of it gets a "master:N" field
mount --bind "$T/shared" "$T/shared" && mount --make-shared "$T/shared" || fail "shared host mount"
t() { # NAME OPTION...: a tmpfs at /m/NAME
	local o
	o=$(json_array "$@" size=16k)
	echo "{\"destination\": \"/m/$N\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": $o}"
}
E=()
for spec in "sync:sync" "async:sync async" "dirsync:dirsync" "noatime:noatime" "atime:noatime atime" \
	"nodiratime:nodiratime" "diratime:nodiratime diratime" "strict:strictatime" \
	"nostrict:strictatime nostrictatime" "relatime:strictatime relatime" "norelatime:norelatime" \
	"nodev:nodev" "dev:nodev dev" "noexec:noexec" "exec:noexec exec" "nosuid:nosuid" \
	"suid:nosuid suid" "defaults:defaults" "shared:shared" "private:shared private" \
	"unbindable:unbindable"; do
	N=${spec%%:*}
	# shellcheck disable=SC2086
	E+=("$(t ${spec#*:})")
done
entries=$(printf '%s\n' "${E[@]}" | jq -s -c .)
cfg --argjson e "$entries" --arg src "$T/src" --arg sh "$T/shared" '.mounts += $e + [
	{destination: "/m/slave", type: "bind", source: $sh, options: ["bind", "slave"]},
	{destination: "/m/rslave", type: "bind", source: $sh, options: ["rbind", "rslave"]},
	{destination: "/m/runbindable", type: "bind", source: $src, options: ["rbind", "runbindable"]},
	{destination: "/m/re", type: "bind", source: $src, options: ["rbind"]},
	{destination: "/m/re", options: ["remount", "bind", "ro"]}]'
in_ctr "$MOUNTS | grep '^/m/'
grep ' /m/' /proc/self/mountinfo | sed 's/ - .*//' | awk '{printf \"prop %s\", \$5; for (i = 7; i <= NF; i++) printf \" %s\", \$i; print \"\"}'
printf '#!/bin/sh\necho ran\n' > /m/exec/x && chmod +x /m/exec/x && /m/exec/x
printf '#!/bin/sh\necho ran\n' > /m/noexec/x && chmod +x /m/noexec/x && /m/noexec/x 2>/dev/null || echo noexec-refused
touch /m/re/f 2>/dev/null || echo remount-readonly"
log "$OUT"
opts() { echo "$OUT" | awk -v m="/m/$1" '$1 == m {print $2}'; }
sopts() { echo "$OUT" | awk -v m="/m/$1" '$1 == m {print $4}'; }
prop() { echo "$OUT" | awk -v m="/m/$1" '$1 == "prop" && $2 == m {$1 = $2 = ""; print}'; }
has() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }
yes() { has "$($1 "$2")" "$3" || fail "/m/$2: expected $3 in [$($1 "$2")]"; }
no() { ! has "$($1 "$2")" "$3" || fail "/m/$2: expected no $3 in [$($1 "$2")]"; }
yes sopts sync sync;           no sopts async sync
yes sopts dirsync dirsync
yes opts noatime noatime;      no opts atime noatime;   yes opts atime relatime
yes opts nodiratime nodiratime; no opts diratime nodiratime
no opts strict relatime;       no opts strict noatime
yes opts nostrict relatime;    yes opts relatime relatime
# norelatime only clears relatime: the kernel's default, relatime, stays (as with mount(8))
yes opts norelatime relatime
yes opts nodev nodev;          no opts dev nodev
yes opts noexec noexec;        no opts exec noexec
yes opts nosuid nosuid;        no opts suid nosuid
yes opts defaults rw
assert_contains "$OUT" ran "a program run from the exec mount"
assert_contains "$OUT" noexec-refused "a program run from the noexec mount"
assert_match "$(prop shared)" 'shared:[0-9]+' "propagation of /m/shared"
assert_not_contains "$(prop private)" "shared:" "propagation of /m/private (shared, then private)"
assert_contains "$(prop unbindable)" unbindable "propagation of /m/unbindable"
assert_match "$(prop slave)" 'master:[0-9]+' "propagation of /m/slave"
assert_not_contains "$(prop slave)" "shared:" "propagation of /m/slave"
assert_match "$(prop rslave)" 'master:[0-9]+' "propagation of /m/rslave"
assert_contains "$(prop runbindable)" unbindable "propagation of /m/runbindable"
assert_contains "$(prop runbindable/sub)" unbindable "propagation of /m/runbindable/sub (recursive)"
yes opts re ro
assert_contains "$OUT" remount-readonly "a write under the remounted /m/re"
exit 0
