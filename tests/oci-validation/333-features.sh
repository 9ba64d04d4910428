#!/bin/bash
# runtime-spec features.md / features-linux.md: `features` prints what the runtime
#   recognizes ("the recognized names of the hooks ... capabilities ... seccomp actions") and,
#   for seccomp flags, what it supports on this kernel. Each name it lists is one create
#   accepts, and a name it does not list is refused: the list and the code cannot drift.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 has no knownFlags/supportedFlags and no time namespace"

assert_ok rt features
F=$OUT
assert_eq 1.0.0 "$(jq -r .ociVersionMin <<< "$F")" "ociVersionMin"
assert_eq 1.3.0 "$(jq -r .ociVersionMax <<< "$F")" "ociVersionMax"
assert_eq "prestart createRuntime createContainer startContainer poststart poststop" \
	"$(jq -r '.hooks | join(" ")' <<< "$F")" "hooks"
assert_eq "cgroup ipc mount network pid time user uts" \
	"$(jq -r '.linux.namespaces | sort | join(" ")' <<< "$F")" "namespaces"
for o in ro rw bind rbind nosuid nodev noexec rprivate rshared rslave remount; do
	jq -e --arg o "$o" '.mountOptions | index($o)' <<< "$F" > /dev/null || fail "mountOptions lacks $o"
done
assert_eq "$("$RUNTIME" --version | sed -n 's/^libseccomp: //p')" \
	"$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' <<< "$F")" "libseccomp version annotation"

# accepted: create succeeds (then the container is deleted); refused: create fails naming it
accepted() { # WHAT JQ-FILTER [JQ ARGS]
	local what=$1
	shift
	cp "$BUNDLE/config.json" "$T/saved.json"
	cfg "$@"
	capture rt create --bundle "$BUNDLE" "$ID"
	cp "$T/saved.json" "$BUNDLE/config.json"
	[ "$RC" = 0 ] || fail "$what: create refused it: $ERR"
	rt delete --force "$ID" > /dev/null 2>&1
}
refused() { # WHAT NEEDLE JQ-FILTER [JQ ARGS]
	local what=$1 needle=$2
	shift 2
	cp "$BUNDLE/config.json" "$T/saved.json"
	cfg "$@"
	capture rt create --bundle "$BUNDLE" "$ID"
	cp "$T/saved.json" "$BUNDLE/config.json"
	[ "$RC" != 0 ] || { rt delete --force "$ID" > /dev/null 2>&1; fail "$what: create accepted it"; }
	assert_contains "$ERR" "$needle" "$what: the error"
}
set_args true

# every capability the kernel has is listed, and every listed one is accepted
caps=$(jq -c .linux.capabilities <<< "$F")
[ "$(jq length <<< "$caps")" -ge $(($(cat /proc/sys/kernel/cap_last_cap) + 1)) ] ||
	fail "fewer capabilities listed than the kernel has"
accepted "all listed capabilities" --argjson c "$caps" '.process.capabilities.bounding = $c'
refused "an unlisted capability" CAP_NOT_A_CAP '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'

# seccomp: every listed action (on its own syscall), operator, architecture, supported flag
assert_eq true "$(jq -r .linux.seccomp.enabled <<< "$F")" "seccomp enabled"
actions=$(jq -c '.linux.seccomp.actions - ["SCMP_ACT_NOTIFY"]' <<< "$F")
accepted "all listed seccomp actions" --argjson a "$actions" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [$a, ["acct", "swapon", "swapoff", "syslog", "quotactl", "kexec_load", "init_module", "delete_module"]]
	| transpose | map({names: [.[1]], action: .[0]})}'
refused "an unlisted seccomp action" SCMP_ACT_NOPE '.linux.seccomp = {defaultAction: "SCMP_ACT_NOPE"}'
ops=$(jq -c .linux.seccomp.operators <<< "$F")
accepted "all listed seccomp operators" --argjson o "$ops" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [$o[] | {names: ["personality"], action: "SCMP_ACT_ERRNO",
		args: [{index: 0, value: 4660, valueTwo: 4660, op: .}]}]}'
refused "an unlisted seccomp operator" SCMP_CMP_NOPE '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 1, op: "SCMP_CMP_NOPE"}]}]}'
# architectures: recognized, which is not always usable here (libseccomp builds one filter
# for architectures of the host's byte order): each is accepted or refused, never unknown
for arch in $(jq -r '.linux.seccomp.archs[]' <<< "$F"); do
	cp "$BUNDLE/config.json" "$T/saved.json"
	cfg --arg a "$arch" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: [$a]}'
	capture rt create --bundle "$BUNDLE" "$ID"
	cp "$T/saved.json" "$BUNDLE/config.json"
	rt delete --force "$ID" > /dev/null 2>&1
	assert_not_contains "$ERR" "unknown" "seccomp architecture $arch"
	log "$arch: $([ "$RC" = 0 ] && echo accepted || echo "refused: $ERR")"
done
refused "an unlisted seccomp architecture" 'unknown architecture "SCMP_ARCH_NOPE"' \
	'.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_NOPE"]}'
accepted "the host's own architectures" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]}'
jq -e '.linux.seccomp | (.supportedFlags - .knownFlags) == []' <<< "$F" > /dev/null || fail "a supported flag that is not known"
for flag in $(jq -r '.linux.seccomp.supportedFlags[] | select(. != "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")' <<< "$F"); do
	accepted "seccomp flag $flag" --arg f "$flag" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f]}'
done
for flag in $(jq -r '.linux.seccomp | (.knownFlags - .supportedFlags)[]' <<< "$F"); do
	refused "seccomp flag $flag, known but not supported here" "$flag" --arg f "$flag" \
		'.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f]}'
done
refused "an unknown seccomp flag" SECCOMP_FILTER_FLAG_NOPE '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NOPE"]}'

# what features says is not enabled is refused
[ "$(jq -r .linux.apparmor.enabled <<< "$F")" = false ] &&
	refused "apparmorProfile with apparmor.enabled false" apparmorProfile '.process.apparmorProfile = "p"'
[ "$(jq -r .linux.selinux.enabled <<< "$F")" = false ] &&
	refused "selinuxLabel with selinux.enabled false" selinuxLabel '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
# every hook the list names is run
accepted "all listed hooks" --argjson h "$(jq -c .hooks <<< "$F")" \
	'.hooks = ($h | map({key: ., value: [{path: "/bin/true"}]}) | from_entries)'
exit 0
