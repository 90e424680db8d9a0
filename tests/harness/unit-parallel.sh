#!/usr/bin/env bash
# The unit tests as a shared machine runs them: four copies side by side,
# each three times in a random order, then ctest running the tests in
# parallel until one fails, three rounds. No test may share a file with
# another copy, throw from a destructor, or wait without a deadline; a
# copy still running after 10 minutes is killed and fails.
#
#   unit-parallel.sh BUILD_DIR    (build/userspace) prints TAP
set -uo pipefail
build=${1:?usage: unit-parallel.sh BUILD_DIR}
bin=$build/sysmap_unit_tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pids=()
for i in 1 2 3 4; do
	timeout -k 10 600 "$bin" --gtest_shuffle --gtest_repeat=3 --gtest_brief=1 \
		>"$tmp/copy$i.log" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok - unit tests, copy $i of 4 side by side: 3 shuffled rounds passed"
	else
		echo "not ok - unit tests, copy $i of 4 side by side: exit $rc ($( [ $rc -eq 124 ] && echo 'killed after 600 s' || grep -m3 -E 'FAILED|terminate|Abort' "$tmp/copy$i.log" | tr '\n' ' '))"
		sed "s/^/# copy$i: /" "$tmp/copy$i.log" | tail -n 40 >&2
	fi
done

if timeout -k 10 600 ctest --test-dir "$build" -j 4 --schedule-random --repeat until-fail:3 \
	--timeout 300 >"$tmp/ctest.log" 2>&1; then
	echo "ok - ctest -j 4 --schedule-random --repeat until-fail:3: $(grep -m1 'tests passed' "$tmp/ctest.log")"
else
	echo "not ok - ctest -j 4 --schedule-random --repeat until-fail:3: $(grep -m1 'tests passed\|tests failed' "$tmp/ctest.log")"
	tail -n 40 "$tmp/ctest.log" >&2
fi
