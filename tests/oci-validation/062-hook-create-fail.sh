#!/bin/bash
# runtime.md, Lifecycle step 3: "If any prestart hook fails, the runtime MUST generate an
#   error, stop the container, and continue the lifecycle at step 12." (step 12: "The
#   container MUST be destroyed by undoing the steps performed during create phase")
# Steps 4 and 5 say the same of createRuntime and createContainer hooks, checked here too.
# runtime.md, Errors: "generating an error MUST leave the state of the environment as if the
#   operation were never attempted"
. "$(dirname "$0")/lib.sh"

bind_out
for kind in prestart createRuntime createContainer; do
	rm -f "$T/out/"*
	cgroup_path CG "$kind"
	cfg --arg cg "$CG" '.linux.cgroupsPath = $cg'
	cfg --arg k "$kind" --arg d "$T/out" '.hooks = {} | .hooks[$k] = [{path: "/bin/sh", args: ["sh", "-c",
		"cat > \($d)/state.json; exit 7"]}]
		| .hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo ran > \($d)/poststop"]}]'
	sh_args 'echo program > /out/program; exec sleep 600'
	new_id ID "$kind"
	assert_fails rt create --bundle "$BUNDLE" "$ID"
	log "$ERR"
	jq -e . "$T/out/state.json" > /dev/null || fail "$kind hook did not get a JSON state"
	if [ "$kind" != createContainer ]; then # its pid is the one seen in the container
		pid=$(jq -r .pid "$T/out/state.json")
		assert_match "$pid" '^[0-9]+$' "pid given to the $kind hook"
		wait_for 5 test ! -d "/proc/$pid" || fail "container process $pid still alive after the failed create"
	fi
	assert_fails rt state "$ID"
	state_dir_exists "$ID" && fail "state dir left after a failed $kind hook"
	[ ! -e "$T/out/program" ] || fail "the user program ran"
	wait_for 5 test ! -d "/sys/fs/cgroup/memory$CG" || fail "cgroup /sys/fs/cgroup/memory$CG left behind"
	wait_for 5 test ! -d "/sys/fs/cgroup/pids$CG" || fail "cgroup /sys/fs/cgroup/pids$CG left behind"
done
exit 0
