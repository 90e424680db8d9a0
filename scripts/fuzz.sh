#!/usr/bin/env bash
# Fuzz the smaps and status parsers with libFuzzer (clang, ASan, UBSan) for
# a bounded time each (FUZZ_SECONDS, default 60). Prints TAP: one result per
# target; a crash or sanitizer report fails it and leaves the input in
# build/fuzz/.
. "$(dirname "$0")/common.sh"
seconds=${FUZZ_SECONDS:-60}
out=$REPO/build/fuzz
CXX=clang++ cmake -S "$REPO/userspace" -B "$out" -DSYSMAP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
rm -f "$out/fuzz_smaps" "$out/fuzz_status"
cmake --build "$out" -j"$JOBS" --target fuzz_smaps fuzz_status >"$out.log" 2>&1 || {
	tail -n 20 "$out.log" >&2
	echo "not ok 1 fuzz_smaps: the fuzz targets did not build"
	echo "not ok 2 fuzz_status: the fuzz targets did not build"
	exit 1
}
# The targets run side by side, one per core; their results print in order.
fuzz() {	# fuzz N TARGET: one TAP line
	local i=$1 target=$2 corpus=$out/corpus-$2 runs
	mkdir -p "$corpus"
	cp "$REPO"/userspace/tests/fixtures/* "$corpus/"
	if (cd "$out" && UBSAN_OPTIONS=halt_on_error=1 "./fuzz_$target" -max_total_time="$seconds" \
		-rss_limit_mb=2048 -max_len=65536 "$corpus" >"$out/fuzz_$target.log" 2>&1); then
		runs=$(grep -oE 'Done [0-9]+ runs' "$out/fuzz_$target.log" | grep -oE '[0-9]+' || true)
		if [ "${runs:-0}" -gt 0 ]; then
			echo "ok $i fuzz_$target: $runs inputs in ${seconds}s, no crash or sanitizer report"
		else
			# A fuzzer that exits 0 without its closing "Done N runs"
			# line did not fuzz anything.
			echo "not ok $i fuzz_$target: ran no inputs (see $out/fuzz_$target.log)"
			return 1
		fi
	else
		echo "not ok $i fuzz_$target: see $out/fuzz_$target.log"
		return 1
	fi
}
status=0
fuzz 1 smaps >"$out/fuzz_smaps.tap" &
p1=$!
fuzz 2 status >"$out/fuzz_status.tap" &
p2=$!
wait "$p1" || status=1
wait "$p2" || status=1
cat "$out/fuzz_smaps.tap" "$out/fuzz_status.tap"
exit $status
