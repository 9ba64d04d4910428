# containerd 1.6 + ctr + containerd-shim-runc-v2 driving the runtime (ctr run --runc-binary).
#
# The suite starts its own containerd: config, root, state, socket and the opt plugin's
# directory under $CD, no CRI plugin, stopped by its pid at the end. Tasks live in the
# containerd namespace $TAG, so their cgroups are /$TAG/<id>; the runtime's state goes under
# $CD/runc (--runc-root), the io fifos under $CD/fifo. Only the shims' sockets go where
# containerd 1.6 always puts them (/run/containerd/s, named by a hash of our socket path).

CD=
CD_PID=
CTR_UPDATE=
CTR_UPDATE_PID=
CD_UPDATE_SCENARIO="containerd: update of a running task's limits (Tasks.Update)"

cr() { timeout -k 5 "$CLIENT_TIMEOUT" "$CD/ctr" "$@"; }

# crun_ ARGS...: ctr run with the runtime under test. The container id (the argument after
# the image) goes into $CD/ids, for the leak check.
crun_() {
	local a prev=
	for a in "$@"; do
		[ "$prev" = "$IMAGE_REF" ] && echo "$a" >> "$CD/ids"
		prev=$a
	done
	cr run --runc-binary "$RUNTIME" --runc-root "$CD/runc" --fifo-dir "$CD/fifo" "$@"
}

# cdetach ID ARGS... IMAGE-ARGS: ctr run -d, output to $CD/logs/ID.log
cdetach() {
	local id=$1
	shift
	ok crun_ -d --log-uri "file://$CD/logs/$id.log" "$@"
	wait_for 10 ctr_status_is "$id" RUNNING || fail "task $id is not running: $(cr task ls)"
}

ctr_status_is() { # ID STATUS
	[ "$(cr task ls | awk -v id="$1" '$1 == id {print $3}')" = "$2" ]
}

ctr_log_has() { # ID TEXT
	grep -qF -- "$2" "$CD/logs/$1.log"
}

# the task's cgroup directory in one v1 controller
ctr_cgroup() { # ID CONTROLLER
	echo "/sys/fs/cgroup/$2/$TAG/$1"
}

containerd_conf() {
	mkdir -p "$CD/root" "$CD/run" "$CD/tmp" "$CD/opt" "$CD/runc" "$CD/fifo" "$CD/logs"
	cat > "$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/run"
		temp = "$CD/tmp"
		# no CRI (it would manage networks and pods), no snapshotters we do not use
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing",
		  "io.containerd.tracing.processor.v1.otlp"]

		[grpc]
		  address = "$CD/containerd.sock"

		[ttrpc]
		  address = "$CD/containerd.sock.ttrpc"

		[debug]
		  address = "$CD/debug.sock"

		[metrics]
		  address = ""

		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CD/opt"
	EOF
	cat > "$CD/ctr" <<-EOF
		#!/bin/sh
		exec ctr --address "$CD/containerd.sock" --namespace "$TAG" "\$@"
	EOF
	chmod +x "$CD/ctr"
}

containerd_setup() {
	CD=$W/containerd
	containerd_conf
	containerd --config "$CD/config.toml" > "$CD/containerd.log" 2>&1 &
	CD_PID=$!
	if ! wait_for 20 "$CD/ctr" version; then
		cat "$CD/containerd.log"
		return 1
	fi
	cr image import --base-name localhost/busybox "$W/image/busybox.tar" || return 1
	cr image ls -q | grep -qx "$IMAGE_REF"
}

containerd_reset() {
	[ -n "$CD_PID" ] || return 0
	local id
	for id in $(cr task ls -q 2> /dev/null); do
		cr task kill --signal SIGKILL "$id" > /dev/null 2>&1
		wait_for 10 ctr_status_is "$id" STOPPED
		cr task rm --force "$id" > /dev/null 2>&1
	done
	for id in $(cr container ls -q 2> /dev/null); do
		cr container rm "$id" > /dev/null 2>&1
	done
	return 0
}

# stop_pid PID: SIGTERM, then SIGKILL after 10 s (a containerd this suite started)
stop_pid() {
	kill -TERM "$1" 2> /dev/null
	wait_for 10 eval "! kill -0 $1" || kill -KILL "$1" 2> /dev/null
	wait "$1" 2> /dev/null
}

