#!/bin/bash
# config.md, POSIX-platform Hooks: "Hooks MUST be called in the listed order." "The state of
#   the container MUST be passed to hooks over stdin so that they may do work appropriate to
#   the current state of the container."
# "The prestart hooks MUST be called before the createRuntime hooks." "The createContainer
#   hooks MUST be called after the createRuntime hooks." "The startContainer hooks MUST be
#   called before the user-specified process is executed as part of the start operation."
#   "The poststart hooks MUST be called after the user-specified process is executed but
#   before the start operation returns." "The poststop hooks MUST be called after the
#   container is deleted but before the delete operation returns."
# "The value of path MUST resolve in the runtime namespace" (prestart, createRuntime,
#   createContainer, poststart, poststop); startContainer: "in the container namespace".
# runtime.md, State pid: "For hooks executed in the runtime namespace, it is the pid as seen
#   by the runtime. For hooks executed in the container namespace, it is the pid as seen by
#   the container."
# runtime.md, Lifecycle steps 3-5, 7, 9, 13: the hooks MUST be invoked by the runtime.
. "$(dirname "$0")/lib.sh"

bind_out
H=$T/out
# host hooks run the host's sh and write to $H; createContainer runs in the container's
# namespaces before pivot_root, where host paths are still reachable; startContainer runs
# /bin/sh of the rootfs after pivot_root and reaches $H through the /out bind mount.
hook() { # NAME DIR
	jq -n --arg n "$1" --arg d "$2" '{path: "/bin/sh", args: ["sh", "-c",
		"cat > \($d)/\($n).json; echo \($n) >> \($d)/order"], env: ["PATH=/bin:/usr/bin"]}'
}
cfg --argjson pre "$(hook prestart "$H")" --argjson cr "$(hook createRuntime "$H")" \
	--argjson cc "$(hook createContainer "$H")" --argjson sc "$(hook startContainer /out)" \
	--argjson ps "$(hook poststart "$H")" --argjson pst "$(hook poststop "$H")" \
	'.hooks = {prestart: [$pre], createRuntime: [$cr], createContainer: [$cc],
		startContainer: [$sc], poststart: [$ps], poststop: [$pst]}'
sh_args 'echo program >> /out/order; exec sleep 600'
# the order of the hooks, poststart left out (061 checks when poststart runs)
order() { grep -v poststart "$H/order" | tr '\n' ' ' | sed 's/ $//'; }

create_ctr
pid=$(state_of "$ID" pid)
assert_eq "prestart createRuntime createContainer" "$(order)" "hooks run by create"
start_ctr
wait_for 5 grep -q program "$H/order" || fail "program did not run"
assert_eq "prestart createRuntime createContainer startContainer program" "$(order)" \
	"hooks run by start"
wait_for 5 test -e "$H/poststart.json" || fail "poststart hook did not run"
assert_ok rt kill "$ID" KILL
wait_status "$ID" stopped
assert_ok rt delete "$ID"
assert_eq "prestart createRuntime createContainer startContainer program poststop" "$(order)" \
	"hooks run by delete"

for h in prestart createRuntime createContainer startContainer poststart poststop; do
	f=$H/$h.json
	jq -e . "$f" > /dev/null 2>&1 || fail "$h: stdin was not a JSON state: $(cat "$f")"
	assert_eq "$ID" "$(jq -r .id "$f")" "$h: state id"
	assert_eq "$(realpath "$BUNDLE")" "$(jq -r .bundle "$f")" "$h: state bundle"
	assert_match "$(jq -r .ociVersion "$f")" '^[0-9]+\.' "$h: state ociVersion"
done
for h in prestart createRuntime poststart; do
	assert_eq "$pid" "$(jq -r .pid "$H/$h.json")" "$h: state pid (as seen by the runtime)"
done
for h in prestart createRuntime createContainer startContainer poststart poststop; do
	log "$h got: $(jq -c . "$H/$h.json")"
done
for h in createContainer startContainer; do
	assert_eq 1 "$(jq -r .pid "$H/$h.json")" "$h: state pid (as seen in the container)"
done
# runtime.md: "created: the runtime has finished the create operation (after step 2 in the
# lifecycle)"; these hooks are steps 3 to 5 (runtime-tools' hooks_stdin checks the same).
for h in prestart createRuntime createContainer startContainer; do
	assert_eq created "$(jq -r .status "$H/$h.json")" "$h: state status"
done
assert_eq stopped "$(jq -r .status "$H/poststop.json")" "poststop: state status"
exit 0
