#!/bin/bash
# guest-suite.sh [CASE...]: the cgroup v2 tests, run as root INSIDE the pure cgroup v2 guest
# that suite.sh boots. Each case runs real containers with $RUNTIME and checks that a limit
# is enforced, from inside the container (its cgroup namespace shows its own cgroup at
# /sys/fs/cgroup) and from the guest's own files under /sys/fs/cgroup. Then the e2e tests
# tests/oci-validation/4NN-*.sh (pause, update, events, kill --all, delete --force, ps) run
# here too, unchanged: cgroup-lib.sh gives them the v2 paths.
#
# Each case runs in its own bash that sources tests/oci-validation/lib.sh exactly as the e2e
# tests do (temp dir, bundle, state root, cleanup of containers, processes and cgroups).
# Exit status of a case: 0 passed, 77 skipped, anything else failed. The last line printed
# is "N passed, N failed, N skipped"; the exit status is 1 if any failed.
#
# Env: RUNTIME (default: build/hutch of this repo), CASE_TIMEOUT (s, default 240),
#      E2E (ERE of the e2e tests to run, default ^4; "none" for none), JOBS (cases at a
#      time, default: the guest's CPUs), VERBOSE=1
set -u

VM_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_TESTS/../.." && pwd)
SUITE=$VM_TESTS/$(basename "${BASH_SOURCE[0]}")
CASES=(memory pids pids-zero cpu cpuset io hugetlb devices unified errors paths cgroupns
	clone-into-cgroup systemd)

# ---- helpers for the cases (run after lib.sh is sourced) ----

# bg_ctr SCRIPT: create + start a container running `sh -c SCRIPT`; its output goes to the
# file CTR_OUT (the container inherits create's stdout)
bg_ctr() {
	sh_args "$1"
	create_ctr
	CTR_OUT=$OUT_FILE
	start_ctr
}

# wait_out TEXT [SECONDS]: wait until the container printed TEXT
wait_out() {
	wait_for "${2:-60}" grep -q -- "$1" "$CTR_OUT" ||
		fail "the container did not print [$1] in ${2:-60}s; it printed:
$(cat "$CTR_OUT")"
}

# field FILE KEY: the value after KEY in a flat-keyed cgroup file (memory.events, cpu.stat...)
field() {
	awk -v k="$2" '$1 == k {print $2}' "$1"
}

# out_field KEY: the same, from what the container printed
out_field() {
	awk -v k="$1" '$1 == k {print $2; exit}' "$CTR_OUT"
}

assert_ge() { # MIN GOT WHAT
	case $2 in
	'' | *[!0-9]*) fail "$3: expected a number >= $1, got [$2]" ;;
	esac
	[ "$2" -ge "$1" ] || fail "$3: expected >= $1, got $2"
}

ctr_cgroup() { # the container init's cgroup, as the guest sees it
	sed -n 's/^0:://p' "/proc/$(state_of "${1:-$ID}" pid)/cgroup"
}

# refused FIELD: create must fail with one line naming FIELD and leave no cgroup
refused() {
	assert_fails rt create --bundle "$BUNDLE" "$ID"
	assert_contains "$ERR" "$1" "the error"
	assert_eq 1 "$(wc -l <<< "$ERR")" "lines of the error"
	[ ! -d "/sys/fs/cgroup$CG" ] || fail "a refused create left /sys/fs/cgroup$CG"
	state_dir_exists "$ID" && fail "a refused create left its state"
	log "refused: $ERR"
}

# ---- the cases ----

# config-linux.md Memory: limit -> memory.max (a hog beyond it is OOM-killed), reservation ->
# memory.low, swap (memory+swap) -> memory.swap.max = swap - limit, disableOOMKiller accepted
case_memory() {
	cgroup_path CG mem
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.memory =
		{limit: 33554432, reservation: 16777216, swap: 50331648, disableOOMKiller: true}'
	bg_ctr 'cat /sys/fs/cgroup/memory.max; tail /dev/zero; echo hog=$?
		cat /sys/fs/cgroup/memory.events; echo DONE; exec sleep 600'
	wait_out DONE 120
	H=/sys/fs/cgroup$CG
	log "inside: memory.max $(head -n1 "$CTR_OUT"), $(grep hog= "$CTR_OUT"), oom_kill $(out_field oom_kill)"
	log "host: memory.max $(cat "$H/memory.max"), memory.low $(cat "$H/memory.low"), memory.swap.max $(cat "$H/memory.swap.max" 2> /dev/null), oom_kill $(field "$H/memory.events" oom_kill)"
	assert_eq 33554432 "$(head -n1 "$CTR_OUT")" "memory.max read inside"
	assert_contains "$(cat "$CTR_OUT")" "hog=137" "exit of the hog (SIGKILL by the OOM killer)"
	assert_ge 1 "$(out_field oom_kill)" "oom_kill in memory.events read inside"
	assert_eq 33554432 "$(cat "$H/memory.max")" "host memory.max"
	assert_eq 16777216 "$(cat "$H/memory.low")" "host memory.low (reservation)"
	assert_ge 1 "$(field "$H/memory.events" oom_kill)" "host memory.events oom_kill"
	if [ -e "$H/memory.swap.max" ]; then
		assert_eq 16777216 "$(cat "$H/memory.swap.max")" "memory.swap.max for swap 48 MiB, limit 32 MiB"
	fi
	# checkBeforeUpdate: a limit below the usage is refused instead of OOM-killing
	local cur
	cur=$(cat "$H/memory.current")
	echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' > "$T/res.json"
	assert_fails rt update --resources "$T/res.json" "$ID"
	log "update to 4096 with checkBeforeUpdate (usage $cur): $ERR"
	assert_eq 33554432 "$(cat "$H/memory.max")" "memory.max after a refused update"
	assert_eq running "$(state_of "$ID" status)" "status after a refused update"
}

