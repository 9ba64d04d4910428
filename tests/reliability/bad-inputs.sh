#!/bin/bash
# The corpus of bad bundles, configs, ids, process.json files and signals
# (bad-inputs/cases.txt, plus one wrong-type case per field of the parser's all-fields
# config, bad-inputs/wrong-types.jq). Each must fail with exit status 1 and a one-line
# error naming the field, and leave no state dir, cgroup, mount or process behind.
# "contain" cases may succeed, but nothing may be made outside the rootfs.
#
# Environment: CASES=ERE runs only the cases whose line matches; VERBOSE=1.
. "$(dirname "$0")/lib.sh"

CASES=${CASES:-}
DATA=$REL_DIR/bad-inputs
new_root ROOT state
ROOTFS=$W/rootfs
make_rootfs "$ROOTFS" || { echo "cannot make the rootfs"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$W/outside"
BASE=$W/base.json
default_config true | jq --arg r "$ROOTFS" '.root.path = $r' > "$BASE"
N=0

# ---- bundles made by hand (mode "gen") ----

gen_no_config() { rm -f "$B/config.json"; }
gen_config_dir() { rm -f "$B/config.json"; mkdir "$B/config.json"; }
gen_config_fifo() { rm -f "$B/config.json"; mkfifo "$B/config.json"; }
gen_config_dangling_link() { rm -f "$B/config.json"; ln -s "$W/nonexistent.json" "$B/config.json"; }
gen_config_unreadable_link_loop() { rm -f "$B/config.json"; ln -s config.json "$B/config.json"; }
gen_config_dev_zero() { rm -f "$B/config.json"; ln -s /dev/zero "$B/config.json"; }
gen_bundle_missing() { rm -rf "$B"; }
gen_bundle_file() { rm -rf "$B"; echo x > "$B"; }
gen_deep_array() { printf '%*s' 100000 '' | tr ' ' '[' > "$B/config.json"; }
gen_deep_object() {
	{ printf '{"ociVersion": "1.0.2", "annotations": '; printf '{"a":%.0s' $(seq 2000); } > "$B/config.json"
}
gen_deep_in_process() {
	jq -c '.process.args = "DEEP"' "$BASE" |
		sed "s/\"DEEP\"/$(printf '[%.0s' $(seq 200); printf ']%.0s' $(seq 200))/" > "$B/config.json"
}
gen_huge_string() { # a 64 MiB hostname
	head -c 67108864 /dev/zero | tr '\0' 'a' > "$W/huge"
	jq --rawfile h "$W/huge" '.hostname = $h' "$BASE" > "$B/config.json"
	rm -f "$W/huge"
}
gen_huge_cwd() { # a 3 MB path: the init's error is too long for one sync message
	head -c 3000000 /dev/zero | tr '\0' 'a' > "$W/huge"
	jq --rawfile h "$W/huge" '.process.cwd = "/" + $h' "$BASE" > "$B/config.json"
	rm -f "$W/huge"
}
gen_huge_destination() {
	head -c 3000000 /dev/zero | tr '\0' 'a' > "$W/huge"
	jq --rawfile h "$W/huge" '.mounts += [{destination: ("/" + $h), type: "tmpfs", source: "tmpfs"}]' \
		"$BASE" > "$B/config.json"
	rm -f "$W/huge"
}
gen_rootfs_absent() { jq '.root.path = "rootfs-absent"' "$BASE" > "$B/config.json"; }
gen_rootfs_absolute_absent() { jq --arg r "$W/absent/rootfs" '.root.path = $r' "$BASE" > "$B/config.json"; }
gen_rootfs_file() { echo x > "$B/rootfs"; jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"; }
gen_rootfs_fifo() { mkfifo "$B/rootfs"; jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"; }
gen_rootfs_symlink_out_dangling() {
	ln -s "$W/outside/none" "$B/rootfs"
	jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"
}
gen_rootfs_symlink_out_file() {
	ln -s /etc/hostname "$B/rootfs"
	jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"
}
gen_rootfs_symlink_loop() { ln -s rootfs "$B/rootfs"; jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"; }
gen_rootfs_empty_dir() { mkdir "$B/rootfs"; jq '.root.path = "rootfs"' "$BASE" > "$B/config.json"; }

# A rootfs whose entries point outside it, for the "contain" cases: relative and absolute
# symlinks out, a loop, and a directory that is a symlink to the host's /.
make_evil_rootfs() {
	local r=$W/evil-rootfs
	cp -a "$ROOTFS" "$r"
	ln -s ../../../../../../../../"$W"/outside "$r/evil-dir"
	ln -s "$W/outside" "$r/evil-abs"
	ln -s "$W/outside/file" "$r/evil-file"
	ln -s evil-loop "$r/evil-loop"
	ln -s / "$r/evil-root"
	ln -s "$W/outside" "$r/dev-evil"
	mkdir -p "$r/dev"
}

# ---- one case ----

# problems_after ID EXPECT: exit status 1, one line naming EXPECT, nothing left behind
problems_after() {
	local id=$1 want=$2
	[ "$RC" = 1 ] || echo "exit status $RC, want 1"
	one_line_error "$ERR" "$want"
	case $ERR in hutch:*) ;; *) echo "error does not start with \"hutch:\"" ;; esac
	[ -s "$W/leaks" ] && echo "processes left behind: $(cat "$W/leaks")"
	leftovers "$id" "$ROOT"
	return 0
}

# forget ID: when a bad input was accepted, remove what it made so the next case is clean
forget() {
	rtr "$ROOT" delete --force "$1" > /dev/null 2>&1
	rm -rf "${ROOT:?}"/* 2> /dev/null
	return 0
}

fresh_bundle() {
	B=$W/bundle
	rm -rf "$B"
	mkdir -p "$B"
	cp "$BASE" "$B/config.json"
}

case_config() { # NAME EXPECT: create from $B must fail cleanly
	local id="$TAG-$N"
	reaped "$W/leaks" "$ROOT" create --bundle "$B" "$id"
	local p
	p=$(problems_after "$id" "$2")
	[ "$RC" = 0 ] && forget "$id"
	check "$1" "$p"
}

# One jq run makes the configs of every jq case (jq takes ~70 ms to start): line K of
# $W/jq-docs is the config of the K-th jq case, or {"__jq_error": ...}.
JQ_INDEX=0
make_jq_docs() { # FILTER...
	local prog='' sep='' f
	for f in "$@"; do
		prog+="$sep([try ($f) catch {__jq_error: .}] | if length == 1 then .[0]"
		prog+=" else {__jq_error: \"\(length) outputs\"} end)"
		sep=$',\n'
	done
	[ -n "$prog" ] || return 0
	jq -c --arg W "$W" --arg B "$W/bundle" "$prog" "$BASE" > "$W/jq-docs"
}

run_jq() { # NAME EXPECT FILTER
	fresh_bundle
	JQ_INDEX=$((JQ_INDEX + 1))
	sed -n "${JQ_INDEX}p" "$W/jq-docs" > "$B/config.json"
	if [ ! -s "$B/config.json" ] || grep -q '^{"__jq_error":' "$B/config.json"; then
		failc "$1" "bad jq filter: $3: $(head -c 300 "$B/config.json")"
		return
	fi
	case_config "$1" "$2"
}

run_raw() { # NAME EXPECT FORMAT
	fresh_bundle
	# shellcheck disable=SC2059 # the case is a printf format (\000 and friends)
	printf "$3" > "$B/config.json"
	case_config "$1" "$2"
}

run_gen() { # NAME EXPECT FUNCTION
	fresh_bundle
	if ! "gen_$3"; then
		failc "$1" "gen_$3 failed"
		return
	fi
	case_config "$1" "$2"
}

run_id() { # NAME EXPECT ID
	local id
	case $3 in
	LONG*) id=$(printf '%*s' "${3#LONG}" '' | tr ' ' 'x') ;;
	*) printf -v id "${3//@T/$TAG}" ;;
	esac
	fresh_bundle
	reaped "$W/leaks" "$ROOT" create --bundle "$B" "$id"
	local p
	p=$(problems_after "$TAG" "$2")
	[ "$RC" = 0 ] && forget "$id"
	check "$1" "$p"
}

# contain: create (and start) may succeed or fail cleanly; nothing may appear outside the
# rootfs, and delete --force must leave nothing
run_contain() { # NAME EXPECT FILTER
	[ -d "$W/evil-rootfs" ] || make_evil_rootfs
	fresh_bundle
	jq --arg W "$W" --arg r "$W/evil-rootfs" '.root.path = $r | .root.readonly = false' "$BASE" |
		jq --arg W "$W" "$3" > "$B/config.json" || { failc "$1" "bad jq filter: $3"; return; }
	local id="$TAG-$N" p before
	echo secret > "$W/outside/file"
	before=$(cd "$W" && find outside /etc/hostname -printf '%p %s %T@\n' 2> /dev/null | sort)
	"$REAPER" -l "$W/leaks" -- bash -c '
		timeout 30 "$1" --root "$2" create --bundle "$3" "$4" || exit 1
		timeout 30 "$1" --root "$2" start "$4"
		timeout 30 "$1" --root "$2" delete --force "$4"
		exit 0' _ "$RUNTIME" "$ROOT" "$B" "$id" > "$W/cap.out" 2> "$W/cap.err" < /dev/null
	RC=$?
	ERR=$(cat "$W/cap.err")
	p=$(
		if [ -n "$ERR" ]; then
			one_line_error "$ERR" "$2"
		fi
		now=$(cd "$W" && find outside /etc/hostname -printf '%p %s %T@\n' 2> /dev/null | sort)
		[ "$before" = "$now" ] || echo "outside the rootfs changed: $(diff <(echo "$before") <(echo "$now") | head -5)"
		[ -s "$W/leaks" ] && echo "processes left behind: $(cat "$W/leaks")"
		leftovers "$id" "$ROOT"
	)
	forget "$id"
	check "$1" "$p"
}

# ---- exec, kill and other commands against one running container ----

RUNNING=
start_running() {
	[ -n "$RUNNING" ] && return 0
	RUNNING="$TAG-running"
	new_root RROOT running-state
	local b=$W/running
	mkdir -p "$b"
	default_config sleep 100000 | jq --arg r "$ROOTFS" '.root.path = $r' > "$b/config.json"
	rtr "$RROOT" run -d --bundle "$b" "$RUNNING" > /dev/null 2>&1 < /dev/null
	PROCS_FILE=$(cgroups_of "$RUNNING" | head -n1)/cgroup.procs
	echo '{"args": ["true"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "env": ["PATH=/bin"]}' > "$W/process-base.json"
}

# problems_running: the running container must be untouched: still running, same processes
problems_running() {
	local st procs
	st=$(status_of "$RROOT" "$RUNNING")
	[ "$st" = running ] || echo "container status is $st after the bad command, want running"
	procs=$(cat "$PROCS_FILE" 2> /dev/null | wc -l)
	[ "$procs" = 1 ] || echo "container has $procs processes, want 1: $(cat "$PROCS_FILE" 2> /dev/null | tr '\n' ' ')"
	[ -s "$W/leaks" ] && echo "processes left behind: $(cat "$W/leaks")"
	return 0
}

case_running() { # NAME EXPECT ARGS...
	local name=$1 want=$2
	shift 2
	reaped "$W/leaks" "$RROOT" "$@"
	local p
	p=$(
		[ "$RC" = 1 ] || echo "exit status $RC, want 1"
		# usage errors add runc's "Run 'hutch CMD --help'" line: the first line counts
		one_line_error "$(printf '%s\n' "$ERR" | grep -v "^Run 'hutch")" "$want"
		problems_running
	)
	check "$name" "$p"
}

run_exec() { # NAME EXPECT FILTER
	start_running
	jq "$3" "$W/process-base.json" > "$W/process.json" || { failc "$1" "bad jq filter"; return; }
	case_running "$1" "$2" exec --process "$W/process.json" "$RUNNING"
}

run_execraw() { # NAME EXPECT FORMAT
	start_running
	# shellcheck disable=SC2059
	printf "$3" > "$W/process.json"
	case_running "$1" "$2" exec --process "$W/process.json" "$RUNNING"
}

run_kill() { # NAME EXPECT SIGNAL
	start_running
	case_running "$1" "$2" kill "$RUNNING" "$3"
}

run_cmd() { # NAME EXPECT WORDS
	start_running
	local words
	read -r -a words <<< "${3//@ID/$RUNNING}"
	case_running "$1" "$2" "${words[@]}"
}

# ---- the corpus ----

run_line() { # MODE EXPECT ARG
	N=$((N + 1))
	local name="$1 $3"
	name="${name:0:110}"
	case $1 in
	jq) run_jq "$name" "$2" "$3" ;;
	raw) run_raw "$name" "$2" "$3" ;;
	gen) run_gen "$name" "$2" "$3" ;;
	id) run_id "$name" "$2" "$3" ;;
	contain) run_contain "$name" "$2" "$3" ;;
	exec) run_exec "$name" "$2" "$3" ;;
	execraw) run_execraw "$name" "$2" "$3" ;;
	kill) run_kill "$name" "$2" "$3" ;;
	cmd) run_cmd "$name" "$2" "$3" ;;
	*) failc "$name" "unknown mode $1" ;;
	esac
}

MODES=()
WANTS=()
ARGS=()
JQ_FILTERS=()
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	if [ -n "$CASES" ] && ! grep -Eq -- "$CASES" <<< "$line"; then
		continue
	fi
	mode=${line%%[[:space:]]*}
	rest=${line#"$mode"}
	rest=${rest#"${rest%%[![:space:]]*}"}
	want=${rest%%[[:space:]]*}
	arg=${rest#"$want"}
	arg=${arg#"${arg%%[![:space:]]*}"}
	[ "$want" = - ] && want=
	MODES+=("$mode")
	WANTS+=("$want")
	ARGS+=("$arg")
	[ "$mode" = jq ] && JQ_FILTERS+=("$arg")
done < "$DATA/cases.txt"
make_jq_docs "${JQ_FILTERS[@]}"
for i in "${!MODES[@]}"; do
	run_line "${MODES[$i]}" "${WANTS[$i]}" "${ARGS[$i]}"
done

# Wrong types, one per field of the all-fields config of the parser's unit tests.
if [ -z "$CASES" ] || [ "$CASES" = type ]; then
	FULL=$W/all-fields.json
	# jq 1.6 reads numbers as doubles: 2^64-1 would come out as 18446744073709552000.
	# Should a case ever be accepted, it must not touch the host: no netDevices that exist.
	jq --arg r "$ROOTFS" '.root.path = $r
		| .linux.netDevices |= with_entries(.key = "hrel-nosuch-\(.key)")
		| walk(if type == "number" and
		(. > 9007199254740992 or . < -9007199254740992) then 1 else . end)' \
		"$REPO/tests/unit/data/all-fields-config.json" > "$FULL"
	# every case's config in one jq run: line K of type-docs goes with line K of type-cases
	jq -r -f "$DATA/wrong-types.jq" "$FULL" > "$W/type-cases"
	jq -c --slurpfile c <(jq -R 'split("\t") | {p: (.[0] | fromjson), v: (.[1] | fromjson)}' \
		"$W/type-cases") '. as $d | $c[] | . as $x | $d | setpath($x.p; $x.v)' "$FULL" \
		> "$W/type-docs"
	exec 4< "$W/type-docs"
	while IFS=$'\t' read -r path value where; do
		N=$((N + 1))
		fresh_bundle
		IFS= read -r doc <&4
		printf '%s\n' "$doc" > "$B/config.json"
		case_config "type $where = $value" "config.json: $where: "
	done < "$W/type-cases"
	exec 4<&-
fi

if [ -n "$RUNNING" ]; then
	rtr "$RROOT" delete --force "$RUNNING" > /dev/null 2>&1
fi
say "$N cases"
summary
