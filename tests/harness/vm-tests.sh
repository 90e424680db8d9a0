#!/usr/bin/env bash
# The VM runner's own tests (host side): boot KERNEL four times and check
# that a clean suite passes, and that a failing suite, a hanging guest and
# a kernel warning each fail the run with a message saying which. TAP out.
. "$(dirname "$0")/../../scripts/common.sh"
kernel=${1:?usage: vm-tests.sh KERNEL}
n=0 failed=0

expect() {
	local name=$1 want_rc=$2 want_msg=$3 timeout=$4 script=$5 rc
	n=$((n + 1))
	set +e
	"$REPO/scripts/vm-run.sh" --name "harness-$name" --timeout "$timeout" \
		"$kernel" -- "tests/harness/$script" 2>"$RESULTS/harness-$name.stderr"
	rc=$?
	set -e
	if [ "$rc" -eq "$want_rc" ] && { [ -z "$want_msg" ] || grep -q "$want_msg" "$RESULTS/harness-$name.stderr"; }; then
		echo "ok $n vm-run: $name -> status $rc, says '$want_msg'"
	else
		echo "not ok $n vm-run: $name -> status $rc (want $want_rc and '$want_msg')"
		sed 's/^/# /' "$RESULTS/harness-$name.stderr"
		failed=1
	fi
}

expect clean 0 "" 300 guest-pass.sh
expect exit1 1 "suite exited with status 1" 300 guest-exit1.sh
expect hang 124 "timed out after 45 s" 45 guest-hang.sh
expect warning 125 "kernel splat in the console" 300 guest-warn.sh
exit $failed