containerd_teardown() {
	# the CRI scenario's containerd, if that scenario died before stopping it
	if [ -s "$CD/cri/containerd.pid" ]; then
		stop_pid "$(cat "$CD/cri/containerd.pid")"
		rm -f "$CD/cri/containerd.pid"
	fi
	if [ -n "$CTR_UPDATE_PID" ]; then
		[ -s "$W/go/status" ] || kill -- "-$(cat "$W/go/pgid")" 2> /dev/null
		wait "$CTR_UPDATE_PID" 2> /dev/null
		CTR_UPDATE_PID=
	fi
	[ -n "$CD_PID" ] || return 0
	containerd_reset
	cr image rm "$IMAGE_REF" > /dev/null 2>&1
	stop_pid "$CD_PID"
	CD_PID=
	# /run/containerd/s, the shims' socket directory hard-coded in containerd 1.6, stays:
	# another containerd user (another run of this suite) may be about to bind a socket there
	return 0
}

# containerd_build_helper_bg: build ctr-update (see ctr-update/main.go) in the background;
# it needs golang-go and golang-github-containerd-containerd-dev
# the shims' sockets of this run's tasks: containerd 1.6 names them
# /run/containerd/s/sha256(<containerd's address>/<namespace>/<id>)
containerd_shim_sockets() {
	local id
	[ -s "$CD/ids" ] || return 0
	sort -u "$CD/ids" | while read -r id; do
		printf '/run/containerd/s/%s\n' "$(printf '%s' "$CD/containerd.sock/$TAG/$id" | sha256sum | cut -d' ' -f1)"
	done
}

containerd_build_helper_bg() {
	local src=/usr/share/gocode/src/github.com/containerd/containerd/api/services/tasks/v1
	wanted "$CD_UPDATE_SCENARIO" || return 0
	command -v go > /dev/null && [ -d "$src" ] || return 0
	CTR_UPDATE=$W/bin/ctr-update
	mkdir -p "$W/bin" "$W/go/src"
	mkdir -p "$W/go/tmp"
	cp -r "$HERE/ctr-update" "$W/go/src/"
	# go in a session of its own (the teardown ends its process group if it still runs);
	# its exit status lands in $W/go/status
	(
		cd "$W/go/src/ctr-update" || exit
		setsid env GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off GOFLAGS= \
			GOCACHE="$W/go/cache" GOTMPDIR="$W/go/tmp" TMPDIR="$W/go/tmp" \
			go build -o "$CTR_UPDATE" . &
		echo $! > "$W/go/pgid"
		wait $!
		echo $? > "$W/go/status"
	) > "$LOGS/ctr-update-build.log" 2>&1 &
	CTR_UPDATE_PID=$!
}

t_cd_run_rm() {
	ok crun_ --rm "$IMAGE_REF" rm1 echo hello from containerd
	assert_eq "hello from containerd" "$OUT" "ctr run --rm output"
	expect 7 crun_ --rm "$IMAGE_REF" rm2 sh -c 'echo out; echo err >&2; exit 7'
	assert_eq out "$OUT" stdout
	assert_eq err "$ERR" stderr
	ok cr container ls -q
	assert_eq "" "$OUT" "containers left after ctr run --rm"
	[ -e "$CD/runc/$TAG/rm1" ] && fail "the runtime's state of rm1 is left"
	return 0
}

t_cd_detach_ps() {
	cdetach d1 "$IMAGE_REF" d1 sh -c 'echo started; sleep 1000; echo done'
	wait_for 10 ctr_log_has d1 started || fail "the task's output never reached its log"
	ok cr task ps d1
	local pids pid
	pids=$(tail -n +2 <<< "$OUT" | awk '{print $1}')
	assert_eq 2 "$(wc -w <<< "$pids")" "task ps: sh and sleep"
	for pid in $pids; do
		grep -q ":/$TAG/d1\$" "/proc/$pid/cgroup" || fail "pid $pid of task ps is not in the task's cgroup"
	done
	assert_eq "sh sleep" "$(for pid in $pids; do cat "/proc/$pid/comm"; done | sort | xargs)" "task ps processes"
}

