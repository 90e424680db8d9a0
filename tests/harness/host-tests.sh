#!/usr/bin/env bash
# Host-side tests of the harness: TAP counting and the test-program wrapper.
# Prints TAP; exits non-zero if any check failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
count=$top/scripts/tap-count.sh
wrap=$top/tests/guest/run-tests.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

check() {	# check NAME EXPECTED ACTUAL
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1: expected '$2', got '$3'"
		failed=1
	fi
}

# tap-count.sh
printf 'TAP version 13\n1..3\nok 1 a\nnot ok 2 b\nok 3 c # SKIP no pkeys\n' >"$tmp/basic.tap"
check "counts pass, fail and skip" "1 1 1" "$("$count" "$tmp/basic.tap")"
printf '# ok 1 nested\n  ok 2 indented\n#  RUN x\nok\n' >"$tmp/nested.tap"
check "ignores nested and indented results" "1 0 0" "$("$count" "$tmp/nested.tap")"
printf 'ok 1 x # skip lower case\nnot ok 2 y # SKIP\nok 3 z # skipped on purpose\n' >"$tmp/skips.tap"
check "a skip is never a pass" "0 0 3" "$("$count" "$tmp/skips.tap")"
printf 'okay this is prose\nnot okay either\n' >"$tmp/prose.tap"
check "prose is not a result" "0 0 0" "$("$count" "$tmp/prose.tap")"
check "sums several files" "2 1 1" "$("$count" "$tmp/basic.tap" "$tmp/nested.tap")"

# run-tests.sh
mk() { printf '#!/bin/sh\n%s\n' "$2" >"$tmp/$1"; chmod +x "$tmp/$1"; }
mk pass 'exit 0'
mk fail 'exit 1'
mk skip 'exit 4'
mk tap_ok 'echo "ok 1 one"; echo "ok 2 two"; exit 0'
mk tap_fail 'echo "ok 1 one"; echo "not ok 2 two"; exit 1'
mk crash 'echo "ok 1 one"; kill -SEGV $$'
check "program without TAP, exit 0" "1 0 0" "$("$wrap" "$tmp/pass" | "$count")"
check "program without TAP, exit 1" "0 1 0" "$("$wrap" "$tmp/fail" | "$count")"
check "program without TAP, exit 4 is a skip" "0 0 1" "$("$wrap" "$tmp/skip" | "$count")"
check "TAP passes through" "2 0 0" "$("$wrap" "$tmp/tap_ok" | "$count")"
check "reported failure counted once" "1 1 0" "$("$wrap" "$tmp/tap_fail" | "$count")"
check "crash after passes is a failure" "1 1 0" "$("$wrap" "$tmp/crash" | "$count")"

# vm-run.sh refuses a missing kernel with a clear message.
msg=$("$top/scripts/vm-run.sh" "$tmp/no-such-kernel" -- true 2>&1)
rc=$?
check "vm-run: missing kernel is an error" "1" "$rc"
check "vm-run: missing kernel message" "1" "$(grep -c "no kernel image" <<<"$msg")"
exit $failed
