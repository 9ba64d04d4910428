#!/bin/bash
# runc CLI `run` in the foreground: --keep leaves the container, stopped, for `delete`
#   (without it run deletes it); by default the runtime is the child subreaper, so a process
#   orphaned in a container without a pid namespace is reparented to it; --no-subreaper
#   leaves that to the next subreaper up. Seen from the host: the orphan's PPid.
. "$(dirname "$0")/lib.sh"

# --keep: run returns the status, the container stays until delete
sh_args 'exit 4'
capture rt run --keep --bundle "$BUNDLE" "$ID"
assert_eq 4 "$RC" "exit status of run --keep"
assert_eq stopped "$(state_of "$ID" status)" "the container after run --keep"
assert_ok rt delete "$ID"
assert_fails rt state "$ID"
state_dir_exists "$ID" && fail "delete after run --keep left the state"
run_ctr
assert_eq 4 "$RC" "exit status of run"
assert_fails rt state "$ID"
assert_exit 1 rt create --keep --bundle "$BUNDLE" "$ID"
assert_exit 1 rt create --no-subreaper --bundle "$BUNDLE" "$ID"

# orphan_parent [RUN FLAGS...]: the PPid of a process orphaned in a container without a pid
# namespace, once its parent (not the container's init) has exited; RUN_PID is run's pid
bind_out
cfg '.linux.namespaces |= map(select(.type != "pid"))'
sh_args 'sh -c '\''echo $$ > /out/inner; sleep 300 & echo $! > /out/orphan'\''; sleep 300'
orphan_parent() {
	rm -f "$T/out/inner" "$T/out/orphan"
	# not through rt: run's own pid is the one to compare with
	"$RUNTIME" --root "$STATE_ROOT" run "$@" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/run.out" 2>&1 &
	RUN_PID=$!
	PIDS+=("$RUN_PID")
	wait_for 10 test -s "$T/out/orphan" || fail "the container did not start: $(cat "$T/run.out")"
	local inner orphan
	inner=$(cat "$T/out/inner")
	orphan=$(cat "$T/out/orphan")
	PIDS+=("$orphan")
	wait_for 10 sh -c "! grep -qx 'PPid:[[:space:]]*$inner' /proc/$orphan/status" ||
		fail "the orphan's parent did not exit"
	PARENT=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$orphan/status")
	assert_ok rt kill "$ID" KILL
	wait "$RUN_PID"
	# (killed with the container; a zombie until whoever inherits it reaps it)
	wait_for 10 sh -c "! grep -q '^State:[[:space:]]*[RSD]' /proc/$orphan/status" ||
		fail "run left the orphan running after the container was deleted: $(grep ^State: "/proc/$orphan/status")"
	assert_fails rt state "$ID"
}

orphan_parent
assert_eq "$RUN_PID" "$PARENT" "parent of an orphan of the container (run is the subreaper)"
orphan_parent --no-subreaper
assert_ne "$RUN_PID" "$PARENT" "parent of an orphan with run --no-subreaper"
exit 0