t_cd_exec() {
	cdetach e1 "$IMAGE_REF" e1 sleep 1000
	ok cr task exec --exec-id x1 --fifo-dir "$CD/fifo" e1 sh -c 'echo from exec; readlink /proc/1/ns/pid; readlink /proc/self/ns/pid'
	assert_eq "from exec" "$(head -n1 <<< "$OUT")" "task exec output"
	assert_eq 1 "$(tail -n +2 <<< "$OUT" | sort -u | wc -l)" "task exec runs in the task's pid namespace"
	expect 3 cr task exec --exec-id x2 --fifo-dir "$CD/fifo" e1 sh -c 'exit 3'
	ok cr task exec --exec-id x3 --fifo-dir "$CD/fifo" --cwd /tmp --user 1000 e1 sh -c 'pwd; id -u'
	assert_eq "/tmp
1000" "$OUT" "task exec --cwd --user"
	# -t: a terminal, under tmux
	tm new-session -d -s cexec -x 100 -y 30 \
		"$CD/ctr task exec -t --exec-id x4 --fifo-dir $CD/fifo e1 sh; echo EXIT=\$?; sleep 60"
	wait_screen cexec '/ #'
	tm send-keys -t cexec 'tty; stty size' Enter
	wait_screen cexec '/dev/pts/0'
	wait_screen cexec '30 100'
	resized cexec 40 120
	tm send-keys -t cexec 'exit 6' Enter
	wait_screen cexec 'EXIT=6'
	tm kill-session -t cexec
}

t_cd_metrics_limits() {
	cdetach m1 --memory-limit 67108864 --cpus 0.5 "$IMAGE_REF" m1 sleep 1000
	assert_eq 67108864 "$(cat "$(ctr_cgroup m1 memory)/memory.limit_in_bytes")" "memory limit of the task's cgroup"
	local cpu
	cpu=$(ctr_cgroup m1 cpu)
	assert_eq "50000 100000" "$(cat "$cpu/cpu.cfs_quota_us") $(cat "$cpu/cpu.cfs_period_us")" "CFS quota and period for --cpus 0.5"
	ok cr task metrics m1
	assert_match "$OUT" 'memory.limit_in_bytes +67108864' "task metrics: memory limit"
	assert_match "$OUT" 'pids.current +1( |$)' "task metrics: pids"
}

t_cd_kill_delete() {
	cdetach k1 "$IMAGE_REF" k1 sh -c 'trap "echo got-term; exit 42" TERM; echo started; while :; do sleep 0.1; done'
	wait_for 10 ctr_log_has k1 started || fail "never started"
	local pid cg
	pid=$(cr task ls | awk '$1 == "k1" {print $2}')
	cg=$(ctr_cgroup k1 memory)
	[ -d "$cg" ] || fail "no cgroup $cg"
	ok cr task kill k1
	wait_for 10 ctr_status_is k1 STOPPED || fail "SIGTERM did not stop the task"
	ctr_log_has k1 got-term || fail "the task did not see SIGTERM"
	ok cr task delete k1
	assert_contains "$ERR" "exit code 42" "task delete reports the exit status"
	kill -0 "$pid" 2> /dev/null && fail "the task's pid $pid is alive after delete"
	[ -d "$cg" ] && fail "task delete left the cgroup $cg"
	[ -e "$CD/runc/$TAG/k1" ] && fail "task delete left the runtime's state"
	ok cr container rm k1
	# SIGKILL
	cdetach k2 "$IMAGE_REF" k2 sh -c 'trap "" TERM; sleep 1000'
	ok cr task kill --signal SIGKILL k2
	wait_for 10 ctr_status_is k2 STOPPED || fail "SIGKILL did not stop the task"
	ok cr task delete k2
	assert_contains "$ERR" "exit code 137" "task delete reports the exit status"
}

