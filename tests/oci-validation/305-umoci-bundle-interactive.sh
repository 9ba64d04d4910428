#!/bin/bash
# A bundle from `umoci unpack` has process.terminal true (and five capability sets, a cgroup
# mount): `run` of it, unedited, in a terminal gives an interactive shell. The image is built
# here from the busybox rootfs with umoci itself (init, new, repack, config).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/lib-tmux.sh"
command -v umoci > /dev/null || fail "umoci is not installed (apt-get install umoci)"

img=$T/image
umoci init --layout "$img" && umoci new --image "$img:bb" &&
	umoci unpack --image "$img:bb" "$T/stage" > /dev/null || fail "umoci could not make an empty image"
make_rootfs "$T/stage/rootfs" || fail "cannot make the rootfs"
umoci repack --image "$img:bb" "$T/stage" &&
	umoci config --image "$img:bb" --config.cmd sh --config.env 'PS1=umoci> ' --config.workingdir /root ||
	fail "umoci repack/config failed"
UB=$T/umoci-bundle
umoci unpack --image "$img:bb" "$UB" > /dev/null || fail "umoci unpack failed"
assert_eq true "$(jq -r .process.terminal "$UB/config.json")" "process.terminal of umoci's config"

tmux_start "$RUNTIME --root $STATE_ROOT run --bundle $UB $ID; echo \$? > $T/rc"
tmux_wait_screen '^umoci> '
tmux_type 'echo "in $(pwd) $(hostname) as $(id -u)"; exit 4'
tmux_wait_screen '^in /root [^ ]+ as 0'
wait_file "$T/rc"
assert_eq 4 "$(cat "$T/rc")" "exit status of the umoci bundle's shell"
exit 0
