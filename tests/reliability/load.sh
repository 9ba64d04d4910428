#!/bin/bash
# Load: every command's open fds at exit, PARALLEL containers running at once (100), then
# CYCLES create/start/delete cycles in a row (100; 1,000 with RELIABILITY_LONG=1). After
# each: no fd leaked by hutch or into the containers, no mount, cgroup, state dir, process
# or zombie left, and the host's memory back where it was (within a bound).
# The script runs below hutch-reaper, so processes that outlive their parent are seen.
set -u
. "$(dirname "$0")/reaper.sh"
. "$(dirname "$0")/lib.sh"
PARALLEL=${PARALLEL:-100}
CYCLES=${CYCLES:-100}
[ "${RELIABILITY_LONG:-0}" = 1 ] && CYCLES=${LONG_CYCLES:-1000}
JOBS=${JOBS:-8}

ROOTFS=$W/rootfs
make_rootfs "$ROOTFS" || { failc setup "cannot make the rootfs"; summary; exit; }
B=$W/bundle
mkdir -p "$B"
default_config sleep 100000 | jq --arg r "$ROOTFS" '.root.path = $r' > "$B/config.json"
BT=$W/bundle-true
mkdir -p "$BT"
default_config true | jq --arg r "$ROOTFS" '.root.path = $r' > "$BT/config.json"
new_root ROOT state

# zombies: zombie children of this script or of the reaper
zombies() { zombies_of $$; zombies_of "$REAPER_PID"; }

# everything of this run: state dirs, cgroups, mounts (names carry TAG)
all_leftovers() {
	local d m
	for d in "$ROOT"/*; do [ -e "$d" ] && echo "state dir $d"; done
	for d in $(cgroups_of "$TAG"); do echo "cgroup $d"; done
	for m in $(mounts_of "$TAG" "$W/"); do echo "mount $m"; done
	for d in $(zombies); do echo "zombie $d"; done
	settle_or_kill 10
	return 0
}

mem_kb() { host_mem_kb "$1"; }

# ---- fds of hutch at its exit ----

# fds_at_exit NAME ARGS...: hutch ARGS stopped by strace at exit_group: its open fds must
# be the ones it inherited (stdin, stdout, stderr and the caller's): every fd of its own
# closed by its cleanup attribute
fds_at_exit() {
	local name=$1
	shift
	# what hutch inherits from this shell (the caller's fds): not its own
	local base=' ' f s= hp= all
	all=(/proc/$$/fd/*)
	# the glob's own directory fd was in the list: keep what is still open
	for f in "${all[@]}"; do [ -e "$f" ] && base+="${f##*/} "; done
	strace -o /dev/null -e trace=exit_group -e inject=exit_group:delay_enter=10000000 \
		"$RUNTIME" --root "$ROOT" "$@" < /dev/null > "$W/fd.out" 2> "$W/fd.err" &
	local sp=$! i fds p
	for ((i = 0; i < 400; i++)); do
		hp=$(pgrep -P "$sp" | head -n1)
		if [ -n "$hp" ]; then
			# it may have gone since pgrep: no message then
			read -r s _ 2> /dev/null < "/proc/$hp/syscall"
			[ "${s:-}" = 231 ] && break
		fi
		sleep 0.025
	done
	fds=
	for f in $(ls "/proc/$hp/fd" 2> /dev/null); do
		case $base in *" $f "*) ;; *) fds+="$f -> $(readlink "/proc/$hp/fd/$f"); " ;; esac
	done
	p=$(
		[ "${s:-}" = 231 ] || echo "hutch never reached exit_group: $(cat "$W/fd.err")"
		[ -z "$fds" ] || echo "open at exit besides the inherited ones ($base): $fds"
	)
	kill -KILL "$sp" 2> /dev/null
	wait "$sp" 2> /dev/null
	check "fds at exit: $name" "$p"
}

ID="$TAG-fd"
fds_at_exit "create" create --bundle "$B" "$ID"
fds_at_exit "state" state "$ID"
fds_at_exit "list" list
fds_at_exit "start" start "$ID"
fds_at_exit "exec -d" exec -d "$ID" sleep 100000
fds_at_exit "exec" exec "$ID" true
fds_at_exit "exec --process" exec --process <(echo '{"args": ["true"], "cwd": "/"}') "$ID"
fds_at_exit "ps" ps "$ID"
fds_at_exit "kill" kill "$ID" KILL
fds_at_exit "delete --force" delete --force "$ID"
fds_at_exit "run -d" run -d --bundle "$B" "$ID"
fds_at_exit "delete --force (running)" delete --force "$ID"
fds_at_exit "run (foreground)" run --bundle "$BT" "$ID"
fds_at_exit "delete (stopped)" delete "$ID"
fds_at_exit "create (failing)" create --bundle "$W/no-such-bundle" "$ID"
fds_at_exit "features" features
check "after the fd checks" "$(all_leftovers)"

# ---- PARALLEL containers at once ----