t_cd_pause_resume() {
	cdetach pa1 "$IMAGE_REF" pa1 sh -c "$COUNTER"
	local pid fz
	pid=$(cr task ls | awk '$1 == "pa1" {print $2}')
	fz=$(ctr_cgroup pa1 freezer)/freezer.state
	wait_for 10 counter_moves "$pid" || fail "the counter never moved"
	ok cr task pause pa1
	ctr_status_is pa1 PAUSED || fail "task ls after pause: $(cr task ls)"
	assert_eq FROZEN "$(cat "$fz")" "$fz"
	counter_moves "$pid" && fail "the counter moved in a paused task"
	ok cr task resume pa1
	ctr_status_is pa1 RUNNING || fail "task ls after resume: $(cr task ls)"
	assert_eq THAWED "$(cat "$fz")" "$fz"
	counter_moves "$pid" || fail "the counter did not move after resume"
	# SIGKILL reaches a paused task
	ok cr task pause pa1
	ok cr task kill --signal SIGKILL pa1
	wait_for 10 ctr_status_is pa1 STOPPED || fail "a paused task did not die of SIGKILL: $(cr task ls)"
}

# ctr has no update: ctr-update calls containerd's Tasks.Update, as the CRI's
# UpdateContainerResources does; the shim runs `update --resources -` with the JSON on stdin
t_cd_update() {
	[ -n "$CTR_UPDATE" ] || skip "no go or golang-github-containerd-containerd-dev to build ctr-update"
	wait_for 300 test -s "$W/go/status" || fail "ctr-update still builds after 5 min"
	if [ "$(cat "$W/go/status")" != 0 ] || [ ! -x "$CTR_UPDATE" ]; then
		fail "ctr-update did not build: $(cat "$LOGS/ctr-update-build.log")"
	fi
	cdetach up1 --memory-limit 67108864 --cpus 0.5 "$IMAGE_REF" up1 sleep 1000
	local mem cpu
	mem=$(ctr_cgroup up1 memory)
	cpu=$(ctr_cgroup up1 cpu)
	ok "$CTR_UPDATE" "$CD/containerd.sock" "$TAG" up1 \
		'{"memory": {"limit": 134217728}, "cpu": {"quota": 25000, "period": 100000}, "pids": {"limit": 42}}'
	assert_eq 134217728 "$(cat "$mem/memory.limit_in_bytes")" "memory limit after the update"
	assert_eq "25000 100000" "$(cat "$cpu/cpu.cfs_quota_us") $(cat "$cpu/cpu.cfs_period_us")" "CFS quota and period after the update"
	assert_eq 42 "$(cat "$(ctr_cgroup up1 pids)/pids.max")" "pids limit after the update"
	ok cr task metrics up1
	assert_match "$OUT" 'memory.limit_in_bytes +134217728' "task metrics after the update"
	assert_match "$OUT" 'pids.limit +42' "task metrics after the update"
	ok cr task exec --exec-id x1 --fifo-dir "$CD/fifo" up1 sh -c 'echo alive'
	assert_eq alive "$OUT" "the task after its update"
	# a bad update is the runtime's error, reported back through the shim and containerd
	capture "$CTR_UPDATE" "$CD/containerd.sock" "$TAG" up1 '{"memory": {"limit": 4096}}'
	[ "$RC" != 0 ] || fail "an update to a 4 KiB memory limit was accepted"
	log "error: $ERR"
	assert_eq 134217728 "$(cat "$mem/memory.limit_in_bytes")" "memory limit after a refused update"
}

