#!/bin/bash
# runc CLI --log FILE --log-format json: errors go to FILE as JSON lines
#   {"level":"error","msg":"...","time":"RFC 3339"} (what conmon and the containerd shim read
#   back), besides stderr; --log-format text (the default) writes logrus's text lines. The
#   message of a program that cannot be run carries the kernel's words, "no such file or
#   directory" or "permission denied": Podman maps them to exit codes 127 and 126.
. "$(dirname "$0")/lib.sh"

# json_errors FILE: the msg of its error lines; every line must be a JSON object with
# exactly level, msg and time, time in RFC 3339
json_errors() {
	local line
	[ -s "$1" ] || fail "$1 is empty"
	while IFS= read -r line; do
		jq -e 'type == "object" and (keys == ["level", "msg", "time"])' <<< "$line" > /dev/null ||
			fail "log line is not {level, msg, time}: $line"
		date -d "$(jq -r .time <<< "$line")" > /dev/null 2>&1 || fail "log time is not a date: $line"
		assert_match "$(jq -r .time <<< "$line")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$' "RFC 3339 time"
	done < "$1"
	jq -r 'select(.level == "error") | .msg' "$1"
}

LOG=$T/log.json
set_args /no/such/program
assert_fails rt --log "$LOG" --log-format json create --bundle "$BUNDLE" "$ID"
assert_contains "$ERR" "no such file or directory" "stderr of create with a missing program"
assert_contains "$(json_errors "$LOG")" "no such file or directory" "the JSON log's error (a missing program)"

rm -f "$LOG"
set_args /etc/passwd
assert_fails rt --log "$LOG" --log-format=json run --bundle "$BUNDLE" "$ID"
assert_contains "$(json_errors "$LOG")" "permission denied" "the JSON log's error (a program that is not executable)"

# exec, as conmon and the shim call it (the log option first)
set_args sleep 600
create_ctr
start_ctr
rm -f "$LOG"
assert_exec_fails rt --log "$LOG" --log-format json exec "$ID" /no/such/program
assert_contains "$(json_errors "$LOG")" "no such file or directory" "the JSON log's error of exec"
echo '{"args": ["/etc/passwd"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' > "$T/p.json"
rm -f "$LOG"
assert_exec_fails rt --log "$LOG" --log-format json exec --process "$T/p.json" --detach "$ID"
assert_contains "$(json_errors "$LOG")" "permission denied" "the JSON log's error of exec --process --detach"

# success writes no error line
rm -f "$LOG"
assert_ok rt --log "$LOG" --log-format json exec "$ID" true
[ -s "$LOG" ] && [ -n "$(jq -r 'select(.level == "error")' "$LOG")" ] && fail "an error logged by a working exec: $(cat "$LOG")"

# text format: logrus's key=value line
TXT=$T/log.txt
assert_exec_fails rt --log "$TXT" exec "$ID" /no/such/program
assert_match "$(tail -n1 "$TXT")" '^time="[^"]+" level=error msg=".*no such file or directory' "the text log line"
assert_fails rt --log-format yaml list
exit 0
