# Podman 4.3 + conmon driving the runtime, with the containers.conf of docs/podman.md.
#
# Isolation from the machine's Podman: the storage (--root, --runroot, storage.conf), the
# engine's tmp_dir, static_dir, volume_path, events log and file locks all live under
# $PM; CONTAINERS_CONF names the suite's containers.conf only (Podman then reads no
# other); every container's cgroup goes under /$TAG-podman (--cgroup-parent). The runtime
# keeps its state in its default root (/run/hutch), as for any user: Podman passes
# --runtime-flag options to conmon but not to the `podman container cleanup` that conmon
# runs when a container exits, so a root of our own would leave the state of every
# exited container behind.

PM=
PM_CG=
# the runtime's default state root (runc's for RUNTIME=runc)
RT_ROOT=/run/$(basename "$RUNTIME")

pm() { timeout -k 5 "$CLIENT_TIMEOUT" "$PM/podman" "$@"; }

# prun ARGS...: podman run with the suite's cgroup parent
prun() { pm run --cgroup-parent "$PM_CG" "$@"; }

# pdetach NAME ARGS...: podman run -d, the container named NAME; fails the scenario if not
pdetach() {
	local n=$1
	shift
	ok prun -d --name "$n" "$@"
	assert_match "$OUT" '^[0-9a-f]{64}$' "podman run -d output (the container id)"
}

pm_logs_has() { # NAME TEXT
	grep -qF -- "$2" <<< "$(pm logs "$1" 2>&1)"
}

# A script for containers that must live until told otherwise; it says which signal came.
LOOP='echo started; trap "echo got-usr1" USR1; trap "echo got-term; exit 42" TERM; while :; do sleep 0.1; done'

podman_conf() {
	local name
	name=$(basename "$RUNTIME")
	mkdir -p "$PM/etc" "$PM/tmp" "$PM/hooks.d"
	# Podman raises its own RLIMIT_NOFILE to its hard limit and sets RLIMIT_NPROC to 32768
	# before it starts conmon; without CAP_SYS_RESOURCE in the bounding set no runtime can
	# raise a limit above those, so the containers' defaults must stay within them.
	cat > "$PM/etc/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
		log_driver = "k8s-file"
		# no CNI/netavark bridge on the host: containers get a network namespace of their own
		netns = "none"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM/events.log"
		hooks_dir = ["$PM/hooks.d"]
		lock_type = "file"
		static_dir = "$PM/root/libpod"
		tmp_dir = "$PM/tmp"
		volume_path = "$PM/root/volumes"
		runtime = "$name"
		runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$name"]
		runtime_supports_nocgroup = ["crun", "krun", "$name"]

		[engine.runtimes]
		$name = ["$RUNTIME"]
	EOF
	cat > "$PM/etc/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PM/root"
		runroot = "$PM/runroot"
	EOF
	: > "$PM/etc/registries.conf"
	# podman as this suite runs it, also for tmux windows
	cat > "$PM/podman" <<-EOF
		#!/bin/sh
		export CONTAINERS_CONF="$PM/etc/containers.conf"
		export CONTAINERS_STORAGE_CONF="$PM/etc/storage.conf"
		export CONTAINERS_REGISTRIES_CONF="$PM/etc/registries.conf"
		exec podman --root "$PM/root" --runroot "$PM/runroot" "\$@"
	EOF
	chmod +x "$PM/podman"
}

podman_setup() {
	PM=$W/podman
	PM_CG=/$TAG-podman
	podman_conf
	skopeo_isolated --insecure-policy copy -q "oci:$W/image/oci:busybox" \
		"containers-storage:[overlay@$PM/root+$PM/runroot]$IMAGE_REF" || return 1
	pm image exists "$IMAGE_REF"
}

podman_reset() {
	[ -n "$PM" ] && pm rm --all --force --time 0 > /dev/null 2>&1
	return 0
}