# config-linux.md Pids: pids.max; a fork bomb presses against it and never gets past it
case_pids() {
	cgroup_path CG pids
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.pids = {limit: 8}'
	# every process of the bomb forks copies of itself forever; ash gives up on a failed
	# fork, so the bomb keeps re-filling the slots its failures free; the init execs a
	# sleep (no fork of its own to fail)
	bg_ctr 'read m < /sys/fs/cgroup/pids.max; echo pids.max $m; echo STARTED
		b() { while :; do b & done; }; (b) 2> /dev/null & exec sleep 600'
	wait_out STARTED 60
	H=/sys/fs/cgroup$CG
	local i cur top=0 samples=
	sleep 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cur=$(cat "$H/pids.current")
		samples+="$cur "
		[ "$cur" -gt "$top" ] && top=$cur
		sleep 0.2
	done
	log "inside: pids.max $(out_field pids.max); host: pids.current samples $samples, pids.events $(cat "$H/pids.events")"
	assert_eq 8 "$(out_field pids.max)" "pids.max read inside"
	assert_eq 8 "$(cat "$H/pids.max")" "host pids.max"
	assert_eq 8 "$top" "the highest pids.current while the bomb runs"
	assert_ge 1 "$(field "$H/pids.events" max)" "host pids.events max (forks refused)"
}

# pids.limit 0 is a limit: no fork at all (the init is placed by the parent: clone3 into a
# full cgroup would fail, and kill the new pid namespace with it). ash dies of a failed fork.
case_pids-zero() {
	cgroup_path CG pz
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.pids = {limit: 0}'
	sh_args 'read m < /sys/fs/cgroup/pids.max; echo pids.max=$m; (true); echo forked'
	run_ctr
	log "inside: exit $RC, $(tr '\n' ' ' <<< "$OUT"), stderr: $ERR"
	assert_contains "$OUT" "pids.max=0" "pids.max inside"
	assert_not_contains "$OUT" "forked" "output after a fork under pids.max 0"
	assert_contains "$ERR" "can't fork" "the shell's fork error"
}

# config-linux.md CPU: quota/period -> cpu.max (a busy loop is throttled), shares ->
# cpu.weight (runc's conversion), burst -> cpu.max.burst
case_cpu() {
	cgroup_path CG cpu
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
		| .linux.resources.cpu = {quota: 10000, period: 100000, shares: 512, burst: 5000}'
	bg_ctr 'cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max.burst
		sh -c "while :; do :; done" & sleep 2; kill $!
		cat /sys/fs/cgroup/cpu.stat; echo DONE; exec sleep 600'
	wait_out DONE 60
	H=/sys/fs/cgroup$CG
	log "inside: cpu.max $(head -n1 "$CTR_OUT"), cpu.weight $(sed -n 2p "$CTR_OUT"), burst $(sed -n 3p "$CTR_OUT"), nr_throttled $(out_field nr_throttled)"
	log "host: cpu.max $(cat "$H/cpu.max"), nr_periods $(field "$H/cpu.stat" nr_periods), nr_throttled $(field "$H/cpu.stat" nr_throttled), throttled_usec $(field "$H/cpu.stat" throttled_usec)"
	assert_eq "10000 100000" "$(head -n1 "$CTR_OUT")" "cpu.max read inside"
	# runc: weight = 1 + ((shares - 2) * 9999) / 262142
	assert_eq 20 "$(sed -n 2p "$CTR_OUT")" "cpu.weight for shares 512"
	assert_eq 5000 "$(sed -n 3p "$CTR_OUT")" "cpu.max.burst"
	assert_ge 1 "$(out_field nr_throttled)" "cpu.stat nr_throttled read inside"
	assert_ge 1 "$(field "$H/cpu.stat" nr_throttled)" "host cpu.stat nr_throttled"
	# about 10% of one CPU for 2 s: far below the 2 s a free loop gets
	local usage
	usage=$(field "$H/cpu.stat" usage_usec)
	[ "$usage" -lt 1200000 ] || fail "cpu.stat usage_usec $usage: the loop was not held to 10%"
	# update: a period alone keeps the quota; the live limit changes
	assert_ok rt update --cpu-period 50000 "$ID"
	assert_eq "10000 50000" "$(cat "$H/cpu.max")" "cpu.max after update --cpu-period 50000"
}