# in_parallel CMD-PREFIX: run "hutch --root ROOT CMD-PREFIX ID" for every id, JOBS at a
# time; the failures go to $W/par.err
in_parallel() {
	: > "$W/par.err"
	local i running=0
	for ((i = 1; i <= PARALLEL; i++)); do
		(
			# a file, never a pipe: the container would hold it open
			timeout -k 5 120 "$RUNTIME" --root "$ROOT" "$@" "$TAG-p$i" < /dev/null \
				> /dev/null 2> "$W/par.$i.err"
			rc=$?
			[ "$rc" = 0 ] || echo "$TAG-p$i: exit $rc: $(< "$W/par.$i.err")" >> "$W/par.err"
			rm -f "$W/par.$i.err"
		) < /dev/null > /dev/null 2>&1 &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
}

parallel_run() {
	local t0=$SECONDS avail0 shmem0 p
	avail0=$(mem_kb MemAvailable)
	shmem0=$(mem_kb Shmem)
	in_parallel run -d --bundle "$B"
	local t_up=$((SECONDS - t0))
	p=$(
		[ -s "$W/par.err" ] && head -5 "$W/par.err"
		n=$(rtr "$ROOT" list --format json | jq '[.[] | select(.status == "running")] | length')
		[ "$n" = "$PARALLEL" ] || echo "$n containers running, want $PARALLEL"
		# no fd of hutch in the containers: the init has 0, 1, 2 only (CVE-2024-21626)
		for pid in $(rtr "$ROOT" list --format json | jq -r '.[].pid'); do
			fds=$(ls "/proc/$pid/fd" 2> /dev/null | sort -n | tr '\n' ' ')
			[ "$fds" = "0 1 2 " ] || echo "container init $pid has fds $fds"
		done | head -5
		true
	)
	check "$PARALLEL containers running at once (up in ${t_up}s, $JOBS at a time)" "$p"
	local avail1 shmem1
	avail1=$(mem_kb MemAvailable)
	shmem1=$(mem_kb Shmem)
	say "$PARALLEL containers: MemAvailable $(((avail0 - avail1) / 1024)) MiB lower, Shmem $(((shmem1 - shmem0) / 1024)) MiB higher"
	in_parallel delete --force
	p=$(
		[ -s "$W/par.err" ] && head -5 "$W/par.err"
		all_leftovers
	)
	check "$PARALLEL containers deleted at once" "$p"
	sleep 1
	local avail2 shmem2
	avail2=$(mem_kb MemAvailable)
	shmem2=$(mem_kb Shmem)
	say "after deleting them: MemAvailable $(((avail0 - avail2) / 1024)) MiB lower, Shmem $(((shmem2 - shmem0) / 1024)) MiB higher than before ($((SECONDS - t0)) s in all)"
	check "memory back after $PARALLEL containers" "$(
		[ $((shmem2 - shmem0)) -lt 32768 ] || echo "Shmem $(((shmem2 - shmem0) / 1024)) MiB higher (a memfd left?)"
		[ $((avail0 - avail2)) -lt 524288 ] || echo "MemAvailable $(((avail0 - avail2) / 1024)) MiB lower"
	)"
}
parallel_run

# ---- CYCLES create/start/delete in a row ----

cycles() {
	local t0=$SECONDS avail0 shmem0 slab0 i id bad=0 first=
	avail0=$(mem_kb MemAvailable)
	shmem0=$(mem_kb Shmem)
	slab0=$(mem_kb Slab)
	for ((i = 1; i <= CYCLES; i++)); do
		id="$TAG-c$i"
		if ! { rtr "$ROOT" create --bundle "$BT" "$id" && rtr "$ROOT" start "$id" &&
			rtr "$ROOT" delete --force "$id"; } > /dev/null 2> "$W/cyc.err"; then
			bad=$((bad + 1))
			[ -z "$first" ] && first="cycle $i: $(< "$W/cyc.err")"
			rtr "$ROOT" delete --force "$id" > /dev/null 2>&1
		fi
		if [ $((i % 250)) = 0 ]; then
			say "$i cycles: $((SECONDS - t0)) s, MemAvailable $(((avail0 - $(mem_kb MemAvailable)) / 1024)) MiB lower"
		fi
	done
	local took=$((SECONDS - t0)) p
	p=$(
		[ "$bad" = 0 ] || echo "$bad cycles failed, the first: $first"
		all_leftovers
	)
	check "$CYCLES create/start/delete cycles in a row ($took s)" "$p"
	sleep 1
	local avail1 shmem1 slab1
	avail1=$(mem_kb MemAvailable)
	shmem1=$(mem_kb Shmem)
	slab1=$(mem_kb Slab)
	say "$CYCLES cycles: MemAvailable $(((avail0 - avail1) / 1024)) MiB lower, Shmem $(((shmem1 - shmem0) / 1024)) MiB, Slab $(((slab1 - slab0) / 1024)) MiB higher"
	# one hutch copy in a memfd is ~0.5 MiB: a leak per cycle would show clearly
	check "memory back after $CYCLES cycles" "$(
		[ $((shmem1 - shmem0)) -lt 32768 ] || echo "Shmem $(((shmem1 - shmem0) / 1024)) MiB higher (a memfd left?)"
		[ $((avail0 - avail1)) -lt 524288 ] || echo "MemAvailable $(((avail0 - avail1) / 1024)) MiB lower"
	)"
}
cycles

summary
