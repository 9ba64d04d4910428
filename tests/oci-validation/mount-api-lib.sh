# Sourced by 731 and 732 after lib.sh: other e2e tests run again on the mount(2) fallback.

# rerun_on_old_mount_api MIN TEST...: each TEST with HUTCH_TEST_OLD_MOUNT_API=1 (passed or
# skipped); fails unless at least MIN of them ran, so that a renamed test cannot go unseen.
rerun_on_old_mount_api() {
	local min=$1 t name rc n=0
	shift
	grep -q '^hutch' <<< "$("$RUNTIME" --version)" || skip "HUTCH_TEST_OLD_MOUNT_API is a switch of hutch"
	for t in "$@"; do
		name=$(basename "$t" .sh)
		HUTCH_TEST_OLD_MOUNT_API=1 timeout -k 5 50 bash "$t" < /dev/null > "$T/$name.log" 2>&1
		rc=$?
		case $rc in
		0 | 77) n=$((n + 1)) ;;
		*) fail "$name fails with HUTCH_TEST_OLD_MOUNT_API=1 (exit $rc):
$(tail -n 20 "$T/$name.log")" ;;
		esac
	done
	[ $n -ge "$min" ] || fail "only $n mount tests found to run on the fallback"
	log "$n mount tests passed with HUTCH_TEST_OLD_MOUNT_API=1"
}
