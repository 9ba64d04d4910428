#!/bin/bash
# The parser hardening suite (docs/reliability.md):
#   1. builds the libFuzzer targets (clang-14, meson option fuzzers) in build-fuzz/: the
#      config.json, process.json (exec --process) and resources (update --resources) parsers;
#   2. replays the kept corpus (tests/fuzz/corpus/<target>/) through each target: every
#      input found once must still pass;
#   3. fuzzes each target for FUZZ_SECONDS (default 20: 60 s in all) from that corpus plus
#      the unit tests' configs, with ASan+UBSan and the leak checker: no crash, leak or hang
#      (an input taking more than 5 s counts as a hang);
#   4. runs the parser's unit tests under valgrind (memcheck, leaks included).
# The last line is "N passed, N failed, N skipped".
#
# Environment: FUZZ_SECONDS, FUZZ_DIR (build dir, default REPO/build-fuzz), BUILD_DIR (the
# normal build, for the valgrind run), CC_FUZZ (default clang-14), KEEP_FINDINGS=DIR
# (copy new corpus entries there, to merge them into tests/fuzz/corpus/).
set -u
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$REPO/build}
FUZZ_DIR=${FUZZ_DIR:-$REPO/build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
CC_FUZZ=${CC_FUZZ:-clang-14}
HERE=$REPO/tests/fuzz
TARGETS=(config process resources)
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL  $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/    | /'
	return 0
}
skip() { skipped=$((skipped + 1)); echo "SKIP  $1: $2"; }
finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}

WORK=$(mktemp -d /tmp/hutch-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

build() {
	if ! command -v "$CC_FUZZ" > /dev/null; then
		fail "fuzz build: $CC_FUZZ is missing (apt-get install clang-14 libclang-rt-14-dev)"
		return 1
	fi
	if [ ! -f "$FUZZ_DIR/build.ninja" ] &&
		! CC=$CC_FUZZ meson setup -Dfuzzers=true -Dbuildtype=debugoptimized "$FUZZ_DIR" "$REPO" \
			> "$WORK/setup.log" 2>&1; then
		fail "fuzz build: meson setup" "$WORK/setup.log"
		return 1
	fi
	if ! ninja -C "$FUZZ_DIR" fuzzers > "$WORK/build.log" 2>&1; then
		fail "fuzz build: ninja fuzzers" "$WORK/build.log"
		return 1
	fi
	pass "fuzz build ($FUZZ_DIR)"
}

# The JSON keys and names the parser knows, so that the fuzzer builds real configs.
make_dict() {
	grep -oh '"[A-Za-z][A-Za-z0-9_.]*"' "$REPO"/spec/*.c | sort -u | sed 's/^"\(.*\)"$/"\\"\1\\""/'
	printf '%s\n' '"{"' '"}"' '"["' '"]"' '":"' '","' '"null"' '"true"' '"false"' \
		'"18446744073709551616"' '"-9223372036854775809"' '"\\u0000"' '"1e309"'
}

replay() { # TARGET: each kept input once
	local t=$1 bin=$FUZZ_DIR/tests/fuzz/fuzz-$1 dir=$HERE/corpus/$1
	if [ -z "$(ls -A "$dir" 2> /dev/null)" ]; then
		fail "fuzz-$t: replay: no corpus in $dir"
		return
	fi
	if "$bin" -runs=0 "$dir" > "$WORK/replay-$t.log" 2>&1; then
		pass "fuzz-$t: replay of $(ls "$dir" | wc -l) kept inputs"
	else
		fail "fuzz-$t: replay of tests/fuzz/corpus/$t" "$WORK/replay-$t.log"
	fi
}

fuzz() { # TARGET
	local t=$1 bin=$FUZZ_DIR/tests/fuzz/fuzz-$1 new=$WORK/new-$1 seeds=$WORK/seeds-$1
	mkdir -p "$new" "$seeds" "$WORK/artifacts-$t"
	cp "$HERE/corpus/$t"/* "$seeds"/ 2> /dev/null
	case $t in
	config) cp "$REPO"/tests/unit/data/*config.json "$seeds"/ ;;
	process) cp "$REPO"/tests/unit/data/*process.json "$seeds"/ ;;
	resources)
		for f in "$REPO"/tests/unit/data/*config.json; do
			jq -c '.linux.resources // empty' "$f" > "$seeds/${f##*/}" 2> /dev/null
		done
		;;
	esac
	# -timeout: one input over 5 s is a hang; -rss_limit_mb: a runaway allocation is a bug
	if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
		"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
		-dict="$WORK/dict" -artifact_prefix="$WORK/artifacts-$t/" -print_final_stats=1 \
		"$new" "$seeds" > "$WORK/fuzz-$t.log" 2>&1; then
		local execs
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/fuzz-$t.log")
		pass "fuzz-$t: ${FUZZ_SECONDS}s, ${execs:-?} inputs, no crash, leak or hang"
	else
		fail "fuzz-$t: crash, leak or hang (artifacts: $(ls "$WORK/artifacts-$t" | tr '\n' ' '))" \
			"$WORK/fuzz-$t.log"
		mkdir -p "$BUILD_DIR/fuzz-artifacts"
		cp "$WORK/artifacts-$t"/* "$BUILD_DIR/fuzz-artifacts/" 2> /dev/null
	fi
	if [ -n "${KEEP_FINDINGS:-}" ]; then
		mkdir -p "$KEEP_FINDINGS/$t"
		cp "$new"/* "$KEEP_FINDINGS/$t"/ 2> /dev/null
	fi
}

valgrind_unit() {
	local bin=$BUILD_DIR/tests/unit/test-spec
	if ! command -v valgrind > /dev/null; then
		fail "valgrind: missing (apt-get install valgrind)"
		return
	fi
	if [ ! -x "$bin" ]; then
		fail "valgrind: $bin is missing (build first)"
		return
	fi
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
		--show-leak-kinds=all "$bin" "$REPO/tests/unit/data" > "$WORK/valgrind.log" 2>&1; then
		pass "valgrind: parser unit tests (tests/unit/test-spec): no error, no leak"
	else
		fail "valgrind: parser unit tests" "$WORK/valgrind.log"
	fi
}

make_dict > "$WORK/dict"
if build; then
	for t in "${TARGETS[@]}"; do
		replay "$t"
		fuzz "$t"
	done
fi
valgrind_unit
finish
