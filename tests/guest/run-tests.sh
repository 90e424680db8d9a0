#!/usr/bin/env bash
# Run test programs and print one TAP stream (inside the guest, or anywhere).
#
#   run-tests.sh [--unsealed] PROGRAM...
#
# kselftest programs print TAP of their own; it is passed through. A program
# whose output has no result line is reported as one result from its exit
# status (4 is the kselftest "skip"). A program that exits non-zero without
# reporting a failure gets one more "not ok" line, so a crash is never lost,
# and so does one that reports fewer results than its plan (1..N).
# --unsealed runs every program through "sysmapctl exec --unseal".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=()
if [ "${1:-}" = --unsealed ]; then
	prefix=("${SYSMAPCTL:-$here/../../build/userspace/sysmapctl}" exec --unseal --)
	shift
fi

status=0
for prog in "$@"; do
	name=${prog#"${SYSMAP_SELFTESTS:-}"/}
	echo "# running $name${prefix:+ (unsealed)}"
	out=$(timeout 300 "${prefix[@]}" "$prog" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -e '/^TAP version/d' -e '/^1\.\./d'
	results=$(printf '%s\n' "$out" | grep -cE '^(not )?ok([ \t]|$)')
	failures=$(printf '%s\n' "$out" | grep -cE '^not ok([ \t]|$)')
	plan=$(printf '%s\n' "$out" | sed -nE 's/^1\.\.([0-9]+).*/\1/p' | head -n 1)
	if [ -n "$plan" ] && [ "$results" -lt "$plan" ]; then
		echo "not ok $name reported $results of its $plan planned results"
		status=1
	fi
	[ "$failures" -eq 0 ] || status=1
	if [ "$results" -eq 0 ]; then
		case $rc in
		0) echo "ok $name" ;;
		4) echo "ok $name # SKIP (program skipped)" ;;
		*) echo "not ok $name (exit status $rc)"; status=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$failures" -eq 0 ]; then
		echo "not ok $name exited with status $rc without reporting a failure"
		status=1
	fi
done
exit $status
