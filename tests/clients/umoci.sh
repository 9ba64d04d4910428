# umoci 0.4: bundles made by `umoci unpack` and `umoci unpack --rootless`, run by hand with
# `RUNTIME run`, as umoci's documentation tells its users.

U=
U_IDS=()

urt() { timeout -k 5 "$CLIENT_TIMEOUT" "$RUNTIME" --root "$U/state" "$@"; }

umoci_setup() {
	U=$W/umoci
	mkdir -p "$U/state"
	chmod 755 "$U"
}

umoci_teardown() {
	[ -n "$U" ] || return 0
	local id
	for id in "${U_IDS[@]}"; do
		urt delete --force "$id" > /dev/null 2>&1
	done
	return 0
}

t_umoci_unpack_tty() {
	local b=$U/bundle id=$TAG-umoci
	ok umoci unpack --image "$W/image/oci:busybox" "$b"
	assert_eq true "$(jq -r .process.terminal "$b/config.json")" "umoci's config asks for a terminal"
	tm new-session -d -s umoci -x 100 -y 30 "cd $b && $RUNTIME --root $U/state run $id; echo EXIT=\$?; sleep 60"
	wait_screen umoci '/ #'
	tm send-keys -t umoci 'tty; stty size; echo pid=$$; id -u; hostname' Enter
	wait_screen umoci '/dev/pts/0'
	wait_screen umoci '30 100'
	wait_screen umoci 'pid=1'
	resized umoci 43 132
	ok urt state "$id"
	assert_eq running "$(jq -r .status <<< "$OUT")" "state of the umoci container"
	tm send-keys -t umoci 'exit 5' Enter
	wait_screen umoci 'EXIT=5'
	tm kill-session -t umoci
	expect 1 urt state "$id"
}

t_umoci_unpack_rootless() {
	local b=$U/rootless/bundle id=$TAG-umoci-rootless nobody=65534
	mkdir -p "$U/rootless"
	chown "$nobody:$nobody" "$U/rootless"
	# unpacked by an unprivileged user: the rootfs belongs to that user, and the config maps
	# the container's root onto it
	ok setpriv --reuid "$nobody" --regid "$nobody" --clear-groups -- \
		umoci unpack --rootless --image "$W/image/oci:busybox" "$b"
	assert_eq "$nobody" "$(stat -c %u "$b/rootfs/bin/busybox")" "owner of the unpacked rootfs"
	assert_eq "[{\"containerID\":0,\"hostID\":$nobody,\"size\":1}]" \
		"$(jq -c .linux.uidMappings "$b/config.json")" "umoci's uid map"
	# a command instead of umoci's interactive sh, and no terminal (we read its output)
	jq '.process.terminal = false | .process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u; stat -c %u /bin/busybox; readlink /proc/self/ns/user; touch /made-here && echo wrote"]' \
		"$b/config.json" > "$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
	U_IDS+=("$id")
	ok urt run --bundle "$b" "$id"
	local lines
	mapfile -t lines <<< "$OUT"
	assert_eq "0 $nobody 1" "$(echo ${lines[0]})" "uid map inside"
	assert_eq 0 "${lines[1]}" "uid inside"
	assert_eq 0 "${lines[2]}" "owner of /bin/busybox seen inside"
	[ "${lines[3]}" = "$(readlink /proc/self/ns/user)" ] && fail "the container shares the host's user namespace"
	assert_eq wrote "${lines[4]}" "the container's root writes its rootfs"
	assert_eq "$nobody" "$(stat -c %u "$b/rootfs/made-here")" "owner on the host of a file the container made"
}

umoci_scenarios() {
	client_prepare umoci umoci_setup umoci tmux setpriv
	scenario "umoci: unpack, run with a terminal under tmux, resize" t_umoci_unpack_tty
	scenario "umoci: unpack --rootless, run in its user namespace" t_umoci_unpack_rootless
	CLIENT_MISSING=
}