podman_teardown() {
	[ -n "$PM" ] && [ -d "$PM" ] || return 0
	podman_reset
	# containers/storage keeps its overlay directory bind-mounted on itself while in use
	local m
	awk -v p="$PM/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount "$m"; done
	return 0
}

# the ids of every container this run made (Podman's event log, ours)
podman_ids() {
	[ -s "$PM/events.log" ] && jq -r 'select(.Type == "container") | .ID' "$PM/events.log" | sort -u
	return 0
}

# The cgroup directory of a container in one v1 controller (the suite's cgroup parent)
pm_cgroup() { # NAME CONTROLLER
	local id
	id=$(pm inspect --format '{{.Id}}' "$1") || return 1
	echo "/sys/fs/cgroup/$2$PM_CG/libpod-$id"
}

t_pm_run_rm() {
	ok prun --rm "$IMAGE_REF" echo hello from podman
	assert_eq "hello from podman" "$OUT" "podman run --rm output"
	expect 3 prun --rm "$IMAGE_REF" sh -c 'echo out; echo err >&2; exit 3'
	assert_eq out "$OUT" stdout
	assert_eq err "$ERR" stderr
	ok pm ps --all --quiet
	assert_eq "" "$OUT" "containers left after run --rm"
	ok pm info --format '{{.Host.OCIRuntime.Path}}'
	assert_eq "$RUNTIME" "$OUT" "the runtime Podman uses"
	# --runtime PATH, as the issue names it, reaches the same runtime
	ok pm --runtime "$RUNTIME" run --rm --cgroup-parent "$PM_CG" "$IMAGE_REF" echo by path
	assert_eq "by path" "$OUT"
}

t_pm_run_126_127() {
	expect 127 prun --rm "$IMAGE_REF" /no/such/program
	assert_contains "$ERR" "no such file or directory" "podman's error for a missing program"
	expect 127 prun --rm "$IMAGE_REF" nosuchprogram
	expect 126 prun --rm "$IMAGE_REF" /etc/passwd
	assert_contains "$ERR" "permission denied" "podman's error for a non-executable file"
	ok pm ps --all --quiet
	assert_eq "" "$OUT" "containers left after failed runs"
}

t_pm_detach_logs_top() {
	pdetach d1 "$IMAGE_REF" sh -c "$LOOP"
	wait_for 10 pm_logs_has d1 started || fail "logs never showed 'started'"
	ok pm inspect --format '{{.State.Status}} {{.State.Pid}}' d1
	local st=${OUT% *} pid=${OUT#* }
	assert_eq running "$st" "status of a detached container"
	assert_eq "sh" "$(cat "/proc/$pid/comm")" "the container's init on the host"
	ok pm ps --format '{{.Names}} {{.Status}}'
	assert_match "$OUT" '^d1 Up ' "podman ps"
	ok pm top d1 pid args
	assert_match "$OUT" 'PID +COMMAND' "podman top header"
	assert_match "$OUT" '1 +sh -c echo started' "podman top shows the init as pid 1"
	ok pm logs d1
	assert_eq started "$OUT" "podman logs"
}

t_pm_exec() {
	pdetach e1 "$IMAGE_REF" sleep 1000
	ok pm exec e1 echo from exec
	assert_eq "from exec" "$OUT" "exec output"
	expect 5 pm exec e1 sh -c 'exit 5'
	ok pm exec -e FOO=bar -e ANSWER=42 e1 sh -c 'echo $FOO $ANSWER'
	assert_eq "bar 42" "$OUT" "exec -e"
	ok pm exec -w /tmp e1 pwd
	assert_eq /tmp "$OUT" "exec -w"
	ok pm exec -u 1000:1000 e1 id
	assert_eq "uid=1000(user) gid=1000(user)" "$OUT" "exec -u"
	ok pm exec e1 sh -c 'readlink /proc/1/ns/pid; readlink /proc/self/ns/pid'
	assert_eq 1 "$(sort -u <<< "$OUT" | wc -l)" "exec runs in the container's pid namespace"
	expect 127 pm exec e1 nosuchprogram
	expect 126 pm exec e1 /etc/passwd
}

t_pm_stop_term() {
	pdetach s1 "$IMAGE_REF" sh -c "$LOOP"
	wait_for 10 pm_logs_has s1 started || fail "never started"
	ok pm stop --time 20 s1
	ok pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' s1
	assert_eq "exited 42" "$OUT" "state after stop (the TERM trap exits 42)"
	ok pm logs s1
	assert_contains "$OUT" got-term
}

t_pm_stop_kill() {
	pdetach s2 "$IMAGE_REF" sh -c 'trap "echo ignored-term" TERM; echo started; while :; do sleep 0.1; done'
	wait_for 10 pm_logs_has s2 started || fail "never started"
	local t0 t1
	t0=$(date +%s.%N)
	ok pm stop --time 1 s2
	t1=$(date +%s.%N)
	ok pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' s2
	assert_eq "exited 137" "$OUT" "state after stop of a container ignoring SIGTERM"
	ok pm logs s2
	assert_contains "$OUT" ignored-term "SIGTERM came first"
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1) }' || fail "SIGKILL came before the 1 s grace time"
}

