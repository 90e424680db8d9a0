#!/usr/bin/env bash
# "make bench": boot the sealing kernel once and measure, side by side,
# the cost of sealing at execve() (sealed vs opted-out images). Results are
# ratios, printed and kept in build/results/bench/; nothing here is a test.
. "$(dirname "$0")/common.sh"
"$REPO/scripts/deps.sh"
"$REPO/scripts/build-userspace.sh" >/dev/null
kernel=$("$REPO/scripts/build-kernel.sh" x86_64-bench)
"$REPO/scripts/vm-run.sh" --name bench --timeout 1800 "$kernel" -- \
	build/userspace/bench_exec "${BENCH_ROUNDS:-7}" "${BENCH_SPAWNS:-200}"
cat "$RESULTS/bench/output.log"
