# Sourced first (before lib.sh) by the scripts that run below hutch-reaper: the script execs
# itself under the reaper, a child subreaper, so that whatever outlives hutch or a container
# is reparented there, where orphans() finds it.
if [ -z "${HUTCH_UNDER_REAPER:-}" ]; then
	_repo=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
	_reaper=${BUILD_DIR:-$_repo/build}/tests/reliability/hutch-reaper
	if [ -x "$_reaper" ]; then
		HUTCH_UNDER_REAPER=1 exec "$_reaper" -g 3000 -- bash "$0" "$@"
	fi
fi
REAPER_PID=$PPID

# orphans: "PID STATE" of the live processes reparented to the reaper
orphans() {
	awk -v pp="$REAPER_PID" -v self="$$" '
		FNR == 1 { l = $0; sub(/^.*\) /, "", l); split(l, f, " ")
			p = FILENAME; sub("/proc/", "", p); sub("/stat", "", p)
			if (f[2] == pp && p != self && f[1] != "Z") print p " " f[1] }' \
		/proc/[0-9]*/stat 2> /dev/null
}

# settle_or_kill SECONDS: wait until no orphan is left; name and kill those that stay
settle_or_kill() {
	local i p
	for ((i = 0; i < $1 * 20; i++)); do
		[ -z "$(orphans)" ] && return 0
		sleep 0.05
	done
	for p in $(orphans | cut -d' ' -f1); do
		echo "process left behind: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)"
		kill -KILL "$p" 2> /dev/null
	done
}