t_pm_kill_wait() {
	pdetach k1 "$IMAGE_REF" sh -c "$LOOP"
	wait_for 10 pm_logs_has k1 started || fail "never started"
	ok pm kill --signal USR1 k1
	wait_for 10 pm_logs_has k1 got-usr1 || fail "SIGUSR1 never reached the container"
	ok pm inspect --format '{{.State.Status}}' k1
	assert_eq running "$OUT" "status after a trapped SIGUSR1"
	ok pm kill --signal TERM k1
	ok pm wait k1
	assert_eq 42 "$OUT" "podman wait: the exit status"
	pdetach k2 "$IMAGE_REF" sh -c 'sleep 0.5; exit 9'
	ok pm wait k2
	assert_eq 9 "$OUT" "podman wait on a container exiting by itself"
	pdetach k3 "$IMAGE_REF" sleep 1000
	ok pm kill --signal KILL k3
	ok pm wait k3
	assert_eq 137 "$OUT" "podman wait after SIGKILL"
}

t_pm_rm_force() {
	pdetach r1 "$IMAGE_REF" sh -c "$LOOP"
	local id pid cg
	id=$(pm inspect --format '{{.Id}}' r1)
	pid=$(pm inspect --format '{{.State.Pid}}' r1)
	cg=$(pm_cgroup r1 memory)
	[ -d "$cg" ] || fail "no cgroup $cg for the running container"
	[ -d "$RT_ROOT/$id" ] || fail "no runtime state $RT_ROOT/$id for the running container"
	ok pm rm --force r1
	ok pm ps --all --quiet
	assert_eq "" "$OUT" "containers after rm -f"
	wait_for 10 sh -c "! kill -0 $pid" || fail "the container's init $pid survived rm -f"
	[ -d "$cg" ] && fail "rm -f left the cgroup $cg"
	[ -e "$RT_ROOT/$id" ] && fail "rm -f left the runtime's state $RT_ROOT/$id"
	return 0
}

t_pm_pause() {
	pdetach p1 "$IMAGE_REF" sh -c "$COUNTER"
	local pid fz
	pid=$(pm inspect --format '{{.State.Pid}}' p1)
	fz=$(pm_cgroup p1 freezer)/freezer.state
	wait_for 10 counter_moves "$pid" || fail "the counter never moved"
	ok pm pause p1
	ok pm inspect --format '{{.State.Status}}' p1
	assert_eq paused "$OUT" "status after podman pause"
	assert_eq FROZEN "$(cat "$fz")" "$fz"
	counter_moves "$pid" && fail "the counter moved in a paused container"
	ok pm unpause p1
	ok pm inspect --format '{{.State.Status}}' p1
	assert_eq running "$OUT" "status after podman unpause"
	assert_eq THAWED "$(cat "$fz")" "$fz"
	counter_moves "$pid" || fail "the counter did not move after unpause"
	# a paused container can still be removed
	ok pm pause p1
	ok pm rm --force --time 0 p1
	wait_for 10 eval "! kill -0 $pid 2> /dev/null" || fail "the paused container's init survived rm -f"
}

