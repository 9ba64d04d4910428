#!/bin/bash
# Faults: hutch SIGKILLed at each stage of create (and of run, start, delete), the
# container's init killed at each stage, hooks that fail or time out, a full disk under
# --root, and --root wiped while containers run. After each: `state` and `list` tell the
# truth, `delete --force` removes everything, and nothing is left: no state dir, cgroup,
# mount or process.
#
# A stage is reached deterministically with strace's syscall tampering: the Nth call of a
# syscall is delayed (hutch sits there, stopped, while the test looks and kills), e.g. the
# first memfd_create of create comes right after the cgroup is made. Syscall numbers are
# x86_64's. ONLY=ERE runs the scenarios whose call matches. The script runs below hutch-reaper: whatever outlives hutch is reparented to
# the reaper, where orphans() finds it.
set -u
. "$(dirname "$0")/reaper.sh"
. "$(dirname "$0")/lib.sh"

if [ "$(uname -m)" != x86_64 ] || ! command -v strace > /dev/null; then
	skipc faults "needs strace on x86_64 (syscall numbers)"
	summary
	exit
fi
declare -A NR=([mount]=165 [sendmsg]=46 [renameat]=264 [memfd_create]=319 [accept4]=288
	[pidfd_send_signal]=424 [connect]=42 [unlinkat]=263 [wait4]=61)

ROOTFS=$W/rootfs
make_rootfs "$ROOTFS" || { failc setup "cannot make the rootfs"; summary; exit; }
mkdir -p "$ROOTFS/out" "$W/out"
BASE=$W/base.json
default_config sleep 100000 | jq --arg r "$ROOTFS" '.root.path = $r' > "$BASE"
N=0

# ---- helpers ----

# settle SECONDS: wait until no orphan is left; print those that stay
settle() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		[ -z "$(orphans)" ] && return 0
		sleep 0.05
	done
	orphans | while read -r p s; do
		echo "process left behind: $p ($s) $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)"
	done
}

# kill_orphans: after a failed check, so that the next one starts clean
kill_orphans() {
	local p
	for p in $(orphans | awk '{print $1}'); do kill -KILL "$p" 2> /dev/null; done
	settle 5 > /dev/null
}

# new_case VAR-PREFIX: a fresh id ($ID), state root ($ROOT) and bundle ($B)
new_case() {
	N=$((N + 1))
	ID="$TAG-$N"
	new_root ROOT "root-$N"
	B=$W/bundle-$N
	mkdir -p "$B"
	jq "${1:-.}" "$BASE" > "$B/config.json"
}

# problems_clean: state, list and the host after delete --force
problems_clean() {
	local st
	run_cap "$ROOT" delete --force "$ID"
	[ "$RC" = 0 ] || echo "delete --force exited $RC: $ERR"
	st=$(status_of "$ROOT" "$ID")
	[ "$st" = absent ] || echo "state after delete --force: $st, want no container"
	leftovers "$ID" "$ROOT"
	settle 5
}

# traced SYSCALL WHEN SECONDS [-f] -- ARGS...: hutch ARGS under strace, whose WHEN-th
# SYSCALL is delayed by SECONDS. Background; sets SPID (strace) and HPID (hutch).
traced() {
	local sc=$1 when=$2 secs=$3 follow=
	shift 3
	[ "$1" = -f ] && { follow=-f; shift; }
	[ "$1" = -- ] && shift
	export HUTCH_ERR=$W/traced.err
	# hutch's stderr apart from strace's own messages: through a shell that execs it
	strace -o /dev/null $follow -e trace="$sc" \
		-e inject="$sc":delay_enter=$((secs * 1000000)):when="$when" \
		bash -c 'exec "$0" "$@" 2> "$HUTCH_ERR"' "$RUNTIME" --root "$ROOT" "$@" \
		< /dev/null > "$W/traced.out" 2> "$W/strace.err" &
	SPID=$!
	HPID=
	local i
	for ((i = 0; i < 200; i++)); do
		HPID=$(pgrep -P "$SPID" | head -n1)
		[ -n "$HPID" ] && return 0
		sleep 0.02
	done
	return 1
}