# cgroup_proc DIR CMDLINE: the pid in cgroup DIR running CMDLINE (args joined by spaces)
cgroup_proc() {
	local p
	for p in $(cat "$1/cgroup.procs"); do
		[ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" = "$2 " ] && echo "$p" && return 0
	done
	return 1
}

# kill --all signals every process of the task's cgroup, the exec'd ones too: the init
# traps SIGTERM and lives on, its child and an exec'd process die of it
t_cd_kill_all() {
	cdetach ka1 "$IMAGE_REF" ka1 sh -c 'trap "echo got-term" TERM; sleep 1000 & echo started; while :; do sleep 0.1; done'
	wait_for 10 ctr_log_has ka1 started || fail "never started"
	ok cr task exec -d --exec-id x1 --fifo-dir "$CD/fifo" ka1 sleep 2000
	local cg child exec
	cg=$(ctr_cgroup ka1 pids)
	wait_for 10 cgroup_proc "$cg" "sleep 1000" || fail "no child of the init in $cg"
	wait_for 10 cgroup_proc "$cg" "sleep 2000" || fail "no exec'd process in $cg"
	child=$(cgroup_proc "$cg" "sleep 1000")
	exec=$(cgroup_proc "$cg" "sleep 2000")
	ok cr task kill --all --signal SIGTERM ka1
	wait_for 10 eval "! kill -0 $child 2> /dev/null" || fail "the init's child $child survived kill --all"
	wait_for 10 eval "! kill -0 $exec 2> /dev/null" || fail "the exec'd process $exec survived kill --all"
	wait_for 10 ctr_log_has ka1 got-term || fail "the init did not get SIGTERM"
	ctr_status_is ka1 RUNNING || fail "the init (trapping SIGTERM) is gone: $(cr task ls)"
	ok cr task kill --all --signal SIGKILL ka1
	wait_for 10 ctr_status_is ka1 STOPPED || fail "kill --all SIGKILL did not stop the task"
	[ -n "$(cat "$cg/cgroup.procs" 2> /dev/null)" ] && fail "processes left in $cg"
	return 0
}

# The CRI runtime class of docs/containerd.md, as written there, loads into a containerd
# (a second one, with the CRI plugin, started and stopped here): the plugin is "ok" and its
# config holds the BinaryName. The kubelet's path through it is the shim of ctr --runc-binary.
t_cd_cri_runtime_class() {
	local doc=$REPO/docs/containerd.md d=$CD/cri block
	block=$(sed -n '/^<!-- containerd-cri-config/,/^```$/p' "$doc" | sed '1,2d; $d')
	assert_contains "$block" 'runtimes.hutch.options]' "the CRI block of docs/containerd.md"
	assert_eq "version = 2" "$(head -n1 <<< "$block")" "the first line of the CRI block"
	mkdir -p "$d/opt"
	# the suite's own places first (TOML: top-level keys before any table), then the block
	{
		cat <<-EOF
			version = 2
			root = "$d/root"
			state = "$d/run"
			[grpc]
			  address = "$d/containerd.sock"
			[ttrpc]
			  address = "$d/containerd.sock.ttrpc"
			[plugins."io.containerd.internal.v1.opt"]
			  path = "$d/opt"
		EOF
		sed "1d; s|/usr/local/bin/hutch|$RUNTIME|; s|/run/containerd/hutch|$d/hutch|" <<< "$block"
	} > "$d/config.toml"
	ok containerd --config "$d/config.toml" config dump
	assert_contains "$OUT" "BinaryName = \"$RUNTIME\"" "the runtime class in containerd's config"
	containerd --config "$d/config.toml" > "$d/containerd.log" 2>&1 &
	echo $! > "$d/containerd.pid"
	wait_for 20 ctr --address "$d/containerd.sock" version || fail "containerd with the CRI plugin did not start:
$(tail -n 20 "$d/containerd.log")"
	ok ctr --address "$d/containerd.sock" plugins ls
	assert_match "$OUT" 'io.containerd.grpc.v1 +cri +[^ ]+ +ok' "the CRI plugin with the runtime class"
	grep -q 'Runtimes:map\[hutch:{Type:io.containerd.runc.v2' "$d/containerd.log" ||
		fail "the CRI plugin did not take the hutch runtime: $(grep 'Start cri plugin' "$d/containerd.log" | cut -c1-600)"
	stop_pid "$(cat "$d/containerd.pid")"
	rm "$d/containerd.pid"
}

containerd_scenarios() {
	client_prepare containerd containerd_setup containerd ctr containerd-shim-runc-v2 tmux
	local r=containerd_reset
	scenario "containerd: ctr run --rm: output and exit code" t_cd_run_rm $r
	scenario "containerd: ctr run -d, task ps" t_cd_detach_ps $r
	scenario "containerd: task exec (plain, --cwd, --user, -t under tmux)" t_cd_exec $r
	scenario "containerd: --memory-limit, --cpus, task metrics" t_cd_metrics_limits $r
	scenario "containerd: task kill (SIGTERM, SIGKILL), task delete" t_cd_kill_delete $r
	scenario "containerd: task kill --all" t_cd_kill_all $r
	scenario "containerd: task pause, resume" t_cd_pause_resume $r
	scenario "$CD_UPDATE_SCENARIO" t_cd_update $r
	scenario "containerd: the CRI runtime class of docs/containerd.md loads" t_cd_cri_runtime_class
	CLIENT_MISSING=
}