t_pm_update() {
	pdetach u1 --memory 64m --pids-limit 50 "$IMAGE_REF" sleep 1000
	local mem pids
	mem=$(pm_cgroup u1 memory)
	pids=$(pm_cgroup u1 pids)
	assert_eq 67108864 "$(cat "$mem/memory.limit_in_bytes")" "memory limit before the update"
	ok pm update --memory 128m --cpus 0.5 u1
	assert_eq 134217728 "$(cat "$mem/memory.limit_in_bytes")" "memory limit after podman update --memory 128m"
	assert_eq 50000 "$(cat "$(pm_cgroup u1 cpu)/cpu.cfs_quota_us")" "CFS quota after podman update --cpus 0.5"
	ok pm exec u1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	assert_eq 134217728 "$OUT" "memory limit seen in the container"
	assert_eq 50 "$(cat "$pids/pids.max")" "pids limit (not in the update) kept"
}

t_pm_stats() {
	pdetach st1 --memory 64m "$IMAGE_REF" sleep 1000
	ok pm stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st1
	assert_match "$OUT" '^st1 [0-9.]+[kMG]?B / 67.11MB 1$' "podman stats --no-stream"
}

t_pm_memory_pids() {
	ok prun --rm --memory 64m --pids-limit 17 "$IMAGE_REF" \
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	assert_eq "67108864
17" "$OUT" "memory and pids limits seen in the container's cgroup"
	# forks stop at the limit: an inner sh forks until it fails (and dies of it); the
	# outer one reads the counters with builtins, which need no fork
	ok prun --rm --pids-limit 10 "$IMAGE_REF" sh -c \
		'sh -c "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 5 & done" 2> /dev/null
		read n < /sys/fs/cgroup/pids/pids.current; read e < /sys/fs/cgroup/pids/pids.events; echo $n $e'
	assert_match "$OUT" '^([0-9]|10) max [1-9][0-9]*$' "pids.current and pids.events after 15 forks with --pids-limit 10"
}

t_pm_read_only() {
	expect 1 prun --rm --read-only "$IMAGE_REF" touch /newfile
	assert_contains "$ERR" "Read-only file system"
	ok prun --rm --read-only "$IMAGE_REF" sh -c 'touch /tmp/x /run/x /var/tmp/x 2>&1 || true; grep " / " /proc/self/mounts'
	assert_match "$OUT" ' / overlay ro[, ]' "the root mount of a --read-only container"
}

t_pm_volumes() {
	local v=$W/vol-podman
	mkdir -p "$v/rw" "$v/ro"
	echo from-host > "$v/rw/in"
	echo ro-data > "$v/ro/f"
	ok prun --rm -v "$v/rw:/data" -v "$v/ro:/config:ro" "$IMAGE_REF" sh -c \
		'cat /data/in; echo from-container > /data/out; cat /config/f; echo x > /config/g 2>&1 || echo ro-refused'
	assert_eq "from-host
ro-data
ro-refused" "$OUT" "bind mounts seen in the container"
	assert_eq from-container "$(cat "$v/rw/out")" "a file the container wrote in the rw bind"
	[ -e "$v/ro/g" ] && fail "the :ro bind was writable"
	return 0
}

