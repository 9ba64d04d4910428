#!/bin/bash
# The reliability suite (docs/reliability.md): hostile input, faults, concurrency and
# load, each a script of this directory. run-tests.sh runs it as an extra suite; the last
# line is "N passed, N failed, N skipped" over all parts.
#
# Environment:
#   PARTS=ERE          run only the parts whose name matches (bad-inputs, faults, ...)
#   RELIABILITY_LONG=1 the long runs: 1,000 create/start/delete cycles (default 100) and
#                      50 rounds per concurrent pair (default 10); 100 containers run in
#                      parallel either way
#   VERBOSE=1          print every passing check too
#   RUNTIME, BUILD_DIR, REPO: as run-tests.sh sets them
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
PARTS=${PARTS:-}
passed=0
failed=0
skipped=0
for part in bad-inputs faults concurrency load; do
	script=$DIR/$part.sh
	[ -f "$script" ] || continue
	if [ -n "$PARTS" ] && ! grep -Eq -- "$PARTS" <<< "$part"; then
		continue
	fi
	echo "== reliability: $part"
	start=$(date +%s)
	log=$(mktemp)
	bash "$script" < /dev/null 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	rm -f "$log"
	echo "== reliability: $part took $(($(date +%s) - start))s"
	if [ -z "$line" ]; then
		echo "FAIL  $part: no summary line"
		failed=$((failed + 1))
		continue
	fi
	read -r p _ f _ s _ <<< "${line//,/}"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
