#!/bin/bash
# CVE-2025-31133: maskedPaths are masked by bind-mounting /dev/null over files; if that
# were the container's /dev/null, a symlink there (or a race replacing it) would bind the
# symlink's target over the masked path instead, exposing it. hutch masks with its own
# /dev/null, checked to be the null device. Masked and read-only paths that are symlinks
# are resolved inside the rootfs; all of it is done before the pivot, with mount targets
# named through the runtime's /proc (the container's could be anything: here there is
# none, and /dev is a directory of the bundle with null -> /decoy).
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1.5 predates the fix of CVE-2025-31133: it binds the decoy over the masked paths"

r=$BUNDLE/rootfs
mkdir -p "$T/fakedev"
ln -s /decoy "$T/fakedev/null"
echo EXPOSED > "$r/decoy"
echo SECRET > "$r/secret"
mkdir -p "$r/data"
ln -s ../../../../etc/hostname "$r/hostname-link"
ln -s /../../../data "$r/data-link"
echo container-hostname > "$r/etc/hostname"

cfg --arg dev "$T/fakedev" '.root.readonly = false
	| .mounts = [.mounts[] | select(.destination != "/dev" and (.destination | startswith("/dev/") | not))]
	| .mounts += [{destination: "/dev", type: "bind", source: $dev, options: ["rbind", "rw"]}]
	| .linux.maskedPaths = ["/secret", "/hostname-link", "/proc/kcore", "/proc/acpi"]
	| .linux.readonlyPaths = ["/data-link", "/proc/sys"]'
script='echo "secret=[$(cat /secret)]"; echo "hostname=[$(cat /etc/hostname)]"; echo "kcore=[$(head -c 16 /proc/kcore)]"
	echo "decoy=[$(cat /decoy)]"; ls /proc/acpi 2>/tmp/e | wc -l
	touch /data/x 2>/tmp/e && echo data-writable || echo data-read-only
	echo 1 > /proc/sys/kernel/ns_last_pid 2>/tmp/e && echo sys-writable || echo sys-read-only'
for mode in openat2 userspace; do
	if [ $mode = openat2 ]; then in_ctr "$script"; else HUTCH_TEST_NO_OPENAT2=1 in_ctr "$script"; fi
	log "$mode: $OUT"
	assert_contains "$OUT" "secret=[]" "$mode: /secret masked with the null device"
	assert_contains "$OUT" "hostname=[]" "$mode: the target of /hostname-link (the rootfs's /etc/hostname) masked"
	assert_contains "$OUT" "kcore=[]" "$mode: /proc/kcore masked"
	assert_contains "$OUT" "decoy=[EXPOSED]" "$mode: /decoy itself untouched"
	assert_eq 0 "$(echo "$OUT" | sed -n 5p)" "$mode: /proc/acpi masked (empty)"
	assert_contains "$OUT" "data-read-only" "$mode: the target of /data-link is read-only"
	assert_contains "$OUT" "sys-read-only" "$mode: /proc/sys is read-only"
	[ -e "$r/data/x" ] && fail "$mode: wrote through the read-only path"
done
exit 0
