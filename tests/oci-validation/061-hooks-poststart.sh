#!/bin/bash
# config.md, Poststart: "The poststart hooks MUST be called after the user-specified process
#   is executed but before the start operation returns."
# runtime.md, Lifecycle step 9: "The poststart hooks MUST be invoked by the runtime."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 runs poststart hooks during create"
bind_out
H=$T/out
# The hook records what the container's process runs when it is called: "after the
# user-specified process is executed" means its /proc/<pid>/exe is the program already,
# not the runtime (whether the program has done anything yet is the scheduler's business).
cfg --arg d "$H" '.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c",
	"cat > \($d)/poststart.json; readlink /proc/$(sed -n \"s/.*\\\"pid\\\":\\([0-9]*\\).*/\\1/p\" \($d)/poststart.json)/exe > \($d)/exe; echo poststart >> \($d)/order"]}]'
sh_args 'echo program >> /out/order; exec sleep 600'
create_ctr
[ ! -e "$H/order" ] || fail "something ran during create: $(cat "$H/order")"
start_ctr
# start returned: poststart must have run, after the program was executed
grep -qx poststart "$H/order" || fail "poststart did not run before start returned: $(cat "$H/order" 2>/dev/null)"
assert_eq /bin/busybox "$(cat "$H/exe")" "what the container's process ran when the hook was called"
jq -e . "$H/poststart.json" > /dev/null || fail "poststart stdin not JSON"
assert_eq running "$(jq -r .status "$H/poststart.json")" "poststart: state status"
assert_eq "$(state_of "$ID" pid)" "$(jq -r .pid "$H/poststart.json")" "poststart: state pid"
exit 0
