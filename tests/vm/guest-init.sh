#!/bin/sh
# The guest's init, run by static busybox. setup.sh puts it in the initramfs as /init.
#   stage 1 (PID 1 in the initramfs): load the 9p/overlay modules, mount the host's / (9p,
#     read-only) under a tmpfs overlay, a pure cgroup2 at /sys/fs/cgroup, the shares, and
#     switch_root into it. The overlay is a real mount as /, so pivot_root works in the
#     guest (it does not from the initramfs's rootfs).
#   stage 2 (PID 1 after switch_root, as /run/vm/init stage2): run the job's command with
#     bash, write its exit status to the job share, power off.
# The kernel hands init the unknown name=value words of its command line as variables:
#   vmmods=PATH  host dir with the guest kernel's lib/modules (bound on /lib/modules)
#   vmdebug=1    timings and a shell-visible trace of the stages
#   vmprobe=1    only say "vm-probe: up" on the second serial port and power off
#                (run-in-vm.sh checks that KVM really runs this kernel)
# Mount tags: host = host's / (ro), job = run-in-vm.sh's per-run dir (rw), rwN = VM_RW dirs
# (listed as "TAG PATH" lines in job/shares).

B=/bin/busybox
[ "$1" = stage2 ] && B=/run/vm/busybox
J=/run/vm/job

debug() {
	[ -n "${vmdebug:-}" ] && echo "vm-init: $* (uptime $($B cut -d' ' -f1 /proc/uptime /newroot/proc/uptime 2> /dev/null)s)"
	return 0
}

die() {
	echo "vm-init: FATAL: $*"
	$B poweroff -f
}

# share TAG DIR [ro]: mount a virtio 9p share
share() {
	# msize: larger 9p messages, far fewer round trips for big files (hutch, busybox)
	$B mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000${3:+,$3}" "$1" "$2"
}

stage1() {
	$B mount -t proc proc /proc
	$B mount -t sysfs sysfs /sys
	$B mount -t devtmpfs devtmpfs /dev
	if [ -n "${vmprobe:-}" ]; then
		echo "vm-probe: up" > /dev/ttyS1
		$B poweroff -f
	fi
	debug "stage 1"
	for m in $($B cat /modules/order); do
		$B insmod "/modules/$m" || echo "vm-init: insmod $m failed"
	done
	# cache=loose on the read-only host share: nothing changes it while the guest runs
	share host /lower ro,cache=loose || die "cannot mount the host's / (9p tag host)"
	$B mount -t tmpfs -o mode=755 tmpfs /upper
	$B mkdir -p /upper/data /upper/work
	$B mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot ||
		die "cannot mount the overlay root"
	N=/newroot
	for d in proc sys dev; do $B mount --move /$d $N/$d; done
	# pure cgroup v2: cgroup2 alone, no v1 hierarchy anywhere
	$B mount -t cgroup2 -o nsdelegate cgroup2 $N/sys/fs/cgroup || die "cannot mount cgroup2"
	$B mount -t tmpfs -o mode=755 tmpfs $N/run
	$B mkdir -p $N$J
	share job $N$J || die "cannot mount the job share"
	if [ -f $N$J/shares ]; then
		while read -r tag path; do
			$B mkdir -p "$N$path" && share "$tag" "$N$path" || die "cannot mount share $tag on $path"
		done < $N$J/shares
	fi
	$B mkdir -p $N/dev/pts $N/dev/shm $N/dev/mqueue
	$B mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts $N/dev/pts
	$B ln -sf pts/ptmx $N/dev/ptmx
	$B mount -t tmpfs -o mode=1777 tmpfs $N/dev/shm
	$B mount -t mqueue mqueue $N/dev/mqueue
	$B ln -sf /proc/self/fd $N/dev/fd
	for i in 0:stdin 1:stdout 2:stderr; do $B ln -sf "/proc/self/fd/${i%%:*}" "$N/dev/${i#*:}"; done
	$B mount -t bpf bpf $N/sys/fs/bpf 2> /dev/null
	if [ -n "${vmmods:-}" ] && [ -d "$N$vmmods" ]; then
		$B mkdir -p $N/lib/modules && $B mount --bind "$N$vmmods" $N/lib/modules
	fi
	$B mkdir -p $N/run/vm
	$B cp $B $N/run/vm/busybox
	$B cp /init $N/run/vm/init
	# the host's modprobe (kmod) wants modules.dep.bin; busybox's reads setup.sh's modules.dep
	$B ln -s busybox $N/run/vm/modprobe
	echo /run/vm/modprobe > $N/proc/sys/kernel/modprobe
	$B hostname vm
	$B ip link set lo up
	debug "switch_root"
	# shellcheck disable=SC2093 # the die below only runs if switch_root failed
	exec $B switch_root $N /run/vm/busybox sh /run/vm/init stage2
	die "switch_root failed"
}

stage2() {
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	# ttyS1 carries the command's output to run-in-vm.sh (ttyS0 is the kernel's console):
	# raw, so that \n stays \n
	$B stty -F /dev/ttyS1 raw -echo 2> /dev/null
	debug "stage 2: command starts"
	# env -i: the command gets the host's environment (job/cmd exports it), not init's
	$B env -i /bin/bash --noprofile --norc $J/cmd < /dev/null > /dev/ttyS1 2>&1
	rc=$?
	debug "command exited $rc"
	echo $rc > $J/rc
	$B sync
	$B poweroff -f
}

if [ "$1" = stage2 ]; then stage2; else stage1; fi
