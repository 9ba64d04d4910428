#!/bin/bash
# docs/man: a page for hutch and one for each command, so that what `--help` offers is
# documented: every command of `hutch --help` has docs/man/hutch-COMMAND.8.md, named by
# hutch.8.md, whose synopsis is the command's; every option that `hutch COMMAND --help`
# and `hutch --help` list is described on the page. A flag added without its page fails.
. "$(dirname "$0")/lib.sh"
is_runc && skip "hutch's own documentation"
MAN=$E2E_DIR/../../docs/man
[ -d "$MAN" ] || fail "no docs/man directory"

# long_opts HELP-TEXT: the --options of the lines of its "Options:" sections
long_opts() {
	awk 'tolower($0) ~ /options:$/ {on = 1; next} on && /^[^ ]/ {on = 0} on' <<< "$1" |
		grep -oE '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u
}

# documented PAGE OPTION: the page mentions OPTION as a whole word
documented() { grep -qE -- "(^|[^a-z-])$2([^a-z-]|$)" "$1"; }

assert_ok "$RUNTIME" --help
main_help=$OUT
cmds=$(awk 'tolower($0) ~ /^commands:/ {on = 1; next} on && /^$/ {exit}
	on && $1 ~ /^[a-z][a-z-]*$/ {print $1}' <<< "$main_help")
[ "$(wc -l <<< "$cmds")" -ge 15 ] || fail "too few commands in --help: $cmds"
[ -f "$MAN/hutch.8.md" ] || fail "no docs/man/hutch.8.md"
for o in $(long_opts "$main_help"); do
	documented "$MAN/hutch.8.md" "$o" || fail "global option $o is not in hutch.8.md"
done

n=0
missing=
for c in $cmds; do
	page=$MAN/hutch-$c.8.md
	[ -f "$page" ] || fail "no man page for $c (docs/man/hutch-$c.8.md)"
	grep -q "hutch-$c(8)" "$MAN/hutch.8.md" || fail "hutch.8.md does not name hutch-$c(8)"
	grep -qE "^\`?hutch $c( |\`|$)" "$page" || fail "hutch-$c.8.md has no synopsis line \"hutch $c ...\""
	assert_ok "$RUNTIME" "$c" --help
	for o in $(long_opts "$OUT"); do
		documented "$page" "$o" || missing+="$c $o
"
		n=$((n + 1))
	done
done
[ -z "$missing" ] || fail "options missing from their command's man page:
$missing"
log "$(wc -w <<< "$cmds") commands, $n options documented"
exit 0