# config-linux.md CPU cpus/mems -> cpuset.cpus/mems; idle -> cpu.idle; realtime* refused
case_cpuset() {
	[ "$(nproc)" -ge 2 ] || skip "one CPU in the guest"
	cgroup_path CG cpuset
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.cpu = {cpus: "1", mems: "0", idle: 1, shares: 512}'
	in_ctr 'grep Cpus_allowed_list /proc/self/status; cat /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/cpuset.mems /sys/fs/cgroup/cpu.idle'
	log "inside: $(tr '\n' ' ' <<< "$OUT")"
	assert_match "$(head -n1 <<< "$OUT")" "Cpus_allowed_list:[[:space:]]+1$" "the CPUs the container may run on"
	assert_eq "1 0 1" "$(sed -n '2,4p' <<< "$OUT" | tr '\n' ' ' | sed 's/ $//')" "cpuset.cpus cpuset.mems cpu.idle inside"
	new_id ID rt
	cfg '.linux.resources.cpu = {realtimeRuntime: 1000, realtimePeriod: 100000}'
	refused "linux.resources.cpu.realtime"
}

# config-linux.md Block IO: throttleWriteBpsDevice -> io.max wbps: a direct write to a brd
# ramdisk is slowed to it; weight -> io.bfq.weight as is, or io.weight converted
DD_TIMED='s=$(cut -d" " -f1 /proc/uptime); dd if=/dev/zero of=/dev/ram0 bs=64k count=48 oflag=direct 2> /dev/null || echo dd failed
	e=$(cut -d" " -f1 /proc/uptime); echo elapsed=$(awk "BEGIN {print $e - $s}")'
case_io() {
	[ -b /dev/ram0 ] || skip "no /dev/ram0 (modprobe brd failed in the guest)"
	local dev maj min base
	dev=$(cat /sys/block/ram0/dev)
	maj=${dev%:*}
	min=${dev#*:}
	base=$(sh -c "$DD_TIMED" | sed -n 's/^elapsed=//p')
	cgroup_path CG io
	cfg --arg cg "$CG" --argjson maj "$maj" --argjson min "$min" '.linux.cgroupsPath = $cg
		| .linux.devices += [{path: "/dev/ram0", type: "b", major: $maj, minor: $min, fileMode: 432}]
		| .linux.resources.devices += [{allow: true, type: "b", major: $maj, minor: $min, access: "rw"}]
		| .linux.resources.blockIO = {weight: 500,
			throttleWriteBpsDevice: [{major: $maj, minor: $min, rate: 1048576}]}'
	bg_ctr "grep '^$dev ' /sys/fs/cgroup/io.max; $DD_TIMED; echo DONE; exec sleep 600"
	wait_out DONE 60
	H=/sys/fs/cgroup$CG
	local t
	t=$(sed -n 's/^elapsed=//p' "$CTR_OUT")
	log "inside: $(head -n1 "$CTR_OUT"); 3 MiB direct write took ${t}s (unlimited: ${base}s)"
	log "host: io.max $(cat "$H/io.max"); io.stat $(grep "^$dev " "$H/io.stat"); weight files: $(cd "$H" && grep -H . io.weight io.bfq.weight 2> /dev/null | tr '\n' ' ')"
	assert_contains "$(head -n1 "$CTR_OUT")" "$dev rbps=max wbps=1048576" "io.max read inside"
	assert_not_contains "$(cat "$CTR_OUT")" "dd failed" "the write to the allowed /dev/ram0"
	awk -v t="$t" 'BEGIN { exit !(t >= 1.5) }' || fail "3 MiB at 1 MiB/s took ${t}s: not throttled"
	assert_contains "$(cat "$H/io.max")" "$dev rbps=max wbps=1048576" "host io.max"
	assert_contains "$(grep "^$dev " "$H/io.stat")" "wbytes=3145728" "host io.stat"
	if [ -e "$H/io.bfq.weight" ]; then
		assert_eq "default 500" "$(head -n1 "$H/io.bfq.weight")" "io.bfq.weight for weight 500"
	elif [ -e "$H/io.weight" ]; then
		# runc: 1 + (500 - 10) * 9999 / 990
		assert_eq "default 4950" "$(head -n1 "$H/io.weight")" "io.weight for weight 500"
	else
		log "note: neither io.bfq.weight nor io.weight in this kernel"
	fi
}

# config-linux.md Huge page limits: hugetlb.2MB.max (and .rsvd.max); faults beyond it fail
case_hugetlb() {
	[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MB huge pages in the guest kernel"
	local free
	free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
	[ "$free" -ge 2 ] || skip "fewer than 2 free 2 MB huge pages in the guest ($free)"
	cgroup_path CG huge
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
		| .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 2097152}]
		| .mounts += [{destination: "/hp", type: "hugetlbfs", source: "hugetlbfs", options: ["pagesize=2M"]}]'
	bg_ctr 'cat /sys/fs/cgroup/hugetlb.2MB.max
		fallocate -l 2097152 /hp/a && echo first=ok
		fallocate -l 2097152 /hp/b 2> /dev/null; echo second=$?
		cat /sys/fs/cgroup/hugetlb.2MB.events; echo DONE; exec sleep 600'
	wait_out DONE 60
	H=/sys/fs/cgroup$CG
	log "inside: hugetlb.2MB.max $(head -n1 "$CTR_OUT"), $(grep -E 'first|second' "$CTR_OUT" | tr '\n' ' ')events max $(out_field max)"
	log "host: hugetlb.2MB.max $(cat "$H/hugetlb.2MB.max"), rsvd.max $(cat "$H/hugetlb.2MB.rsvd.max" 2> /dev/null), current $(cat "$H/hugetlb.2MB.current")"
	assert_eq 2097152 "$(head -n1 "$CTR_OUT")" "hugetlb.2MB.max read inside"
	assert_contains "$(cat "$CTR_OUT")" "first=ok" "one 2 MB page within the limit"
	assert_ne "second=0" "$(grep second= "$CTR_OUT")" "a second page beyond the limit must fail"
	assert_eq 2097152 "$(cat "$H/hugetlb.2MB.current")" "host hugetlb.2MB.current"
	if [ -e "$H/hugetlb.2MB.rsvd.max" ]; then
		assert_eq 2097152 "$(cat "$H/hugetlb.2MB.rsvd.max")" "host hugetlb.2MB.rsvd.max"
		assert_ge 1 "$(field "$H/hugetlb.2MB.rsvd.events" max 2> /dev/null || field "$H/hugetlb.2MB.events" max)" \
			"a limit hit (rsvd.events or events max)"
	else
		assert_ge 1 "$(field "$H/hugetlb.2MB.events" max)" "host hugetlb.2MB.events max"
	fi
	new_id ID bad
	cgroup_path CG hugebad
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.hugepageLimits = [{pageSize: "3MB", limit: 2097152}]'
	refused "linux.resources.hugepageLimits[0].pageSize: 3MB is not a huge page size"
}

