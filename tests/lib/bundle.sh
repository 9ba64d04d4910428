# Shared helpers to build an OCI bundle around busybox-static.
# Sourced by tests/oci-validation/lib.sh and tests/demo.sh; needs bash, jq, chroot, root.

BUSYBOX=${BUSYBOX:-/bin/busybox}

# make_rootfs DIR: a minimal root filesystem: /bin/busybox plus one symlink per applet
# (what `busybox --install -s` makes), /etc/passwd, /etc/group and the empty mount points.
make_rootfs() {
	local r=$1
	mkdir -p "$r"/bin "$r"/etc "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/root "$r"/home/user "$r"/mnt
	cp "$BUSYBOX" "$r/bin/busybox" || return 1
	# run busybox inside the new root so the links point at /bin/busybox of the rootfs
	chroot "$r" /bin/busybox --install -s /bin || return 1
	chmod 1777 "$r/tmp"
	cat > "$r/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
	cat > "$r/etc/group" <<'GR'
root:x:0:
daemon:x:1:
tty:x:5:
users:x:100:
user:x:1000:
nogroup:x:65534:
GR
	chown 1000:1000 "$r/home/user"
}

# default_config ARGS...: print a config.json mirroring `runc spec` (terminal false, plus the
# cgroup namespace), with ARGS as process.args (default: sh).
default_config() {
	[ $# -gt 0 ] || set -- sh
	jq -n --argjson args "$(json_array "$@")" '
	def caps: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
	{
	  ociVersion: "1.0.2-dev",
	  process: {
	    terminal: false,
	    user: {uid: 0, gid: 0},
	    args: $args,
	    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
	    cwd: "/",
	    capabilities: {bounding: caps, effective: caps, permitted: caps, ambient: caps},
	    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
	    noNewPrivileges: true
	  },
	  root: {path: "rootfs", readonly: true},
	  hostname: "hutch",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs",
	     options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts",
	     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm",
	     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
	     options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs",
	     options: ["nosuid", "noexec", "nodev", "ro"]},
	    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
	     options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}
	  ],
	  linux: {
	    resources: {devices: [{allow: false, access: "rwm"}]},
	    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"},
	                 {type: "mount"}, {type: "cgroup"}],
	    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	                  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	                  "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
	    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}'
}

# json_array ARG...: a JSON array of strings. Each arg is quoted by its own jq: jq 1.6 would
# take an arg like "-c" after --args as one of its options.
json_array() {
	local a sep='' out='['
	for a in "$@"; do
		out+=$sep$(printf '%s' "$a" | jq -Rs .)
		sep=,
	done
	printf '%s]' "$out"
}

# make_bundle DIR [ARGS...]: DIR/rootfs and DIR/config.json
make_bundle() {
	local b=$1
	shift
	mkdir -p "$b" || return 1
	make_rootfs "$b/rootfs" || return 1
	default_config "$@" > "$b/config.json"
}
