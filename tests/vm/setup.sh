#!/bin/bash
# setup.sh VM_DIR: prepare what run-in-vm.sh boots, under VM_DIR only.
#   - apt-get installs qemu-system-x86 and busybox-static on the host if missing;
#   - downloads Debian's generic kernel package (the versioned linux-image-*-amd64 that the
#     linux-image-amd64 meta-package depends on) with `apt-get download` and unpacks it with
#     dpkg-deb -x: it is never installed on the host;
#   - writes VM_DIR/vmlinux (the ELF image, which boots faster under TCG than the bzImage),
#     VM_DIR/kernel/lib/modules/<ver> (with modules.dep for busybox modprobe) and
#     VM_DIR/initrd.gz (static busybox, guest-init.sh, the modules that reach 9p and overlay).
# Idempotent: when VM_DIR is complete and matches this script and guest-init.sh, it only
# checks and returns (well under a second, without apt look-ups if VM_DIR already has a kernel).
# Env: VM_KERNEL_PKG=linux-image-6.1.0-NN-amd64 to pick the kernel package.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# = 1 ] || { echo "usage: $0 VM_DIR" >&2; exit 2; }
VM_DIR=$(realpath -m "$1")
[ "$(id -u)" = 0 ] || { echo "setup.sh: needs root (apt-get)" >&2; exit 2; }
mkdir -p "$VM_DIR"

say() { echo "vm-setup: $*" >&2; }

# apt may be busy (unattended upgrades, another job): retry a while rather than fail
apt_try() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		DEBIAN_FRONTEND=noninteractive "$@" && return 0
		say "apt failed ($*), retry $i in 10 s"
		sleep 10
	done
	return 1
}

