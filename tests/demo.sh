#!/bin/bash
# README command 1: install the dependencies, build hutch, and run one busybox container
# that shows its hostname, its pid 1 and its mounts. Run as root on Debian 12:
#   sudo tests/demo.sh
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
DEPS=(meson ninja-build pkg-config gcc libjson-c-dev libseccomp-dev libcap-dev libmnl-dev
	busybox-static jq)

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: containers need root: run it as: sudo $0" >&2
	exit 2
fi

missing=()
for p in "${DEPS[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2> /dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# HUTCH=/path/to/runtime skips the build and demos that runtime instead
if [ -z "${HUTCH:-}" ]; then
	echo "== building hutch in $BUILD_DIR"
	[ -f "$BUILD_DIR/build.ninja" ] || meson setup "$BUILD_DIR" "$REPO"
	ninja -C "$BUILD_DIR"
	HUTCH=$BUILD_DIR/hutch
fi

. "$REPO/tests/lib/bundle.sh"
DEMO=$(mktemp -d /tmp/hutch-demo.XXXXXX)
chmod 755 "$DEMO"
ID=hutch-demo-$$
cleanup() {
	"$HUTCH" --root "$DEMO/state" delete --force "$ID" > /dev/null 2>&1 || true
	if grep -q " $DEMO/" /proc/self/mountinfo; then
		echo "demo.sh: $DEMO still has mounts, not removing it" >&2
	else
		rm -rf --one-file-system "$DEMO"
	fi
}
trap cleanup EXIT

make_bundle "$DEMO/bundle" sh /demo.sh
cat > "$DEMO/bundle/rootfs/demo.sh" <<'SCRIPT'
echo "hostname: $(hostname)"
echo "I am pid $$; pid 1 runs: $(tr '\0' ' ' < /proc/1/cmdline)"
echo "user: $(id)"
echo "processes:"
ps
echo "mounts:"
cat /proc/self/mounts
SCRIPT
jq '.hostname = "hutch-demo"' "$DEMO/bundle/config.json" > "$DEMO/config.json"
mv "$DEMO/config.json" "$DEMO/bundle/config.json"

echo "== $HUTCH run --bundle $DEMO/bundle $ID"
rc=0
"$HUTCH" --root "$DEMO/state" run --bundle "$DEMO/bundle" "$ID" < /dev/null || rc=$?
echo "== the container exited with status $rc"
exit $rc
