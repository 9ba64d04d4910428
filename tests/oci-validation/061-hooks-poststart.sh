#!/bin/bash
# config.md, Poststart: "The poststart hooks MUST be called after the user-specified process
#   is executed but before the start operation returns."
# runtime.md, Lifecycle step 9: "The poststart hooks MUST be invoked by the runtime."
. "$(dirname "$0")/lib.sh"

runc_deviates "runc 1.1 runs poststart hooks during create"
bind_out
H=$T/out
cfg --arg d "$H" '.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c",
	"cat > \($d)/poststart.json; echo poststart >> \($d)/order"]}]'
sh_args 'echo program >> /out/order; exec sleep 600'
create_ctr
[ ! -e "$H/order" ] || fail "something ran during create: $(cat "$H/order")"
start_ctr
# start returned: poststart must have run, after the program
assert_eq "program poststart" "$(tr '\n' ' ' < "$H/order" | sed 's/ $//')" "order after start"
jq -e . "$H/poststart.json" > /dev/null || fail "poststart stdin not JSON"
assert_eq running "$(jq -r .status "$H/poststart.json")" "poststart: state status"
assert_eq "$(state_of "$ID" pid)" "$(jq -r .pid "$H/poststart.json")" "poststart: state pid"
exit 0