host_tools() {
	local need=()
	command -v qemu-system-x86_64 > /dev/null || need+=(qemu-system-x86)
	# busybox-static: the guest's init is static busybox, and its depmod/modprobe
	[ -x /bin/busybox ] && /bin/busybox --list | grep -qx depmod || need+=(busybox-static)
	command -v dpkg-deb > /dev/null || need+=(dpkg)
	command -v xz > /dev/null || need+=(xz-utils)
	[ ${#need[@]} = 0 ] && return 0
	say "installing ${need[*]}"
	apt_try apt-get update -q
	apt_try apt-get install -y -q --no-install-recommends "${need[@]}"
}

# kernel_pkg: the real versioned package behind the meta-package
kernel_pkg() {
	local p
	if [ -n "${VM_KERNEL_PKG:-}" ]; then echo "$VM_KERNEL_PKG"; return; fi
	p=$(apt-cache depends linux-image-amd64 2> /dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$p" ]; then
		apt_try apt-get update -q > /dev/null
		p=$(apt-cache depends linux-image-amd64 2> /dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	[ -n "$p" ] || { say "cannot find the package linux-image-amd64 depends on"; exit 1; }
	echo "$p"
}

# fetch_kernel PKG: VM_DIR/kernel holds the unpacked package, with modules.dep
fetch_kernel() {
	local pkg=$1 ver=${1#linux-image-} dl
	[ -f "$VM_DIR/kernel/boot/vmlinuz-$ver" ] && [ -f "$VM_DIR/kernel/lib/modules/$ver/modules.dep" ] && return 0
	say "downloading $pkg (unpacked under $VM_DIR/kernel, not installed)"
	rm -rf "$VM_DIR/kernel" "$VM_DIR/dl"
	dl=$VM_DIR/dl
	mkdir -p "$dl"
	# apt drops privileges to _apt for downloads: let it write there
	chmod 777 "$dl"
	(cd "$dl" && apt_try apt-get download -q "$pkg")
	dpkg-deb -x "$dl/${pkg}"_*.deb "$VM_DIR/kernel.tmp"
	rm -rf "$dl"
	# the package ships no modules.dep (its postinst runs depmod): make one for busybox modprobe
	busybox depmod -b "$VM_DIR/kernel.tmp" "$ver"
	mv "$VM_DIR/kernel.tmp" "$VM_DIR/kernel"
}

# make_vmlinux VER: the bzImage carries an xz stream of the ELF kernel; qemu boots the ELF
# directly through its PVH note, skipping the in-guest decompression (slow under TCG)
make_vmlinux() {
	local z=$VM_DIR/kernel/boot/vmlinuz-$1 off
	[ -s "$VM_DIR/vmlinux" ] && [ "$VM_DIR/vmlinux" -nt "$z" ] && return 0
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$z" | head -n1 | cut -d: -f1 || true)
	rm -f "$VM_DIR/vmlinux.tmp"
	if [ -n "$off" ]; then
		# xz stops after one stream; tail may then die of SIGPIPE: judge by the result
		tail -c +$((off + 1)) "$z" | xz -dc --single-stream > "$VM_DIR/vmlinux.tmp" 2> /dev/null || true
	fi
	if [ -s "$VM_DIR/vmlinux.tmp" ] && [ "$(head -c 4 "$VM_DIR/vmlinux.tmp" | tail -c 3)" = ELF ]; then
		mv "$VM_DIR/vmlinux.tmp" "$VM_DIR/vmlinux"
	else
		say "no ELF kernel found inside $z: booting the bzImage (slower)"
		rm -f "$VM_DIR/vmlinux.tmp"
		cp "$z" "$VM_DIR/vmlinux"
	fi
}

# add_module DIR NAME: copy NAME.ko and what it depends on into DIR, in load order
add_module() {
	local st=$1 name=$2 line file dep
	line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" || true)
	if [ -z "$line" ]; then
		grep -qE "(^|/)${name}\.ko" "$MODDIR/modules.builtin" && return 0
		say "kernel module $name not found"
		exit 1
	fi
	file=${line%%:*}
	for dep in ${line#*:}; do
		dep=$(basename "$dep")
		add_module "$st" "${dep%%.ko*}"
	done
	grep -qxF "$(basename "$file")" "$st/modules/order" && return 0
	cp "$MODDIR/$file" "$st/modules/"
	basename "$file" >> "$st/modules/order"
}

make_initrd() {
	local st
	st=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$st'" EXIT
	mkdir -p "$st"/bin "$st"/modules "$st"/proc "$st"/sys "$st"/dev "$st"/lower "$st"/upper "$st"/newroot
	cp /bin/busybox "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	install -m 755 "$HERE/guest-init.sh" "$st/init"
	: > "$st/modules/order"
	local m
	for m in virtio_pci 9pnet_virtio 9p overlay; do add_module "$st" "$m"; done
	(cd "$st" && find . | busybox cpio -o -H newc 2> /dev/null | gzip -1 > "$VM_DIR/initrd.gz.tmp")
	mv "$VM_DIR/initrd.gz.tmp" "$VM_DIR/initrd.gz"
	rm -rf "$st"
	trap - EXIT
}

# The stamp names what VM_DIR was made from; equal stamp: nothing to do
stamp_of() {
	echo "kernel=$1"
	sha256sum "$HERE/guest-init.sh" "$HERE/setup.sh" /bin/busybox | awk '{print $1}'
}

# fast path: a prepared VM_DIR whose kernel is still what it was made with (no apt look-up)
if [ -f "$VM_DIR/stamp" ] && [ -s "$VM_DIR/vmlinux" ] && [ -s "$VM_DIR/initrd.gz" ] &&
	command -v qemu-system-x86_64 > /dev/null && [ -x /bin/busybox ]; then
	kpkg=$(sed -n 's/^kernel=//p' "$VM_DIR/stamp")
	if [ -z "${VM_KERNEL_PKG:-}" ] || [ "$VM_KERNEL_PKG" = "$kpkg" ]; then
		if [ "$(stamp_of "$kpkg")" = "$(cat "$VM_DIR/stamp")" ] &&
			[ -d "$VM_DIR/kernel/lib/modules/${kpkg#linux-image-}" ]; then
			exit 0
		fi
	fi
fi

host_tools
KPKG=$(kernel_pkg)
KVER=${KPKG#linux-image-}
fetch_kernel "$KPKG"
MODDIR=$VM_DIR/kernel/lib/modules/$KVER
make_vmlinux "$KVER"
make_initrd
echo "$KVER" > "$VM_DIR/kernel-version"
stamp_of "$KPKG" > "$VM_DIR/stamp"
say "kernel $KVER ready in $VM_DIR"