# in_syscall PID NAME: PID is stopped at the entry of syscall NAME
in_syscall() {
	local s
	read -r s _ < "/proc/$1/syscall" 2> /dev/null || return 1
	[ "$s" = "${NR[$2]}" ] || return 1
	[ "$(awk '{ l = $0; sub(/^.*\) /, "", l); print substr(l, 1, 1) }' "/proc/$1/stat")" = t ]
}

# wait_stopped PID NAME: until PID sits in NAME (30 s at most: the machine may be busy)
wait_stopped() { wait_for 30 in_syscall "$1" "$2" || { cat "$W/strace.err"; return 1; }; }

# cgroup_procs ID: the processes of the container's cgroup (the pids hierarchy)
cgroup_procs() {
	local d
	for d in /sys/fs/cgroup/pids/hutch/"$1" /sys/fs/cgroup/hutch/"$1" /sys/fs/cgroup/unified/hutch/"$1"; do
		[ -f "$d/cgroup.procs" ] && { cat "$d/cgroup.procs"; return 0; }
	done
	return 0
}

# in_cgroup_syscall ID NAME: a process of the container's cgroup is stopped at NAME
in_cgroup_syscall() {
	local p
	for p in $(cgroup_procs "$1"); do
		in_syscall "$p" "$2" && { echo "$p"; return 0; }
	done
	return 1
}

status_is() { [ "$(RT_TIMEOUT=5 status_of "$1" "$2")" = "$3" ]; }
status_isnt() { [ "$(RT_TIMEOUT=5 status_of "$1" "$2")" != "$3" ]; }

# listed_as ROOT ID: the status `list` gives ID, "absent" when not listed
listed_as() {
	local s
	s=$(rtr "$1" list --format json 2> /dev/null | jq -r --arg id "$2" '.[]? | select(.id == $id) | .status')
	echo "${s:-absent}"
}

# truth WANT: state and list must both say WANT (within a bounded time: they must not
# block on a lock held by the command under test)
truth() {
	local st ls
	st=$(RT_TIMEOUT=5 status_of "$ROOT" "$ID")
	ls=$(RT_TIMEOUT=5 listed_as "$ROOT" "$ID")
	[ "$st" = "$1" ] || echo "state says $st, want $1"
	[ "$ls" = "$1" ] || echo "list says $ls, want $1"
	return 0
}

# scenario FUNCTION ARGS...: run one, unless ONLY=ERE is set and its line does not match
ONLY=${ONLY:-}
scenario() {
	if [ -n "$ONLY" ] && ! grep -Eq -- "$ONLY" <<< "$*"; then
		return 0
	fi
	local t0=$SECONDS
	"$@"
	[ $((SECONDS - t0)) -lt 5 ] || say "took $((SECONDS - t0)) s: $*"
}

# ---- hutch SIGKILLed at each stage of create ----

# kill_create_at NAME SYSCALL WHEN BEFORE AFTER [-f]: stop create at the WHEN-th SYSCALL
# (with -f: in the init stage), check state/list say BEFORE, SIGKILL hutch, check they say
# AFTER, then delete --force must leave nothing.
kill_create_at() {
	local name=$1 sc=$2 when=$3 before=$4 after=$5 follow=${6:-} p who
	new_case
	# with -f the init stage is delayed too, and a delayed tracee cannot be reaped: short
	local delay=60
	[ -n "$follow" ] && delay=3
	p=$(
		traced "$sc" "$when" "$delay" $follow -- create --bundle "$B" "$ID" || echo "hutch did not start"
		who=$HPID
		if [ -n "$follow" ]; then
			wait_for 30 in_cgroup_syscall "$ID" "$sc" || echo "the init stage never reached $sc #$when"
		else
			wait_stopped "$HPID" "$sc" || echo "hutch never reached $sc #$when"
		fi
		truth "$before"
		kill -KILL "$who"
		# strace would sit out its delay; its death lets a followed init stage go on
		kill -KILL "$SPID" 2> /dev/null
		wait "$SPID" 2> /dev/null
		truth "$after"
		problems_clean
	)
	check "create killed $name" "$p"
	[ -n "$p" ] && kill_orphans
}

