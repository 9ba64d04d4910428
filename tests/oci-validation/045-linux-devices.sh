#!/bin/bash
# config-linux.md, Devices: "devices (array of objects, OPTIONAL) lists devices that MUST be
#   available in the container."  "path (string, REQUIRED) - full path to device inside
#   container.", "type", "major, minor", "fileMode (uint32, OPTIONAL) - file mode for the
#   device.", "uid", "gid"
. "$(dirname "$0")/lib.sh"

# a second /dev/full (1:7) and a second /dev/zero under new names, mode 0640 = 416, 0604 = 388
cfg '.linux.devices = [
	{path: "/dev/myfull", type: "c", major: 1, minor: 7, fileMode: 416, uid: 1000, gid: 100},
	{path: "/dev/sub/myzero", type: "c", major: 1, minor: 5, fileMode: 388, uid: 0, gid: 0}]
	| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 7, access: "rwm"},
	{allow: true, type: "c", major: 1, minor: 5, access: "rwm"}]'
in_ctr 'stat -c "%n %F %t:%T %a %u:%g" /dev/myfull /dev/sub/myzero
echo x > /dev/myfull 2>/dev/null && echo full-wrote || echo full-enospc
head -c 3 /dev/sub/myzero | od -An -tx1 | tr -d " "'
log "$OUT"
assert_contains "$OUT" "/dev/myfull character special file 1:7 640 1000:100"
assert_contains "$OUT" "/dev/sub/myzero character special file 1:5 604 0:0"
assert_contains "$OUT" "full-enospc" "writing to the full device"
assert_contains "$OUT" "000000" "reading the zero device"
exit 0