# config-linux.md Allowed Device list ("MUST apply entries in the listed order"), as a BPF
# program on v2: the last matching rule decides, wildcards, deny by default.
# Major 240 has no driver: an allowed open fails with ENXIO, a denied one with EPERM.
case_devices() {
	cgroup_path CG dev
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
		| .linux.devices += [
			{path: "/dev/exp0", type: "c", major: 240, minor: 0, fileMode: 438},
			{path: "/dev/exp1", type: "c", major: 240, minor: 1, fileMode: 438},
			{path: "/dev/exp2", type: "c", major: 241, minor: 0, fileMode: 438},
			{path: "/dev/exp3", type: "b", major: 240, minor: 0, fileMode: 438}]
		| .linux.resources.devices = [
			{allow: false, access: "rwm"},
			{allow: true, type: "c", major: 240, access: "rw"},
			{allow: false, type: "c", major: 240, minor: 1, access: "w"},
			{allow: true, access: "r"}, {allow: false, type: "b", access: "r"}]'
	runc_deviates "it refuses a deny inside an allowed wildcard on v2 (\"cannot punch hole in existing wildcard rule\")"
	in_ctr 'for d in /dev/exp0 /dev/exp1 /dev/exp2 /dev/exp3 /dev/null; do
		e=$(head -c 0 $d 2>&1) && echo "$d r ok" || echo "$d r ${e##*: }"
		e=$( (: > $d) 2>&1) && echo "$d w ok" || echo "$d w ${e##*: }"
	done'
	log "inside: $(echo "$OUT" | tr '\n' ';')"
	local want
	for want in "/dev/exp0 r No such device or address" "/dev/exp0 w No such device or address" \
		"/dev/exp1 r No such device or address" "/dev/exp1 w Operation not permitted" \
		"/dev/exp2 r No such device or address" "/dev/exp2 w Operation not permitted" \
		"/dev/exp3 r Operation not permitted" "/dev/exp3 w Operation not permitted" \
		"/dev/null r ok" "/dev/null w ok"; do
		grep -qxF "$want" <<< "$OUT" || fail "expected [$want], got:
$OUT"
	done
}

# config-linux.md Unified: "The runtime MUST write the value as given"; the controllers are
# enabled first; an exec'd process is in the container's cgroup too
case_unified() {
	cgroup_path CG uni
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg
		| .linux.resources.unified = {"memory.high": "41943040", "pids.max": "12", "cpu.weight": "42"}'
	bg_ctr 'cat /sys/fs/cgroup/memory.high /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.weight; echo DONE; exec sleep 600'
	wait_out DONE 30
	H=/sys/fs/cgroup$CG
	local host
	host="$(cat "$H/memory.high") $(cat "$H/pids.max") $(cat "$H/cpu.weight")"
	log "inside: $(head -n3 "$CTR_OUT" | tr '\n' ' ')host: $host"
	assert_eq "41943040 12 42" "$(head -n3 "$CTR_OUT" | tr '\n' ' ' | sed 's/ $//')" "memory.high pids.max cpu.weight inside"
	assert_eq "41943040 12 42" "$host" "host memory.high pids.max cpu.weight"
	assert_ok rt exec "$ID" cat /proc/self/cgroup
	assert_eq "0::/" "$OUT" "/proc/self/cgroup of an exec'd process"
	local p
	p=$(rt exec -d "$ID" sleep 300 > /dev/null 2>&1; pgrep -f '^sleep 300$' | head -n1)
	grep -qx "$p" "$H/cgroup.procs" || fail "the exec'd sleep $p is not in $H/cgroup.procs"
}