scenario kill_create_at "after the state dir, before state.json" renameat 1 absent absent
scenario kill_create_at "after the cgroup, before the init stage" memfd_create 1 creating stopped
# The forked init stage (container.c, init_can_fork) gets no bootstrap message: create's
# first sendmsg is the hooks ack, with the init in its cgroup. The re-exec'd one gets
# SYNC_BOOTSTRAP first.
scenario kill_create_at "with the init stage in the cgroup" sendmsg 1 creating stopped
kill_create_reexec_at() { HUTCH_TEST_INIT_REEXEC=1 kill_create_at "$@"; }
scenario kill_create_reexec_at "with the re-exec'd init stage in the cgroup" sendmsg 2 creating stopped
scenario kill_create_at "during the init's mounts" mount 5 creating stopped -f
scenario kill_create_at "with the init waiting for start" renameat 3 creating stopped

# `run` (create, start, wait) killed while its container runs: the container lives on
test_kill_run() {
	new_case
	local p
	p=$(
		"$RUNTIME" --root "$ROOT" run --bundle "$B" "$ID" < /dev/null > /dev/null 2>&1 &
		local rp=$!
		wait_for 10 status_is "$ROOT" "$ID" running || echo "the container never ran"
		kill -KILL "$rp"
		wait "$rp" 2> /dev/null
		truth running
		problems_clean
	)
	check "run killed while its container runs" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_run

# `start` killed before it told the init: the container is still created, start works
test_kill_start() {
	new_case
	local p
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "create failed: $ERR"
		traced sendmsg 1 60 -- start "$ID"
		wait_stopped "$HPID" sendmsg || echo "start never reached sendmsg"
		truth created
		kill -KILL "$HPID" "$SPID"
		wait "$SPID" 2> /dev/null
		truth created
		run_cap "$ROOT" start "$ID"
		[ "$RC" = 0 ] || echo "start after a killed start exited $RC: $ERR"
		truth running
		problems_clean
	)
	check "start killed before it reached the init" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_start

# `delete --force` killed before it signalled the container: nothing changed, run it again
test_kill_delete() {
	new_case
	local p
	p=$(
		run_cap "$ROOT" run -d --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "run -d failed: $ERR"
		traced pidfd_send_signal 1 60 -- delete --force "$ID"
		wait_stopped "$HPID" pidfd_send_signal || echo "delete never reached pidfd_send_signal"
		kill -KILL "$HPID" "$SPID"
		wait "$SPID" 2> /dev/null
		truth running
		problems_clean
	)
	check "delete --force killed before it signalled the init" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_delete

# ---- the container's init killed at each stage ----

# kill_init_create NAME SYSCALL WHEN [-f]: create stopped for 6 s at the WHEN-th SYSCALL
# (with -f, in the init stage); the init is killed meanwhile: create must fail cleanly.
# 6 s: on 2 loaded cores a 3 s stop could pass before the poll below saw it.
kill_init_create() {
	local name=$1 sc=$2 when=$3 follow=${4:-} p
	new_case
	p=$(
		traced "$sc" "$when" 6 $follow -- create --bundle "$B" "$ID"
		if [ -n "$follow" ]; then
			wait_for 30 in_cgroup_syscall "$ID" "$sc" || echo "the init stage never reached $sc #$when"
		else
			wait_stopped "$HPID" "$sc" || echo "hutch never reached $sc #$when"
		fi
		for q in $(cgroup_procs "$ID"); do kill -KILL "$q"; done
		wait "$SPID"
		rc=$?
		[ "$rc" = 1 ] || echo "create exited $rc, want 1"
		one_line_error "$(< "$W/traced.err")" ""
		leftovers "$ID" "$ROOT"
		settle 5
	)
	check "init killed $name: create fails cleanly" "$p"
	[ -n "$p" ] && kill_orphans
}

# The forked init joins its cgroups itself and is told nothing: killed while create
# is about to ack its hooks request (create's first sendmsg). The re-exec'd init is
# moved by create, which is about to send SYNC_PID_ACK (its second, after SYNC_BOOTSTRAP).
scenario kill_init_create "before its hooks are acked" sendmsg 1
kill_init_reexec_create() { HUTCH_TEST_INIT_REEXEC=1 kill_init_create "$@"; }
scenario kill_init_reexec_create "(re-exec'd) before it is told it is in its cgroup" sendmsg 2
scenario kill_init_create "during its mounts" mount 5 -f

# the init killed in a createContainer hook that blocks (after the mounts, before pivot)
test_kill_init_in_hook() {
	# before pivot_root: the hook sees the host's paths
	new_case '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "touch '"$W"'/hook-ran; exec sleep 1000"]}]'
	local p
	p=$(
		rtr "$ROOT" create --bundle "$B" "$ID" < /dev/null > "$W/c.out" 2> "$W/c.err" &
		local cp=$!
		wait_for 10 test -e "$W/hook-ran" || echo "the hook never ran"
		rm -f "$W/hook-ran"
		truth creating
		local init
		init=$(cgroup_procs "$ID" | head -n1)
		kill -KILL "$init"
		wait "$cp"
		rc=$?
		[ "$rc" = 1 ] || echo "create exited $rc, want 1"
		one_line_error "$(< "$W/c.err")" ""
		leftovers "$ID" "$ROOT"
		settle 5
	)
	check "init killed in a createContainer hook: create fails cleanly" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_init_in_hook

# the init killed while it waits for start: stopped, start refuses, delete removes
test_kill_init_created() {
	new_case
	local p
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "create failed: $ERR"
		kill -KILL "$(rtr "$ROOT" state "$ID" | jq .pid)"
		wait_for 5 status_is "$ROOT" "$ID" stopped
		truth stopped
		run_cap "$ROOT" start "$ID"
		[ "$RC" = 1 ] || echo "start of a dead container exited $RC, want 1"
		one_line_error "$ERR" "stopped"
		run_cap "$ROOT" delete "$ID"
		[ "$RC" = 0 ] || echo "delete (no --force) of the stopped container exited $RC: $ERR"
		problems_clean
	)
	check "init killed while waiting for start" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_init_created

# the init killed in a startContainer hook: the container ends stopped and is removed
test_kill_init_start_hook() {
	# after pivot_root: the hook sees the container's /out, $W/out on the host
	new_case '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "touch /out/start-hook-ran; exec sleep 1000"]}]
		| .mounts += [{destination: "/out", type: "bind", source: "'"$W/out"'", options: ["rbind", "rw"]}]'
	local p
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "create failed: $ERR"
		local init
		init=$(rtr "$ROOT" state "$ID" | jq .pid)
		rtr "$ROOT" start "$ID" < /dev/null > "$W/s.out" 2> "$W/s.err" &
		local sp=$!
		wait_for 10 test -e "$W/out/start-hook-ran" || echo "the hook never ran"
		rm -f "$W/out/start-hook-ran"
		kill -KILL "$init"
		wait "$sp"
		wait_for 5 status_isnt "$ROOT" "$ID" running
		st=$(status_of "$ROOT" "$ID")
		case $st in stopped | absent) ;; *) echo "state says $st, want stopped" ;; esac
		problems_clean
	)
	check "init killed in a startContainer hook" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_init_start_hook

# the init of a running container killed: stopped, delete without --force removes it
test_kill_init_running() {
	new_case
	local p
	p=$(
		run_cap "$ROOT" run -d --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "run -d failed: $ERR"
		kill -KILL "$(rtr "$ROOT" state "$ID" | jq .pid)"
		wait_for 5 status_is "$ROOT" "$ID" stopped
		truth stopped
		run_cap "$ROOT" delete "$ID"
		[ "$RC" = 0 ] || echo "delete of the stopped container exited $RC: $ERR"
		problems_clean
	)
	check "init of a running container killed" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_init_running

# ---- hooks that fail or time out ----

# hook_case NAME PHASE HOOK-JSON WANT: a hook of PHASE; WANT is where it must show:
# "create" (create fails), "start" (start fails, the container is destroyed), "delete"
# (delete succeeds with a warning)
hook_case() {
	local name=$1 phase=$2 hook=$3 want=$4 p
	new_case ".hooks.$phase = [$hook]"
	p=$(
		local t0=$SECONDS
		run_cap "$ROOT" create --bundle "$B" "$ID"
		case $want in
		create)
			[ "$RC" = 1 ] || echo "create exited $RC, want 1"
			one_line_error "$ERR" "$phase"
			;;
		start)
			[ "$RC" = 0 ] || echo "create failed: $ERR"
			run_cap "$ROOT" start "$ID"
			[ "$RC" = 1 ] || echo "start exited $RC, want 1"
			one_line_error "$ERR" "$phase"
			st=$(status_of "$ROOT" "$ID")
			[ "$st" = absent ] || echo "after the failed start the container is $st, want destroyed (runtime.md steps 7, 9)"
			;;
		delete)
			[ "$RC" = 0 ] || echo "create failed: $ERR"
			run_cap "$ROOT" start "$ID"
			[ "$RC" = 0 ] || echo "start failed: $ERR"
			run_cap "$ROOT" delete --force "$ID"
			[ "$RC" = 0 ] || echo "delete --force exited $RC with a failing poststop hook: $ERR"
			;;
		esac
		[ $((SECONDS - t0)) -le 15 ] || echo "took $((SECONDS - t0)) s: the timeout was not enforced"
		problems_clean
	)
	check "hook $phase $name" "$p"
	[ -n "$p" ] && kill_orphans
}

