#!/bin/bash
# config-linux.md, Network Devices: "netDevices (object, OPTIONAL) - A set of network devices
#   that MUST be made available in the container"; "name (string, OPTIONAL) - the name of
#   the network device inside the container namespace"; "The runtime MUST preserve existing
#   network interface attributes, including all permanent IP addresses (IFA_F_PERMANENT
#   flag) of any family with global scope (RT_SCOPE_UNIVERSE value)"; "The runtime MUST set
#   the network device state to "up" after moving it to the network namespace".
# The classic demo (docs/net-devices.md): a veth pair made here, one end moved into the
# container as eth0 with its address; busybox httpd in the container serves a page that
# the host fetches over the pair.
. "$(dirname "$0")/lib.sh"
runc_deviates "runc 1.1 ignores linux.netDevices (runtime-spec 1.3)"
command -v ip > /dev/null || skip "ip (iproute2) is not installed"

new_veth HOST_IF CTR_IF
V6=fd09:$(printf %x $(($$ % 65536)))
ip addr add "$NET.1/24" dev "$HOST_IF" && ip link set "$HOST_IF" up || fail "set up $HOST_IF"
# the end that moves: permanent global IPv4 and IPv6 addresses (kept), a link-scope one and
# one with a lifetime (not permanent: dropped), an MTU and a MAC address (kept)
ip link set "$CTR_IF" mtu 1400 address 02:00:00:09:07:00 &&
	ip addr add "$NET.2/24" dev "$CTR_IF" &&
	ip -6 addr add "$V6::2/64" dev "$CTR_IF" nodad &&
	ip addr add 169.254.9.9/16 scope link dev "$CTR_IF" &&
	ip addr add "$NET.3/24" dev "$CTR_IF" valid_lft 3600 preferred_lft 3600 ||
	fail "configure $CTR_IF"

mkdir -p "$BUNDLE/rootfs/www"
echo "served from the container $ID" > "$BUNDLE/rootfs/www/index.html"
cfg --arg dev "$CTR_IF" '.linux.netDevices = {($dev): {name: "eth0"}} | .root.readonly = false'
sh_args "ip -o link show eth0 > /tmp/link; ip -o addr show dev eth0 > /tmp/addr
exec httpd -f -p $NET.2:8080 -h /www"
create_ctr
start_ctr
# http_get HOST PORT PATH: the body of an HTTP/1.0 GET into $T/page, by bash's /dev/tcp in
# a bounded child (the static busybox's wget crashes in glibc's resolver on the host)
http_get() {
	local reply
	reply=$(timeout 3 bash -c 'exec 3<> "/dev/tcp/$1/$2" && printf "GET %s HTTP/1.0\r\n\r\n" "$3" >&3 &&
		cat <&3' http_get "$@") || return 1
	case $reply in "HTTP/1."?" 200"*) ;; *) return 1 ;; esac
	printf '%s\n' "$reply" | sed '1,/^\r\{0,1\}$/d' > "$T/page"
}
wait_for 10 http_get "$NET.2" 8080 /index.html ||
	fail "no answer from the container's httpd on $NET.2:8080"
assert_eq "served from the container $ID" "$(cat "$T/page")" "the page fetched from the host"
[ -z "$(ip -o link show "$CTR_IF" 2> /dev/null)" ] || fail "$CTR_IF is still on the host"

LINK=$(cat "$BUNDLE/rootfs/tmp/link")
ADDR=$(cat "$BUNDLE/rootfs/tmp/addr")
log "$LINK"
log "$ADDR"
assert_match "$LINK" '^[0-9]+: eth0[@:]' "the device renamed to eth0"
assert_match "$LINK" '<([^>]*,)?UP[,>]' "eth0 is up"
assert_match "$LINK" 'mtu 1400 ' "MTU kept"
assert_contains "$LINK" "02:00:00:09:07:00" "MAC address kept"
assert_contains "$ADDR" "inet $NET.2/24" "permanent global IPv4 address kept"
assert_contains "$ADDR" "inet6 $V6::2/64" "permanent global IPv6 address kept"
assert_not_contains "$ADDR" "169.254.9.9" "a link-scope address is not moved"
assert_not_contains "$ADDR" "$NET.3/" "a non-permanent address is not moved"
exit 0
