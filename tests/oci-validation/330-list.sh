#!/bin/bash
# runc CLI `list` [-f table|json] [-q]: every container under --root, sorted by id, with its
#   live status: a table (ID PID STATUS BUNDLE CREATED OWNER, padded columns), a JSON array
#   of runc's state objects (owner: the user owning the state directory; null when there is
#   no container), or the ids alone.
. "$(dirname "$0")/lib.sh"

mkdir "$STATE_ROOT"
assert_ok rt list
assert_eq "ID PID STATUS BUNDLE CREATED OWNER" "$(xargs <<< "$OUT")" "list without containers"
assert_ok rt list -f json
assert_eq null "$OUT" "list -f json without containers"
assert_ok rt list -q
assert_eq "" "$OUT" "list -q without containers"

# three containers: created, running, stopped (ids in reverse order of creation)
new_id C3 c
new_id C2 b
new_id C1 a
set_args sleep 600
create_ctr "$C3"
create_ctr "$C2"
start_ctr "$C2"
set_args true
create_ctr "$C1"
start_ctr "$C1"
wait_status "$C1" stopped
wait_status "$C2" running

assert_ok rt list -q
assert_eq "$(printf '%s\n' "$C1" "$C2" "$C3")" "$OUT" "list -q (sorted ids)"

assert_ok rt list --format json
json=$OUT
assert_eq "$C1 $C2 $C3" "$(jq -r '[.[].id] | join(" ")' <<< "$json")" "ids of list -f json"
for id in "$C1" "$C2" "$C3"; do
	want=$(state_json "$id" | jq -S 'del(.owner)')
	got=$(jq -S --arg id "$id" '.[] | select(.id == $id) | del(.owner)' <<< "$json")
	assert_eq "$want" "$got" "list -f json entry of $id (the same as state)"
	assert_eq "$(stat -c %U "$STATE_ROOT/$id")" "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .owner' <<< "$json")" \
		"owner of $id (the state directory's user)"
done
assert_eq 0 "$(jq --arg id "$C1" '.[] | select(.id == $id) | .pid' <<< "$json")" "pid of the stopped container"

assert_ok rt list
table=$OUT
log "$table"
header=$(head -n1 <<< "$table")
assert_eq "ID PID STATUS BUNDLE CREATED OWNER" "$(xargs <<< "$header")" "table header"
for id in "$C1" "$C2" "$C3"; do
	row=$(grep "^$id " <<< "$table") || fail "no row for $id"
	read -r rid rpid rstatus rbundle rcreated rowner <<< "$row"
	assert_eq "$id $(state_of "$id" status) $BUNDLE $(state_of "$id" created) root" \
		"$rid $rstatus $rbundle $rcreated $rowner" "table row of $id"
	[ "$(state_of "$id" status)" = stopped ] && want_pid=0 || want_pid=$(state_of "$id" pid)
	assert_eq "$want_pid" "$rpid" "PID column of $id"
	# the columns line up with the header's
	for col in STATUS BUNDLE; do
		h=${header%%"$col"*}
		value=$(state_of "$id" "$(tr A-Z a-z <<< "$col")")
		r=${row%%"$value"*}
		assert_eq "${#h}" "${#r}" "column $col of $id starts under its header"
	done
done

assert_fails rt list -f yaml
assert_fails rt list extra-argument
exit 0