FAILS='{path: "/bin/sh", args: ["sh", "-c", "exit 7"]}'
HANGS='{path: "/bin/sleep", args: ["sleep", "1000"], timeout: 1}'
HANGS_TERM='{path: "/bin/sh", args: ["sh", "-c", "trap \"\" TERM; while :; do sleep 1; done"], timeout: 1}'
# the hook waits for a child of its own: the timeout must kill both
HANGS_CHILD='{path: "/bin/sh", args: ["sh", "-c", "sleep 1000; exit 0"], timeout: 1}'
for phase in prestart createRuntime createContainer; do
	scenario hook_case "fails" "$phase" "$FAILS" create
	scenario hook_case "times out" "$phase" "$HANGS" create
done
scenario hook_case "ignoring SIGTERM times out" createRuntime "$HANGS_TERM" create
scenario hook_case "waiting for its own child times out" prestart "$HANGS_CHILD" create
scenario hook_case "waiting for its own child times out" createContainer "$HANGS_CHILD" create
scenario hook_case "waiting for its own child times out" poststart "$HANGS_CHILD" start
for phase in startContainer poststart; do
	scenario hook_case "fails" "$phase" "$FAILS" start
	scenario hook_case "times out" "$phase" "$HANGS" start
done
scenario hook_case "fails" poststop "$FAILS" delete
scenario hook_case "times out" poststop "$HANGS" delete