# the capability bits in a hexadecimal mask
cap_bit() { # MASK BIT
	(( (16#$1 >> $2) & 1 ))
}

t_pm_caps() {
	ok prun --rm --cap-drop all --cap-add net_raw "$IMAGE_REF" grep -E '^Cap(Eff|Bnd|Prm)' /proc/self/status
	assert_eq "CapPrm:	0000000000002000
CapEff:	0000000000002000
CapBnd:	0000000000002000" "$OUT" "capabilities after --cap-drop all --cap-add net_raw"
	ok prun --rm --cap-drop chown "$IMAGE_REF" sh -c 'grep CapEff /proc/self/status; chown 1000 /tmp && echo chowned || echo refused'
	local eff
	eff=$(sed -n 's/^CapEff:\t//p' <<< "$OUT")
	cap_bit "$eff" 0 && fail "CAP_CHOWN still effective after --cap-drop chown: $eff"
	cap_bit "$eff" 5 || fail "CAP_KILL (a default) missing: $eff"
	assert_contains "$OUT" refused "chown without CAP_CHOWN"
}

t_pm_privileged() {
	local bnd
	bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
	ok prun --rm --privileged "$IMAGE_REF" sh -c 'grep CapEff /proc/self/status; ls /dev; grep " /sys " /proc/self/mounts'
	assert_contains "$OUT" "CapEff:	$bnd" "a privileged container has every capability of the host's bounding set"
	local d
	# every character device of the host but its console (a container gets its own, or none)
	for d in /dev/*; do
		if [ -c "$d" ] && [ "$d" != /dev/console ]; then
			grep -qx -- "${d#/dev/}" <<< "$OUT" || fail "host device $d missing in the privileged container"
		fi
	done
	assert_match "$OUT" ' /sys sysfs rw' "/sys is writable in a privileged container"
	ok prun --rm "$IMAGE_REF" ls /dev
	assert_eq "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
		"$(tr '\n' ' ' <<< "$OUT" | sed 's/ $//')" "the devices of an unprivileged container"
}

t_pm_uidmap() {
	local v=$W/vol-uidmap
	mkdir -p "$v"
	chmod 777 "$v"
	ok prun --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 -v "$v:/v" "$IMAGE_REF" \
		sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /v/made-by-root'
	assert_eq "0 100000 65536
0 100000 65536
0" "$(sed 's/  */ /g; s/^ //' <<< "$OUT")" "id maps and uid in the container"
	assert_eq "100000:100000" "$(stat -c %u:%g "$v/made-by-root")" "owner on the host of a file made by the container's root"
}

t_pm_sysctl() {
	local host_msgmax
	host_msgmax=$(cat /proc/sys/kernel/msgmax)
	ok prun --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.msgmax=12345 "$IMAGE_REF" \
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax
	assert_eq "1
12345" "$OUT" "sysctls in the container"
	assert_eq "$host_msgmax" "$(cat /proc/sys/kernel/msgmax)" "the host's kernel.msgmax"
}

t_pm_network() {
	ok prun --rm --network none "$IMAGE_REF" sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'
	assert_eq lo "$(head -n1 <<< "$OUT")" "interfaces with --network none"
	assert_eq 2 "$(wc -l <<< "$OUT")" "only lo with --network none"
	[ "$(tail -n1 <<< "$OUT")" = "$(readlink /proc/self/ns/net)" ] && fail "--network none shares the host's netns"
	ok prun --rm --network host "$IMAGE_REF" sh -c 'readlink /proc/self/ns/net; ls /sys/class/net'
	assert_eq "$(readlink /proc/self/ns/net)" "$(head -n1 <<< "$OUT")" "--network host: the host's netns"
	assert_eq "$(ls /sys/class/net | sort)" "$(tail -n +2 <<< "$OUT" | sort)" "--network host: the host's interfaces"
}

t_pm_run_tty() {
	tm new-session -d -s prun -x 100 -y 30 \
		"$PM/podman run -it --rm --name tty1 --cgroup-parent $PM_CG $IMAGE_REF sh; echo EXIT=\$?; sleep 60"
	wait_screen prun '/ #'
	tm send-keys -t prun 'tty; stty size' Enter
	wait_screen prun '30 100'
	wait_screen prun '/dev/pts/0'
	resized prun 40 120
	# exec -it into the same container, in a window of its own
	tm new-window -d -t prun -n ex "$PM/podman exec -it tty1 sh; echo EXEC-EXIT=\$?; sleep 60"
	wait_screen prun:ex '/ #'
	tm send-keys -t prun:ex 'tty; stty size; echo $$' Enter
	wait_screen prun:ex '/dev/pts/1'
	resized prun:ex 25 90
	tm send-keys -t prun:ex 'exit 3' Enter
	wait_screen prun:ex 'EXEC-EXIT=3'
	tm send-keys -t prun:0 'exit 4' Enter
	wait_screen prun:0 'EXIT=4'
	tm kill-session -t prun
}

# --cgroups=disabled: Podman passes --cgroup-manager disabled to a runtime listed in
# runtime_supports_nocgroup; the container then stays in the cgroups of its conmon
t_pm_no_cgroups() {
	[ "$(basename "$RUNTIME")" = runc ] && skip "runc has no --cgroup-manager (Podman lists it nowhere in runtime_supports_nocgroup)"
	# no --cgroup-parent: Podman refuses it with --cgroups=disabled
	ok pm run -d --name nc1 --cgroups=disabled "$IMAGE_REF" sh -c "$LOOP"
	wait_for 10 pm_logs_has nc1 started || fail "never started"
	local id pid conmon
	id=$(pm inspect --format '{{.Id}}' nc1)
	pid=$(pm inspect --format '{{.State.Pid}}' nc1)
	conmon=$(pm inspect --format '{{.State.ConmonPid}}' nc1)
	assert_eq "$(cat "/proc/$conmon/cgroup")" "$(cat "/proc/$pid/cgroup")" "the container's cgroups (conmon's)"
	find /sys/fs/cgroup -maxdepth 4 -name "*$id*" | grep . && fail "a cgroup was made for the container"
	ok pm exec nc1 echo exec without cgroup
	assert_eq "exec without cgroup" "$OUT"
	ok pm stop --time 10 nc1
	ok pm inspect --format '{{.State.ExitCode}}' nc1
	assert_eq 42 "$OUT" "exit status after stop"
	expect 126 pm run --rm --cgroups=disabled --memory 64m "$IMAGE_REF" true
	assert_contains "$ERR" "linux.resources.memory: cannot be applied without a cgroup" "a limit without a cgroup"
}

podman_scenarios() {
	client_prepare podman podman_setup podman conmon skopeo tmux
	local r=podman_reset
	scenario "podman: run --rm: output, exit code, the runtime used" t_pm_run_rm $r
	scenario "podman: run: 127 for a missing program, 126 for a non-executable" t_pm_run_126_127 $r
	scenario "podman: run -d, ps, inspect, logs, top" t_pm_detach_logs_top $r
	scenario "podman: exec (plain, -e, -w, -u, exit codes)" t_pm_exec $r
	scenario "podman: run -it and exec -it under tmux, with resizes" t_pm_run_tty $r
	scenario "podman: stop: SIGTERM" t_pm_stop_term $r
	scenario "podman: stop: SIGKILL after the grace time" t_pm_stop_kill $r
	scenario "podman: kill -s, wait" t_pm_kill_wait $r
	scenario "podman: rm -f of a running container" t_pm_rm_force $r
	scenario "podman: stats --no-stream" t_pm_stats $r
	scenario "podman: pause, unpause" t_pm_pause $r
	scenario "podman: update --memory, --cpus of a running container" t_pm_update $r
	scenario "podman: --memory, --pids-limit" t_pm_memory_pids $r
	scenario "podman: --read-only" t_pm_read_only $r
	scenario "podman: -v bind mounts, rw and ro" t_pm_volumes $r
	scenario "podman: --cap-drop, --cap-add" t_pm_caps $r
	scenario "podman: --privileged" t_pm_privileged $r
	scenario "podman: --uidmap, --gidmap" t_pm_uidmap $r
	scenario "podman: --sysctl" t_pm_sysctl $r
	scenario "podman: --network none, --network host" t_pm_network $r
	scenario "podman: --cgroups=disabled (runtime_supports_nocgroup)" t_pm_no_cgroups $r
	CLIENT_MISSING=
}
