#!/bin/bash
# Two commands at once on the same container: the per-container lock serializes them.
# Each pair is started together ROUNDS times (10; 50 with RELIABILITY_LONG=1); whatever
# the order, one wins, the other fails with one clear line or finds the work done, `state`
# stays consistent, and at the end nothing is left: no state dir, cgroup, mount or process.
# The script runs below hutch-reaper, so processes that outlive their parent are seen.
set -u
. "$(dirname "$0")/reaper.sh"
. "$(dirname "$0")/lib.sh"
ROUNDS=10
[ "${RELIABILITY_LONG:-0}" = 1 ] && ROUNDS=50

ROOTFS=$W/rootfs
make_rootfs "$ROOTFS" || { failc setup "cannot make the rootfs"; summary; exit; }
B=$W/bundle
mkdir -p "$B"
default_config sleep 100000 | jq --arg r "$ROOTFS" '.root.path = $r' > "$B/config.json"
new_root ROOT state
N=0

# both A... -- B...: run the two hutch command lines at once; sets RC1 ERR1 RC2 ERR2
both() {
	local a=() b=() in_b=0 w
	for w in "$@"; do
		if [ "$w" = -- ]; then in_b=1; continue; fi
		if [ $in_b = 0 ]; then a+=("$w"); else b+=("$w"); fi
	done
	rm -f "$W/go"
	# both spin (no fork) until the go file appears, then exec at once
	(until [ -e "$W/go" ]; do :; done; exec timeout -k 5 30 "$RUNTIME" --root "$ROOT" "${a[@]}") \
		< /dev/null > /dev/null 2> "$W/err1" &
	local p1=$!
	(until [ -e "$W/go" ]; do :; done; exec timeout -k 5 30 "$RUNTIME" --root "$ROOT" "${b[@]}") \
		< /dev/null > /dev/null 2> "$W/err2" &
	local p2=$!
	sleep 0.05
	: > "$W/go"
	wait "$p1"
	RC1=$?
	wait "$p2"
	RC2=$?
	ERR1=$(< "$W/err1")
	ERR2=$(< "$W/err2")
}

# one_of RC ERR WORDS...: exit 0, or 1 with one line containing one of WORDS
one_of() {
	local rc=$1 err=$2 w
	shift 2
	[ "$rc" = 0 ] && return 0
	[ "$rc" = 1 ] || { echo "exit status $rc: $err"; return 0; }
	for w in "$@"; do
		case $err in *"$w"*) one_line_error "$err" "$w"; return 0 ;; esac
	done
	echo "unexpected error: $err"
}

# gone: after the pair and a delete --force, nothing of the container is left
gone() {
	rtr "$ROOT" delete --force "$ID" > /dev/null 2>&1
	leftovers "$ID" "$ROOT"
	settle_or_kill 5
}

# two creates of one id: exactly one wins, the other says "already exists"
pair_create_create() {
	both create --bundle "$B" "$ID" -- create --bundle "$B" "$ID"
	[ $((RC1 + RC2)) = 1 ] || echo "exit statuses $RC1 and $RC2, want one 0 and one 1: $ERR1 $ERR2"
	if [ "$RC1" = 1 ]; then one_line_error "$ERR1" "already exists"; fi
	if [ "$RC2" = 1 ]; then one_line_error "$ERR2" "already exists"; fi
	st=$(status_of "$ROOT" "$ID")
	[ "$st" = created ] || echo "state after the race: $st, want created"
	gone
}

# start and delete --force of a created container
pair_start_delete() {
	rtr "$ROOT" create --bundle "$B" "$ID" > /dev/null 2>&1 || echo "create failed"
	both start "$ID" -- delete --force "$ID"
	one_of "$RC1" "$ERR1" "does not exist"
	[ "$RC2" = 0 ] || echo "delete --force exited $RC2: $ERR2"
	st=$(status_of "$ROOT" "$ID")
	[ "$st" = absent ] || echo "state after delete --force: $st"
	gone
}

# kill and delete --force of a running container
pair_kill_delete() {
	rtr "$ROOT" run -d --bundle "$B" "$ID" > /dev/null 2>&1 || echo "run -d failed"
	both kill "$ID" KILL -- delete --force "$ID"
	one_of "$RC1" "$ERR1" "does not exist" "status is stopped" "not running"
	[ "$RC2" = 0 ] || echo "delete --force exited $RC2: $ERR2"
	gone
}