# a createRuntime hook that blocks (no timeout) when hutch is SIGKILLed: it must not
# outlive hutch
test_kill_create_in_hook() {
	new_case '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "touch '"$W"'/rt-hook-ran; exec sleep 1000"]}]'
	local p
	p=$(
		"$RUNTIME" --root "$ROOT" create --bundle "$B" "$ID" < /dev/null > /dev/null 2>&1 &
		local cp=$!
		wait_for 10 test -e "$W/rt-hook-ran" || echo "the hook never ran"
		rm -f "$W/rt-hook-ran"
		truth creating
		kill -KILL "$cp"
		wait "$cp" 2> /dev/null
		truth stopped
		problems_clean
	)
	check "create killed while a createRuntime hook blocks: the hook goes too" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_kill_create_in_hook

# ---- a cgroupsPath that exists and holds another process ----

# A create that fails must undo only what it made: the processes already in an existing
# cgroupsPath (a slice, another container's pod cgroup) are not its own to kill.
shared_cgroup_case() { # NAME JQ-FILTER
	local name=$1 filter=$2 cg="hrel-$TAG-shared-$((N + 1))" d p
	for d in /sys/fs/cgroup/*/; do
		[ -f "$d/cgroup.procs" ] && mkdir -p "$d$cg"
	done
	sleep 1000 < /dev/null > /dev/null 2>&1 &
	local victim=$!
	for d in /sys/fs/cgroup/pids /sys/fs/cgroup/freezer; do
		[ -d "$d/$cg" ] && echo "$victim" > "$d/$cg/cgroup.procs"
	done
	new_case ".linux.cgroupsPath = \"/$cg\" | $filter"
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		[ "$RC" = 1 ] || echo "create exited $RC, want 1"
		one_line_error "$ERR" ""
		kill -0 "$victim" 2> /dev/null || echo "create killed a process it did not start (pid $victim in /$cg)"
		[ -d "/sys/fs/cgroup/pids/$cg" ] || echo "create removed /$cg, which it did not make"
		leftovers "$ID" "$ROOT"
	)
	kill -KILL "$victim" 2> /dev/null
	wait "$victim" 2> /dev/null
	for d in /sys/fs/cgroup/*/"$cg"; do rmdir "$d" 2> /dev/null; done
	check "create failing in an existing, populated cgroupsPath: $name" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario shared_cgroup_case "in the init stage" '.process.args = ["/nonexistent/program"]'
scenario shared_cgroup_case "while applying resources" '.linux.resources.cpu = {cpus: "4095"}'

# ---- a full disk under --root ----

# A tmpfs of 16 pages as --root, filled but for FREE pages (or with NR inodes): create
# either works (then start and delete must too) or fails cleanly; nothing is left.
disk_case() { # NAME MOUNT-OPTIONS FREE-PAGES
	local name=$1 opts=$2 free=$3 p
	new_case
	mkdir -p "$ROOT"
	mount -t tmpfs -o "$opts" "hrel-$TAG" "$ROOT" || { failc "disk $name" "cannot mount tmpfs"; return; }
	if [ -n "$free" ]; then
		head -c $(((16 - free) * 4096)) /dev/zero > "$ROOT/filler" 2> /dev/null
	fi
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		if [ "$RC" = 0 ]; then
			run_cap "$ROOT" start "$ID"
			[ "$RC" = 0 ] || echo "created, but start failed: $ERR"
			run_cap "$ROOT" delete --force "$ID"
			[ "$RC" = 0 ] || echo "delete --force failed: $ERR"
		else
			[ "$RC" = 1 ] || echo "create exited $RC, want 1"
			one_line_error "$ERR" ""
		fi
		st=$(status_of "$ROOT" "$ID")
		[ "$st" = absent ] || echo "state says $st after the container is gone"
		for d in "$ROOT"/*; do
			case ${d##*/} in filler | '*') ;; *) echo "left in --root: ${d##*/}" ;; esac
		done
		for d in $(cgroups_of "$ID"); do echo "cgroup $d"; done
		settle 5
	)
	umount "$ROOT"
	check "full --root: $name" "$p"
	[ -n "$p" ] && kill_orphans
}
for free in 0 1 2 3 4; do
	scenario disk_case "$free free pages" "size=64k" "$free"
