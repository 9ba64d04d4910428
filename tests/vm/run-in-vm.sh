#!/bin/bash
# run-in-vm.sh CMD [ARG...]: run CMD as root in a throwaway pure cgroup v2 guest, in the same
# directory and with the same exported environment, and exit with its status.
#
# The guest: qemu (KVM when it really runs the guest kernel here, else software emulation),
# Debian's generic kernel prepared by setup.sh, the host's / shared read-only over 9p under
# a tmpfs overlay (writes are lost at power-off), cgroup2 alone at /sys/fs/cgroup, no
# network device. CMD's stdout and stderr both arrive on this script's stdout as CMD runs
# (the guest's second serial port; the kernel's console is the first one, kept in a log
# that is shown when the guest fails).
#
# Exit status: CMD's; 124 the guest ran out of time (VM_TIMEOUT); 125 the guest stopped
# without reporting a status (kernel panic, init failure); 2 usage or setup errors.
#
# Env:
#   VM_DIR      what setup.sh prepared (default: build/vm in the repo; prepared if missing)
#   VM_ACCEL    auto (default): KVM if /dev/kvm is usable and a probe boot of the guest
#               kernel under KVM reaches its init, else TCG; or kvm, or tcg
#   VM_RW       colon-separated host dirs shared read-write at the same path
#   VM_TIMEOUT  seconds before the guest is killed (default 900)
#   VM_MEM      guest memory (default 2G)   VM_SMP   guest CPUs (default: host CPUs, max 4)
#   VM_APPEND   more kernel command line words   VM_DEBUG=1  boot messages and stage timings
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
VM_DIR=${VM_DIR:-$(cd "$HERE/../.." && pwd)/build/vm}
"$HERE/setup.sh" "$VM_DIR" >&2 || { echo "run-in-vm: setup.sh $VM_DIR failed" >&2; exit 2; }
VM_DIR=$(realpath "$VM_DIR")
KVER=$(cat "$VM_DIR/kernel-version")
TIMEOUT=${VM_TIMEOUT:-900}
SMP=${VM_SMP:-$(nproc)}
[ "$SMP" -gt 4 ] && SMP=4

JOB=$(mktemp -d "${TMPDIR:-/tmp}/hutch-vmjob.XXXXXX")
trap 'rm -rf "$JOB"' EXIT

KVM_ARGS=(-accel kvm -cpu host)
TCG_ARGS=(-accel tcg,thread=multi -cpu max)

# qemu_argv ACCEL_ARGS... -- EXTRA_APPEND...: QEMU=(the qemu command line for this run)
qemu_argv() {
	local accel=() append
	while [ "$1" != -- ]; do accel+=("$1"); shift; done
	shift
	append="console=ttyS0 panic=-1 tsc=reliable rdinit=/init vmmods=$VM_DIR/kernel/lib/modules"
	if [ "${VM_DEBUG:-0}" = 1 ]; then append+=" loglevel=7 vmdebug=1"; else append+=" quiet loglevel=3"; fi
	append+=" $* ${VM_APPEND:-}"
	# -nic none + -nodefaults: no network device in the guest (only lo)
	QEMU=(qemu-system-x86_64 "${accel[@]}" -smp "$SMP" -m "${VM_MEM:-2G}" -M q35
		-nodefaults -no-user-config -nic none -display none -no-reboot
		-serial "file:$JOB/console.log" -serial stdio
		-kernel "$VM_DIR/vmlinux" -initrd "$VM_DIR/initrd.gz" -append "$append"
		-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$JOB,mount_tag=job,security_model=none,multidevs=remap"
		"${shares[@]}")
}

# KVM "works" only if it runs this kernel: some hosts offer a /dev/kvm that cannot (nested
# setups without VMX, software "PVM" backends: qemu starts, the guest never boots). A probe
# boot that stops in the initramfs says; its answer is cached per host kernel and qemu.
kvm_usable() {
	local key cache=$VM_DIR/kvm-probe out
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	key="$(uname -r) $(qemu-system-x86_64 --version | head -n1) $(cat "$VM_DIR/stamp" | md5sum | cut -c1-8)"
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		[ "$(sed -n 2p "$cache")" = yes ]
		return
	fi
	qemu_argv "${KVM_ARGS[@]}" -- vmprobe=1
	out=$(timeout -k 2 10 "${QEMU[@]}" < /dev/null 2>&1 || true)
	if grep -q 'vm-probe: up' <<< "$out"; then
		printf '%s\nyes\n' "$key" > "$cache"
		return 0
	fi
	printf '%s\nno\n' "$key" > "$cache"
	return 1
}

shares=()
case ${VM_ACCEL:-auto} in
kvm) ACCEL=("${KVM_ARGS[@]}") ;;
tcg) ACCEL=("${TCG_ARGS[@]}") ;;
auto) if kvm_usable; then ACCEL=("${KVM_ARGS[@]}"); else ACCEL=("${TCG_ARGS[@]}"); fi ;;
*) echo "run-in-vm: VM_ACCEL must be auto, kvm or tcg" >&2; exit 2 ;;
esac
echo "run-in-vm: kernel $KVER, ${ACCEL[1]%%,*}, $SMP CPUs" >&2

# The command as a bash script: the caller's exported variables, its directory, then CMD
{
	export -p | grep -vE '^declare -x (OLDPWD|PWD|SHLVL|_|HOSTNAME|TERM|TMPDIR)='
	printf 'cd %q || { echo "run-in-vm: no directory %q in the guest"; exit 126; }\n' "$PWD" "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} > "$JOB/cmd"

shares=()
n=0
IFS=: read -r -a rw_dirs <<< "${VM_RW:-}"
for d in "${rw_dirs[@]}"; do
	[ -n "$d" ] || continue
	d=$(realpath -e "$d") || { echo "run-in-vm: VM_RW: no directory $d" >&2; exit 2; }
	shares+=(-virtfs "local,path=$d,mount_tag=rw$n,security_model=none,multidevs=remap")
	echo "rw$n $d" >> "$JOB/shares"
	n=$((n + 1))
done

set +e
qemu_argv "${ACCEL[@]}" --
timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" < /dev/null
qrc=$?
set -e
if [ "${VM_DEBUG:-0}" = 1 ] || [ ! -s "$JOB/rc" ]; then
	echo "run-in-vm: guest console (kernel $KVER):" >&2
	tail -n 40 "$JOB/console.log" 2> /dev/null | sed 's/^/  | /' >&2
fi
if [ -s "$JOB/rc" ]; then
	exit "$(cat "$JOB/rc")"
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "run-in-vm: the guest ran out of time (VM_TIMEOUT=${TIMEOUT}s, kernel $KVER)" >&2
	exit 124
fi
echo "run-in-vm: the guest stopped without an exit status (qemu exit $qrc, kernel $KVER)" >&2
exit 125
