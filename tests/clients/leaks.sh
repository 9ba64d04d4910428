# What the clients and the runtime must not leave behind, and the last-resort cleanup.
#
# The suite names everything it makes after $TAG (cgroups, containerd's namespace, the temp
# dir $W), so the check looks for exactly those, plus anything new in the places the
# clients use by default (which the suite's configuration must have kept them out of).

# The default places of Podman, containerd and runtimes: nothing new may appear there. The
# runtime's state root (Podman's containers use it) and the shims' socket directory are
# shared with whatever else runs on the machine (another run of this suite, say): there
# the check looks for this run's containers by id. /run/containerd/s itself is containerd's
# (its shims make it wherever they run) and stays. So does /etc/cni/net.d/cni.lock: Podman's
# CNI library makes that empty lock file on a machine's first run and never removes it.
LEAK_GLOBAL_DIRS="/run/libpod /run/containers /var/lib/containers /run/containerd /var/lib/containerd
/opt/containerd /etc/containers /etc/containerd /etc/cni /run/netns"
LEAK_BEFORE=

leaks_global_listing() {
	local d
	for d in $LEAK_GLOBAL_DIRS; do
		[ -e "$d" ] && find "$d" -maxdepth 2 ! -path /run/containerd ! -path /run/containerd/s \
			! -path '/run/containerd/s/*' ! -path /etc/cni/net.d/cni.lock 2> /dev/null
	done
	find /tmp -maxdepth 1 -name 'podman*' 2> /dev/null
	return 0
}

leaks_snapshot() {
	LEAK_BEFORE=$(leaks_global_listing | sort)
}

# the cgroup directories of this run, deepest first
leaks_cgroups() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -depth -type d -path "*/$TAG*" 2> /dev/null
}

# the processes of this run still alive: their command line names $W (conmon, shims,
# containerd), or they sit in one of the run's cgroups (containers)
leaks_pids() {
	local cg pids
	pids=$(pgrep -f -- "$W")
	[ -n "$pids" ] && echo "$pids"
	leaks_cgroups | while read -r cg; do
		[ -s "$cg/cgroup.procs" ] && cat "$cg/cgroup.procs"
	done
	return 0
}

t_leak_check() {
	local left=() line cg
	while read -r line; do
		[ -n "$line" ] && left+=("mount: $line")
	done < <(grep -F -e "$W" -e "$TAG" /proc/self/mountinfo)
	while read -r line; do
		[ -n "$line" ] && left+=("process: $(ps -o pid=,args= -p "$line" | cut -c1-200)")
	done < <(leaks_pids | sort -u)
	# the cgroup parents the suite gave to the clients stay until the cleanup removes them
	# (nobody removes a parent: Podman keeps its conmon cgroup there); any container's
	# cgroup below them is a leak
	while read -r cg; do
		case ${cg#/sys/fs/cgroup/*/} in
		"$TAG-podman" | "$TAG-podman/conmon" | "$TAG") ;;
		*) left+=("cgroup: $cg") ;;
		esac
	done < <(leaks_cgroups)
	while read -r line; do
		[ -n "$line" ] && left+=("runtime state: $line")
	done < <(find "$W"/*/state -mindepth 1 -maxdepth 2 2> /dev/null)
	while read -r line; do
		[ -e "$RT_ROOT/$line" ] && left+=("runtime state of a Podman container: $RT_ROOT/$line")
	done < <(podman_ids)
	while read -r line; do
		[ -e "$line" ] && left+=("a shim's socket: $line")
	done < <(containerd_shim_sockets)
	while read -r line; do
		[ -n "$line" ] && left+=("new in a client's default place: $line")
	done < <(comm -13 <(echo "$LEAK_BEFORE") <(leaks_global_listing | sort))
	if [ ${#left[@]} -gt 0 ]; then
		printf '%s\n' "${left[@]}"
		fail "${#left[@]} things left behind (listed above)"
	fi
	log "no mounts, processes, cgroups, runtime state or files in the clients' default places left"
}

# leaks_force_cleanup: remove whatever is left of this run, reported or not: processes (by
# pid), mounts, cgroups, runtime state and shim sockets of its containers, the temp dir
leaks_force_cleanup() {
	local p m
	for p in $(leaks_pids | sort -u); do
		kill -KILL "$p" 2> /dev/null
	done
	sleep 0.2
	grep -F "$W" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
		umount -l "$m" 2> /dev/null
	done
	# rmdir only: it removes empty cgroups and can never touch anything else
	leaks_cgroups | while read -r m; do rmdir "$m" 2> /dev/null; done
	# outside $W: exactly this run's containers, by id
	podman_ids | while read -r m; do rm -rf "${RT_ROOT:?}/$m"; done
	containerd_shim_sockets | while read -r m; do rm -f "$m"; done
	rm -rf --one-file-system "$W"
	if [ -e "$W" ]; then
		echo "FAIL  cleanup: $W could not be removed"
		S_FAILED=$((S_FAILED + 1))
		S_FAILURES+=("cleanup of $W")
	fi
}