done
for inodes in 2 3 4 5 6 8; do
	scenario disk_case "$inodes inodes" "size=1m,nr_inodes=$inodes" ""
done

# The disk fills up after create: start and delete must still work.
test_disk_full_after_create() {
	new_case
	mkdir -p "$ROOT"
	mount -t tmpfs -o size=64k "hrel-$TAG" "$ROOT" || { failc "disk after create" "cannot mount tmpfs"; return; }
	local p
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$ID"
		[ "$RC" = 0 ] || echo "create failed: $ERR"
		head -c 1m /dev/zero > "$ROOT/filler" 2> /dev/null
		run_cap "$ROOT" start "$ID"
		[ "$RC" = 0 ] || echo "start on a full disk failed: $ERR"
		truth running
		run_cap "$ROOT" kill "$ID" KILL
		[ "$RC" = 0 ] || echo "kill on a full disk failed: $ERR"
		run_cap "$ROOT" delete --force "$ID"
		[ "$RC" = 0 ] || echo "delete --force on a full disk failed: $ERR"
		for d in "$ROOT"/*; do
			case ${d##*/} in filler) ;; *) echo "left in --root: ${d##*/}" ;; esac
		done
		for d in $(cgroups_of "$ID"); do echo "cgroup $d"; done
		settle 5
	)
	umount "$ROOT"
	check "full --root after create: start, kill, delete work" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_disk_full_after_create

