# Cgroup helpers for the 4NN tests, sourced after lib.sh. The same test runs on a
# hybrid or v1 host (v1 controllers, like this project's machines) and inside the
# pure cgroup v2 guest of tests/vm/, so paths and file names come from here.

if [ "$(stat -fc %T /sys/fs/cgroup 2> /dev/null)" = cgroup2fs ]; then CG_V2=1; else CG_V2=0; fi

# cg_dir CONTROLLER [PATH]: the host directory of cgroupsPath PATH (default $CG) that
# holds CONTROLLER's files
cg_dir() {
	if [ "$CG_V2" = 1 ]; then
		echo "/sys/fs/cgroup${2:-$CG}"
	else
		echo "/sys/fs/cgroup/$1${2:-$CG}"
	fi
}

# cg_cat CONTROLLER FILE: one file of the container's cgroup, from the host
cg_cat() {
	cat "$(cg_dir "$1")/$2"
}

# cg_frozen: is the container's cgroup frozen, as the kernel reports it?
cg_frozen() {
	if [ "$CG_V2" = 1 ]; then
		grep -qx 'frozen 1' "$(cg_dir freezer)/cgroup.events"
	else
		[ "$(cg_cat freezer freezer.state)" = FROZEN ]
	fi
}

# alive PID...: are all these processes still there (and not zombies)?
alive() {
	local p s
	for p in "$@"; do
		s=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2> /dev/null)
		case $s in '' | Z | X) return 1 ;; esac
	done
}

# none_alive PID...: are all of them gone?
none_alive() {
	local p
	for p in "$@"; do
		alive "$p" && return 1
	done
	return 0
}

# procs_are N: the container's cgroup holds exactly N processes (a function: wait_for
# runs its arguments again and again, a $(...) among them would be read only once)
procs_are() {
	[ "$(wc -l < "$(cg_dir pids)/cgroup.procs" 2> /dev/null)" = "$1" ]
}

# wait_procs N: wait until the container's cgroup holds exactly N processes
wait_procs() {
	local f
	f="$(cg_dir pids)/cgroup.procs"
	wait_for 20 procs_are "$1" ||
		fail "the container never had $1 processes: $f holds [$(tr '\n' ' ' < "$f" 2> /dev/null)], status $(state_of "$ID" status)"
}

# state_of ID FIELD, without jq for the top-level scalars that the tests poll (each jq start
# costs a second in the software-emulated guest of tests/vm/): both hutch and runc print the
# state indented, one field per line.
state_of() {
	case $2 in
	status | pid | id | bundle)
		state_json "$1" | sed -n "s/^ *\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" ;;
	*) state_json "$1" | jq -r ".$2" ;;
	esac
}