# config-linux.md: "MUST generate an error when the configuration refers to a cgroup
# controller that is not present or that cannot be enabled"; v1-only fields are refused
case_errors() {
	cgroup_path CG err
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.unified = {"nosuch.max": "1"}'
	refused "the nosuch cgroup controller is not available"
	cfg 'del(.linux.resources.unified) | .linux.resources.network = {classID: 1048577}'
	refused "linux.resources.network: cgroup v2 has no net_cls/net_prio"
	cfg 'del(.linux.resources.network) | .linux.resources.rdma = {"nosuchdev0": {hcaHandles: 2}}'
	refused "linux.resources.rdma"
	cfg 'del(.linux.resources.rdma) | .linux.resources.blockIO = {weight: 5}'
	refused "linux.resources.blockIO.weight"
}

# config-linux.md cgroupsPath: absolute (relative to the cgroup mount), relative, and none;
# the controllers a limit needs are enabled in every ancestor's cgroup.subtree_control
case_paths() {
	local abs rel got
	cgroup_path abs abs
	abs=$abs/inner/ctr
	set_args sleep 600
	cfg --arg cg "$abs" '.linux.cgroupsPath = $cg | .linux.resources.pids = {limit: 20}
		| .linux.resources.memory = {limit: 67108864}'
	create_ctr
	got=$(ctr_cgroup)
	log "absolute $abs: the container is in $got; pids.max $(cat "/sys/fs/cgroup$abs/pids.max")"
	assert_eq "$abs" "$got" "cgroup of the container with an absolute cgroupsPath"
	grep -qx "$(state_of "$ID" pid)" "/sys/fs/cgroup$abs/cgroup.procs" || fail "pid not in /sys/fs/cgroup$abs/cgroup.procs"
	assert_eq 20 "$(cat "/sys/fs/cgroup$abs/pids.max")" "pids.max three levels down"
	local d=/sys/fs/cgroup
	for c in ${abs//\// }; do
		assert_match "$(cat "$d/cgroup.subtree_control")" "(^| )memory( |$)" "memory in $d/cgroup.subtree_control"
		assert_match "$(cat "$d/cgroup.subtree_control")" "(^| )pids( |$)" "pids in $d/cgroup.subtree_control"
		d=$d/$c
	done
	assert_ok rt delete --force "$ID"
	[ ! -d "/sys/fs/cgroup$abs" ] || fail "cgroup $abs left after delete"
	# the parents of an explicit cgroupsPath stay, as with runc: the test's to remove
	rmdir "/sys/fs/cgroup${abs%/ctr}" "/sys/fs/cgroup${abs%/inner/ctr}"

	cgroup_path rel rel
	rel=${rel#/}
	new_id ID rel
	cfg --arg cg "$rel" '.linux.cgroupsPath = $cg | del(.linux.resources.pids) | del(.linux.resources.memory)'
	create_ctr
	got=$(ctr_cgroup)
	log "relative $rel: the container is in $got (the runtime's cgroup: $(sed -n 's/^0:://p' /proc/self/cgroup))"
	assert_eq "$(sed -n 's/^0:://p' /proc/self/cgroup | sed 's|/$||')/$rel" "$got" "cgroup of the container with a relative cgroupsPath"

	new_id ID def
	cfg 'del(.linux.cgroupsPath)'
	create_ctr
	got=$(ctr_cgroup)
	log "no cgroupsPath: the container is in $got"
	assert_eq "/hutch/$ID" "$got" "the default cgroup"
	assert_ok rt delete --force "$ID"
	[ ! -d "/sys/fs/cgroup$got" ] || fail "default cgroup /sys/fs/cgroup$got left after delete"
}

# config-linux.md cgroup namespace + the cgroup mount: the container sees its cgroup as /,
# read-only by default, writable when the mount is not "ro"
case_cgroupns() {
	cgroup_path CG ns
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg | .linux.resources.pids = {limit: 30}'
	in_ctr 'cat /proc/self/cgroup; '"$MOUNTS"' | grep "^/sys/fs/cgroup "
		cat /sys/fs/cgroup/pids.max; mkdir /sys/fs/cgroup/sub 2>&1 || true'
	log "inside (ro): $(echo "$OUT" | tr '\n' ';')"
	assert_eq "0::/" "$(head -n1 <<< "$OUT")" "/proc/self/cgroup inside"
	assert_match "$(grep '^/sys/fs/cgroup ' <<< "$OUT")" "^/sys/fs/cgroup ro[, ].* cgroup2 " "the cgroup mount inside"
	assert_contains "$OUT" "30" "pids.max of the container's own cgroup seen as the root"
	assert_contains "$OUT" "Read-only file system" "mkdir in the read-only cgroup mount"

	cfg '.mounts |= map(if .destination == "/sys/fs/cgroup" then .options |= map(select(. != "ro")) else . end)'
	in_ctr "$MOUNTS"' | grep "^/sys/fs/cgroup "; mkdir /sys/fs/cgroup/sub && echo mkdir=ok && rmdir /sys/fs/cgroup/sub'
	log "inside (rw): $(echo "$OUT" | tr '\n' ';')"
	assert_match "$(grep '^/sys/fs/cgroup ' <<< "$OUT")" "^/sys/fs/cgroup rw[, ]" "the cgroup mount without ro"
	assert_contains "$OUT" "mkdir=ok" "mkdir in the read-write cgroup mount"
}

# The container's process is born in its cgroup: clone3(CLONE_INTO_CGROUP) and no
# cgroup.procs write by the runtime; HUTCH_TEST_NO_CLONE_INTO_CGROUP=1 forces the fallback
# (a plain clone, then the parent writes cgroup.procs). Both for create and exec.
# --seccomp-bpf: only these syscalls stop the tracees (every stop is slow under TCG). The
# filter stays in a tracee after strace is gone, and its traced syscalls then fail: create's
# trace is cut (strace killed) while the init waits for start, and that init is never
# started, only deleted; exec's trace ends with its process.
TRACE=(strace -f -qq --seccomp-bpf -e trace=clone3,clone,openat,write)
case_clone-into-cgroup() {
	is_runc && skip "hutch's mechanism (runc writes cgroup.procs)"
	command -v strace > /dev/null || skip "no strace"
	cgroup_path CG c3
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
	set_args sleep 600
	local mode tr sp env
	for mode in clone3 fallback; do
		new_id ID "$mode"
		tr=$T/strace.$mode
		env=
		[ $mode = fallback ] && env=HUTCH_TEST_NO_CLONE_INTO_CGROUP=1
		# strace -f would wait for the container's init: stop tracing once create is done
		env $env "${TRACE[@]}" -o "$tr" "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
			> /dev/null 2>&1 < /dev/null &
		sp=$!
		PIDS+=("$sp")
		wait_for 60 status_is "$ID" created || fail "create under strace did not finish"
		track_pid "$ID"
		sleep 0.5
		kill -KILL "$sp"
		wait "$sp"
		capture env $env "${TRACE[@]}" -o "$tr.exec" "$RUNTIME" --root "$STATE_ROOT" exec "$ID" cat /proc/self/cgroup
		log "$mode: create: $(grep -c 'CLONE_INTO_CGROUP.* = [1-9]' "$tr") clone3 into the cgroup, $(grep -c 'cgroup.procs' "$tr") cgroup.procs opens; exec: $(grep -c 'CLONE_INTO_CGROUP.* = [1-9]' "$tr.exec"), $(grep -c 'cgroup.procs' "$tr.exec"); exec sees $OUT"
		assert_eq "0::/" "$OUT" "/proc/self/cgroup of the exec'd process ($mode)"
		assert_eq "$CG" "$(ctr_cgroup)" "the init's cgroup ($mode)"
		if [ $mode = clone3 ]; then
			grep -q 'CLONE_INTO_CGROUP.* = [1-9]' "$tr" || fail "create: no successful clone3(CLONE_INTO_CGROUP):
$(grep clone "$tr")"
			grep -q 'cgroup.procs' "$tr" && fail "create wrote cgroup.procs although the init was born in its cgroup"
			grep -q 'CLONE_INTO_CGROUP.* = [1-9]' "$tr.exec" || fail "exec: no successful clone3(CLONE_INTO_CGROUP)"
			grep -q 'cgroup.procs' "$tr.exec" && fail "exec wrote cgroup.procs although the process was born in the cgroup"
		else
			grep -q 'CLONE_INTO_CGROUP' "$tr" "$tr.exec" && fail "CLONE_INTO_CGROUP used although the fallback was forced"
			grep -q "cgroup.procs" "$tr" || fail "create (fallback): no cgroup.procs write"
			grep -q "cgroup.procs" "$tr.exec" || fail "exec (fallback): no cgroup.procs write"
		fi
		assert_ok rt delete --force "$ID"
	done
	# in a user namespace the init stage may not write the host's cgroup: no clone3 into
	# it (it would kill the new pid namespace), the parent places the init
	new_id ID userns
	cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	"${TRACE[@]}" -o "$T/strace.userns" "$RUNTIME" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
		> /dev/null 2>&1 < /dev/null &
	sp=$!
	PIDS+=("$sp")
	wait_for 60 status_is "$ID" created || fail "create of a user namespace container did not finish"
	track_pid "$ID"
	sleep 0.5
	kill -KILL "$sp"
	wait "$sp"
	log "userns: the init is in $(ctr_cgroup), clone3 into the cgroup: $(grep -c CLONE_INTO_CGROUP "$T/strace.userns")"
	assert_eq "$CG" "$(ctr_cgroup)" "the init's cgroup (user namespace)"
	grep -q CLONE_INTO_CGROUP "$T/strace.userns" && fail "clone3(CLONE_INTO_CGROUP) tried in a user namespace"
	assert_ok rt delete --force "$ID"
}

# --systemd-cgroup where systemd runs: systemd as the init of a container (the guest's /usr
# and /etc read-only, its own cgroup namespace, a writable cgroup2), and inside it hutch
# creates a container with cgroupsPath "system.slice:hutch-t:inner": systemd makes the
# scope over its private D-Bus socket, the container is in it with its limits, systemctl
# knows the unit, delete stops it. exec into the systemd container goes to the cgroup its
# init moved to (init.scope: the container's own cgroup may hold no process any more).
# The container's limits enable pids and memory down to its cgroup, for systemd to delegate.
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF","CAP_CHECKPOINT_RESTORE"]'
case_systemd() {
	is_runc && skip "runc's systemd driver needs a D-Bus daemon (the system bus)"
	[ -x /lib/systemd/systemd ] || skip "no systemd in the guest's root"
	local root=$T/sdroot units=$T/units inner init sd i l
	mkdir -p "$root"/usr "$root"/etc "$root"/proc "$root"/sys "$root"/dev "$root"/run "$root"/tmp \
		"$root"/var "$root$REPO" "$root$T" "$units"
	for l in bin lib lib64 sbin; do ln -s "usr/$l" "$root/$l"; done
	printf '[Unit]\nDescription=hutch test\n' > "$units/hutch-test.target"
	cgroup_path CG sd
	cfg --arg cg "$CG" --arg repo "$REPO" --arg t "$T" --arg units "$units" --arg root "$root" --argjson caps "$ALL_CAPS" '
		.root = {path: $root, readonly: false} | .linux.cgroupsPath = $cg
		| .linux.resources.pids = {limit: 500} | .linux.resources.memory = {limit: 536870912}
		| .process.args = ["/lib/systemd/systemd", "--unit=hutch-test.target", "--log-level=warning"]
		| .process.env += ["container=hutch"] | .process.noNewPrivileges = false
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options |= map(select(. != "ro")) else . end)
		| .mounts += [
			{destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
			{destination: "/etc", type: "bind", source: "/etc", options: ["rbind", "ro"]},
			{destination: "/etc/systemd/system", type: "bind", source: $units, options: ["bind", "ro"]},
			{destination: "/run", type: "tmpfs", source: "tmpfs", options: ["mode=755"]},
			{destination: $repo, type: "bind", source: $repo, options: ["rbind", "ro"]},
			{destination: $t, type: "bind", source: $t, options: ["rbind"]}]'
	new_bundle inner inner
	CONFIG=$inner/config.json cfg '.process.args = ["sleep", "600"] | .linux.cgroupsPath = "system.slice:hutch-t:inner"
		| .linux.resources.pids = {limit: 7}'
	create_ctr
	start_ctr
	init=$(state_of "$ID" pid)
	wait_for 120 test -S "/proc/$init/root/run/systemd/private" || fail "systemd in the container never opened its private socket"
	log "systemd up in $CG: its init is in $(sed -n 's/^0:://p' "/proc/$init/cgroup")"
	assert_ok rt exec "$ID" "$RUNTIME" --systemd-cgroup --root /run/inner create --bundle "$inner" inner
	sd=/sys/fs/cgroup$CG/system.slice/hutch-t-inner.scope
	[ -d "$sd" ] || fail "no scope cgroup $sd: $(find "/sys/fs/cgroup$CG" -maxdepth 2 -type d)"
	i=$(head -n1 "$sd/cgroup.procs")
	log "the inner container: init $i in $(sed -n 's/^0:://p' "/proc/$i/cgroup"), pids.max $(cat "$sd/pids.max")"
	assert_eq "$CG/system.slice/hutch-t-inner.scope" "$(sed -n 's/^0:://p' "/proc/$i/cgroup")" "the inner container's cgroup"
	assert_eq 7 "$(cat "$sd/pids.max")" "pids.max of the scope"
	assert_ok rt exec "$ID" systemctl show -p ActiveState -p TasksMax -p Delegate hutch-t-inner.scope
	log "systemctl show: $(tr '\n' ' ' <<< "$OUT")"
	assert_contains "$OUT" "ActiveState=active" "the unit in systemd"
	assert_contains "$OUT" "TasksMax=7" "the unit's TasksMax"
	assert_contains "$OUT" "Delegate=yes" "the unit's Delegate"
	# update: the file and the unit's property (SetUnitProperties), as runc does
	assert_ok rt exec "$ID" "$RUNTIME" --systemd-cgroup --root /run/inner update --pids-limit 9 inner
	assert_eq 9 "$(cat "$sd/pids.max")" "pids.max of the scope after update"
	assert_ok rt exec "$ID" systemctl show -p TasksMax hutch-t-inner.scope
	assert_eq "TasksMax=9" "$OUT" "the unit's TasksMax after update"
	assert_ok rt exec "$ID" "$RUNTIME" --systemd-cgroup --root /run/inner delete --force inner
	wait_for 20 test ! -d "$sd" || fail "the scope's cgroup $sd is left after delete"
	capture rt exec "$ID" systemctl is-active hutch-t-inner.scope
	assert_ne active "$OUT" "the unit after delete"
	assert_ok rt delete --force "$ID"
}

# ---- one case, in its own bash ----
if [ "${1:-}" = --case ]; then
	# shellcheck source=../oci-validation/lib.sh
	. "$REPO/tests/oci-validation/lib.sh"
	. "$REPO/tests/oci-validation/cgroup-lib.sh"
	"case_$2"
	exit 0
fi

# ---- the driver ----
if [ "$(id -u)" != 0 ]; then
	echo "guest-suite.sh: must run as root, in the guest (tests/vm/suite.sh)" >&2
	exit 2
fi
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || grep -q ' - cgroup ' /proc/self/mountinfo; then
	echo "guest-suite.sh: /sys/fs/cgroup is not a pure cgroup v2 hierarchy: run it through tests/vm/suite.sh" >&2
	exit 2
fi
RUNTIME=${RUNTIME:-$REPO/build/hutch}
RUNTIME=$(realpath -m "$RUNTIME")
export RUNTIME
if ! "$RUNTIME" --version > /dev/null 2>&1; then
	echo "guest-suite.sh: RUNTIME=$RUNTIME does not run" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
CASE_TIMEOUT=${CASE_TIMEOUT:-300}
# cases at a time: one per CPU of the guest (TCG runs a vCPU per host thread)
JOBS=${JOBS:-$(nproc)}
VERBOSE=${VERBOSE:-0}
# cases given: only those (none: no case), and no e2e test unless E2E says
if [ $# -gt 0 ]; then
	CASES=("$@")
	[ "$*" = none ] && CASES=()
	E2E=${E2E:-none}
else
	E2E=${E2E:-^4}
fi

# the guest's side of the cases: a ramdisk for io, huge pages for hugetlb
if [ ! -b /dev/ram0 ] && ! busybox modprobe brd rd_nr=1 rd_size=16384 max_part=0; then
	echo "note: modprobe brd failed: the io case will skip"
fi
echo 4 > /proc/sys/vm/nr_hugepages 2> /dev/null
echo "== cgroup v2 suite: RUNTIME=$RUNTIME, kernel $(uname -r), $(nproc) CPUs, controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"

LOGS=$(mktemp -d /tmp/hutch-vm-logs.XXXXXX)
passed=0 failed=0 skipped=0 failures=()
HUTCH_E2E_REGISTRY=$(mktemp /tmp/hutch-vm-registry.XXXXXX)
export HUTCH_E2E_REGISTRY
uptime_s() { cut -d' ' -f1 /proc/uptime; }
suite_start=$(uptime_s)

# run_one NAME CMD...: one case or e2e test; its report is printed (under a lock: cases
# run JOBS at a time) and its exit status kept in LOGS/NAME.rc
run_one() {
	local name=$1 log=$LOGS/$1.log s took rc report
	shift
	s=$(uptime_s)
	timeout -k 10 "$CASE_TIMEOUT" "$@" < /dev/null > "$log" 2>&1
	rc=$?
	took=$(awk -v a="$s" -v b="$(uptime_s)" 'BEGIN { printf "%.1fs", b - a }')
	[ $rc = 124 ] && echo "# timed out after ${CASE_TIMEOUT}s" >> "$log"
	case $rc in
	0) report="PASS  $name ($took)
$([ "$VERBOSE" = 1 ] || grep '^# ' "$log" | grep -v '^# runtime:' | sed 's/^/    /')" ;;
	77) report="SKIP  $name: $(sed -n 's/^SKIP: //p' "$log" | tail -n1)" ;;
	*) report="FAIL  $name ($took, exit $rc)
$([ "$VERBOSE" = 1 ] || sed 's/^/    | /' "$log" | tail -n 40)" ;;
	esac
	[ "$VERBOSE" = 1 ] && report+="
$(sed 's/^/    | /' "$log")"
	echo "$rc" > "$LOGS/$name.rc"
	flock "$LOGS" printf '%s\n' "$report"
}

