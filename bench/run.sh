#!/bin/bash
# One command: build hutch (release, own build dir), make a busybox-static bundle, and
# measure hutch, crun and runc side by side, interleaved (see bench/README.md).
#
# Knobs (environment):
#   HUTCH_BENCH_ITERATIONS  latency iterations per runtime (default 100; e.g. 500 for a long run)
#   HUTCH_BENCH_WARMUP      discarded first iterations (default 3)
#   HUTCH_BENCH_PARALLEL    containers per throughput round (default 16)
#   HUTCH_BENCH_ROUNDS      throughput rounds (default 3)
#   HUTCH_BENCH_BUILD       build directory to (re)use (default: a temp dir, removed)
#   HUTCH_BENCH_OUT         results directory (default bench/results)
#   HUTCH_BENCH_KEEP=1      keep the temp dir (bundle, stderr log, strace output)
#   HUTCH_BENCH_ROOTS_ON_DISK=1  keep the three --root dirs on the temp dir's filesystem
#                           instead of a private tmpfs (the usual /run is a tmpfs; on this
#                           project's VMs /run is ext4, where fsync costs show up)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
out=${HUTCH_BENCH_OUT:-$here/results}

[ "$(id -u)" = 0 ] || { echo "bench: must run as root (containers)" >&2; exit 1; }

need_pkgs=()
for t in meson:meson ninja:ninja-build strace:strace unshare:util-linux python3:python3 \
         runc:runc crun:crun strip:binutils cc:gcc; do
	command -v "${t%%:*}" >/dev/null || need_pkgs+=("${t#*:}")
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need_pkgs+=(busybox-static)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	echo "bench: installing ${need_pkgs[*]}" >&2
	apt-get install -y "${need_pkgs[@]}" >&2
fi

work=$(mktemp -d /tmp/hutch-bench.XXXXXX)
cleanup() {
	if [ "${HUTCH_BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

build=${HUTCH_BENCH_BUILD:-$work/build}
echo "bench: building hutch (release) in $build" >&2
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release -Db_ndebug=if-release >/dev/null
else
	meson setup --buildtype=release "$build" "$src" >/dev/null
fi
ninja -C "$build" hutch >/dev/null

# The timing/rusage helper, static so that its own footprint stays out of ru_maxrss.
cc -O2 -static -o "$work/rusage" "$here/rusage.c" 2>/dev/null ||
	cc -O2 -o "$work/rusage" "$here/rusage.c"

# The bundle: busybox-static, a runc-spec-like config (terminal false, /bin/true).
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for a in sh true echo sleep cat; do ln -s busybox "$rootfs/bin/$a"; done
(cd "$work" && runc spec && mv config.json config.template.json)

# crun 1.8 refuses a hybrid host ("drop all controllers from cgroupv2"): in a private
# mount namespace, bind an empty file over the unified cgroup.controllers so that all
# three runtimes use cgroup v1 here. The host's mounts are untouched.
: >"$work/empty"
mkdir -p "$out"
ctl=/sys/fs/cgroup/unified/cgroup.controllers
roots_fs=tmpfs
[ "${HUTCH_BENCH_ROOTS_ON_DISK:-0}" = 1 ] && roots_fs=disk
mkdir -p "$work/roots"
commit=${HUTCH_BENCH_COMMIT:-$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ -z "${HUTCH_BENCH_COMMIT:-}" ] && ! git -C "$src" diff --quiet HEAD -- 2>/dev/null; then
	commit="$commit+dirty"
fi
HUTCH_BENCH_COMMIT=$commit unshare -m --propagation private -- /bin/sh -c '
	set -e
	if [ -f "$1" ]; then mount --bind "$2" "$1"; fi
	if [ "$3" = tmpfs ]; then mount -t tmpfs -o mode=0700 hutch-bench "$4"; fi
	shift 4
	exec python3 "$@"' sh "$ctl" "$work/empty" "$roots_fs" "$work/roots" \
	"$here/bench.py" --hutch "$build/hutch" --work "$work" --rootfs "$rootfs" \
	--config "$work/config.template.json" --out "$out/latest.json" --rusage "$work/rusage" \
	--roots "$work/roots" --roots-fs "$roots_fs" \
	--iterations "${HUTCH_BENCH_ITERATIONS:-100}" --warmup "${HUTCH_BENCH_WARMUP:-3}" \
	--parallel "${HUTCH_BENCH_PARALLEL:-16}" --throughput-rounds "${HUTCH_BENCH_ROUNDS:-3}"

python3 "$here/chart.py" "$out/latest.json" "$out/latest.svg"
echo "bench: wrote $out/latest.json and $out/latest.svg" >&2

# Nothing of ours may be left: cgroups named after our ids (bench.py checked and removed
# them; check again from the host's view).
left=$(find /sys/fs/cgroup -maxdepth 4 -name 'hb[0-9]*-*' 2>/dev/null || true)
if [ -n "$left" ]; then
	echo "bench: leftover cgroups:" >&2
	echo "$left" >&2
	exit 1
fi