# two starts: one runs the container, the other finds it running
pair_start_start() {
	rtr "$ROOT" create --bundle "$B" "$ID" > /dev/null 2>&1 || echo "create failed"
	both start "$ID" -- start "$ID"
	[ $((RC1 + RC2)) = 1 ] || echo "exit statuses $RC1 and $RC2, want one 0 and one 1: $ERR1 $ERR2"
	if [ "$RC1" = 1 ]; then one_line_error "$ERR1" "status is running"; fi
	if [ "$RC2" = 1 ]; then one_line_error "$ERR2" "status is running"; fi
	st=$(status_of "$ROOT" "$ID")
	[ "$st" = running ] || echo "state after two starts: $st, want running"
	gone
}

# two deletes --force: both succeed (runc: delete --force of a gone container is fine)
pair_delete_delete() {
	rtr "$ROOT" run -d --bundle "$B" "$ID" > /dev/null 2>&1 || echo "run -d failed"
	both delete --force "$ID" -- delete --force "$ID"
	[ "$RC1" = 0 ] || echo "first delete --force exited $RC1: $ERR1"
	[ "$RC2" = 0 ] || echo "second delete --force exited $RC2: $ERR2"
	gone
}

# exec and delete --force: the exec'd process must not outlive the container
pair_exec_delete() {
	rtr "$ROOT" run -d --bundle "$B" "$ID" > /dev/null 2>&1 || echo "run -d failed"
	both exec -d "$ID" sleep 100000 -- delete --force "$ID"
	one_of "$RC1" "$ERR1" "does not exist" "status is stopped" "its init is gone" "exec"
	[ "$RC2" = 0 ] || echo "delete --force exited $RC2: $ERR2"
	gone
}

# create and delete --force of the same id: delete finds nothing, or removes it all
pair_create_delete() {
	both create --bundle "$B" "$ID" -- delete --force "$ID"
	one_of "$RC1" "$ERR1" "does not exist" "deleted while it was created"
	[ "$RC2" = 0 ] || echo "delete --force exited $RC2: $ERR2"
	gone
}

# delete --force of the only container and create of another: the delete removes the shared
# parent cgroups it made ("/hutch") while the create makes its own below them; the create
# starts again from the top, it never fails
pair_delete_create_other() {
	rtr "$ROOT" create --bundle "$B" "$ID-a" > /dev/null 2> "$W/err0" || { echo "create: $(< "$W/err0")"; return; }
	both delete --force "$ID-a" -- create --bundle "$B" "$ID"
	[ "$RC1" = 0 ] || echo "delete --force exited $RC1: $ERR1"
	[ "$RC2" = 0 ] || echo "create next to a delete exited $RC2: $ERR2"
	rtr "$ROOT" delete --force "$ID-a" > /dev/null 2>&1
	gone
}

# state and list while create, start and delete run: always an answer, never an error
# other than "does not exist", never a wrong status
pair_state_during() {
	local p bad=
	(
		for _ in 1 2 3; do
			rtr "$ROOT" create --bundle "$B" "$ID" > /dev/null 2>&1
			rtr "$ROOT" start "$ID" > /dev/null 2>&1
			rtr "$ROOT" delete --force "$ID" > /dev/null 2>&1
		done
	) &
	p=$!
	while kill -0 "$p" 2> /dev/null; do
		out=$(timeout 10 "$RUNTIME" --root "$ROOT" state "$ID" 2> "$W/serr")
		rc=$?
		if [ "$rc" = 0 ]; then
			case $(jq -r .status <<< "$out" 2> /dev/null) in
			creating | created | running | stopped) ;;
			*) bad+="bad state: $out"$'\n' ;;
			esac
		elif ! grep -q "does not exist" "$W/serr"; then
			bad+="state exited $rc: $(< "$W/serr")"$'\n'
		fi
		timeout 10 "$RUNTIME" --root "$ROOT" list --format json > "$W/list" 2>&1 ||
			bad+="list failed: $(< "$W/list")"$'\n'
		jq . "$W/list" > /dev/null 2>&1 || bad+="list gave no JSON: $(head -c 200 "$W/list")"$'\n'
	done
	wait "$p"
	printf '%s' "$bad" | sort -u | head -5
	gone
}

for pair in create_create start_delete kill_delete start_start delete_delete exec_delete \
	create_delete delete_create_other; do
	t0=$SECONDS
	for ((r = 1; r <= ROUNDS; r++)); do
		N=$((N + 1))
		ID="$TAG-$N"
		check "$pair round $r" "$(pair_$pair)"
	done
	say "$pair: $ROUNDS rounds in $((SECONDS - t0)) s"
done
N=$((N + 1))
ID="$TAG-$N"
check "state and list during create/start/delete" "$(pair_state_during)"
summary