# ---- --root wiped while containers run ----

# The state is the runtime's only record: after a wipe, hutch must say the truth (no
# such containers), not crash or hang, refuse to mix a new container of the same id into
# the old one's cgroup, and work again in the same --root. The old containers keep
# running; the test removes them by their cgroups.
test_root_wiped() {
	new_case
	local a=$ID b="$ID-b" p
	p=$(
		run_cap "$ROOT" create --bundle "$B" "$a"
		[ "$RC" = 0 ] || echo "create failed: $ERR"
		run_cap "$ROOT" run -d --bundle "$B" "$b"
		[ "$RC" = 0 ] || echo "run -d failed: $ERR"
		local pa pb
		pa=$(rtr "$ROOT" state "$a" | jq .pid)
		pb=$(rtr "$ROOT" state "$b" | jq .pid)
		rm -rf "$ROOT"
		for id in "$a" "$b"; do
			run_cap "$ROOT" state "$id"
			[ "$RC" = 1 ] || echo "state $id after the wipe exited $RC, want 1"
			one_line_error "$ERR" "does not exist"
			run_cap "$ROOT" delete --force "$id"
			[ "$RC" = 0 ] || echo "delete --force $id after the wipe exited $RC, want 0 (runc's behaviour): $ERR"
		done
		run_cap "$ROOT" list --format json
		[ "$RC" = 0 ] || echo "list after the wipe exited $RC: $ERR"
		[ "$OUT" = null ] || echo "list after the wipe: $OUT, want null"
		kill -0 "$pa" 2> /dev/null || echo "the created container died with its state"
		kill -0 "$pb" 2> /dev/null || echo "the running container died with its state"
		run_cap "$ROOT" create --bundle "$B" "$b"
		[ "$RC" = 1 ] || echo "create of $b again, while the old $b runs in /hutch/$b, exited $RC, want 1"
		one_line_error "$ERR" "cgroup"
		run_cap "$ROOT" run -d --bundle "$B" "$ID-c"
		[ "$RC" = 0 ] || echo "run -d of a new container in the wiped --root failed: $ERR"
		run_cap "$ROOT" delete --force "$ID-c"
		# the orphans: by their cgroups, as an operator would
		for id in "$a" "$b"; do
			for q in $(cgroup_procs "$id"); do kill -KILL "$q"; done
		done
		sleep 0.5
		for id in "$a" "$b" "$ID-c"; do
			for d in $(cgroups_of "$id"); do rmdir "$d" 2> /dev/null; done
			leftovers "$id" "$ROOT"
		done
		settle 5
	)
	check "--root wiped while containers run" "$p"
	[ -n "$p" ] && kill_orphans
}
scenario test_root_wiped

say "$N scenarios"
summary
