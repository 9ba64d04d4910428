# The assertions (and wait_for) shared by the e2e tests, the client and reliability suites. Each one calls `fail`, which
# the sourcing file defines (an e2e test and a client scenario report a failure their own way).
# Comparisons use here-strings, not pipes: with pipefail, a `grep -q` that quits early fails
# the writer with SIGPIPE.

log() { echo "# $*"; }

assert_eq() { # EXPECTED GOT [WHAT]
	if [ "$1" != "$2" ]; then
		fail "${3:-value}: expected [$1], got [$2]"
	fi
}

assert_ne() { # UNEXPECTED GOT [WHAT]
	if [ "$1" = "$2" ]; then
		fail "${3:-value}: expected anything but [$1]"
	fi
}

assert_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in
	*"$2"*) ;;
	*) fail "${3:-output}: expected to contain [$2], got:
$1" ;;
	esac
}

assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in
	*"$2"*) fail "${3:-output}: expected NOT to contain [$2], got:
$1" ;;
	esac
}

assert_match() { # STRING ERE [WHAT]
	if ! grep -Eq -- "$2" <<< "$1"; then
		fail "${3:-value}: expected to match /$2/, got [$1]"
	fi
}

# wait_for SECONDS CMD...: poll CMD until it succeeds
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
}