# spawn NAME CMD...: run_one in the background once fewer than JOBS are running
spawn() {
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	run_one "$@" &
}

for c in "${CASES[@]+"${CASES[@]}"}"; do
	spawn "$c" bash "$SUITE" --case "$c"
done
if [ "$E2E" != none ]; then
	for t in "$REPO"/tests/oci-validation/[0-9][0-9][0-9]-*.sh; do
		grep -Eq -- "$E2E" <<< "$(basename "$t")" || continue
		spawn "e2e-$(basename "$t" .sh)" bash "$t"
	done
fi
wait
for f in "$LOGS"/*.rc; do
	[ -e "$f" ] || continue
	case $(cat "$f") in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$(basename "$f" .rc)") ;;
	esac
done

# what the cases left behind: cgroups, temp dirs, mounts, processes named after them. One
# listing of each, matched against all the names at once (a find or pgrep per name costs
# minutes in the software-emulated guest).
names=$(sort -u "$HUTCH_E2E_REGISTRY" | sed '/^$/d')
left=$( {
	if [ -n "$names" ]; then
		find /sys/fs/cgroup -mindepth 1 -type d |
			awk -F/ 'NR == FNR { want[$0]; next } $NF in want' <(sed 's|.*/||' <<< "$names") -
		while read -r name; do
			case $name in /*) [ -e "$name" ] && echo "$name" ;; esac
		done <<< "$names"
		grep -F -f <(echo "$names") /proc/self/mountinfo
		ps -eo pid=,args= | grep -F -f <(echo "$names") | sed 's/^ */process /'
	fi
	[ -d /sys/fs/cgroup/hutch ] && find /sys/fs/cgroup/hutch -mindepth 1 -type d
} 2> /dev/null)
if [ -z "$left" ]; then
	passed=$((passed + 1))
	echo "PASS  leak-check (no cgroups, mounts, temp dirs or processes left)"
else
	failed=$((failed + 1))
	failures+=(leak-check)
	echo "FAIL  leak-check: left behind:"
	echo "$left" | sed 's/^/    | /'
fi
rm -rf "$LOGS" "$HUTCH_E2E_REGISTRY"
echo "== cgroup v2 suite took $(awk -v a="$suite_start" -v b="$(uptime_s)" 'BEGIN { printf "%.0fs", b - a }') in the guest"
[ ${#failures[@]} -gt 0 ] && echo "== failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
