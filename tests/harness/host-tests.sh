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

# tap-failures.sh
failures=$top/scripts/tap-failures.sh
printf 'ok 1 a\n# b1\n# b2\n# b3\n# b4\nnot ok 2 x\n# a1\n# a2\n# a3\n# a4\nok 3 c\n# lone\nnot ok 4 y # SKIP z\n' >"$tmp/fail.tap"
check "a failure, the 3 comment lines before it and the 3 after it; a failure with a SKIP directive is no failure" \
	"fail not ok 2 x|    # b2|    # b3|    # b4|    # a1|    # a2|    # a3" \
	"$("$failures" "$tmp/fail.tap" | paste -sd'|')"
printf 'ok 1 a\n# seen\nok 2 b\nnot ok 3 c\nok 4 d\n' >"$tmp/gap.tap"
check "only comment lines next to it belong to a failure; none after a passing result" \
	"gap not ok 3 c" "$("$failures" "$tmp/gap.tap" | paste -sd'|')"
printf '# not ok 1 nested\n  not ok 2 indented\nok 3\n' >"$tmp/nested-fail.tap"
check "nested and indented failures are no results of their own" "" "$("$failures" "$tmp/nested-fail.tap")"

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

# console-splats.sh: every kind of report the kernel can print fails a run.
splats=$top/scripts/console-splats.sh
while IFS='|' read -r kind line; do
	printf '[    1.000000] booting\n[   12.345678] %s\n' "$line" >"$tmp/console.log"
	"$splats" "$tmp/console.log" >/dev/null
	check "console: $kind is a splat" 0 "$?"
done <<'LINES'
WARNING|WARNING: CPU: 1 PID: 72 at mm/mseal_sysmap.c:40 mseal_sysmap_exec+0x1/0x2
BUG|BUG: kernel NULL pointer dereference, address: 0000000000000008
Oops|Oops: 0000 [#1] PREEMPT SMP KASAN
lockdep circular|WARNING: possible circular locking dependency detected
lockdep recursive|WARNING: possible recursive locking detected
lockdep inconsistent|WARNING: inconsistent lock state
RCU|WARNING: suspicious RCU usage
KASAN|BUG: KASAN: slab-use-after-free in mseal_sysmap_prctl_set+0x10/0x20
KASAN report|KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]
UBSAN|UBSAN: shift-out-of-bounds in mm/mseal_sysmap.c:12:3
KFENCE|BUG: KFENCE: out-of-bounds read in test+0x1/0x2
atomic sleep|BUG: sleeping function called from invalid context at mm/mmap.c:100
hung task|INFO: task criu:123 blocked for more than 120 seconds.
panic|Kernel panic - not syncing: Attempted to kill init!
LINES
printf '[    1.000000] Run /init as init process\nWARNING: not from the kernel\n[    2.0] x\n' >"$tmp/console.log"
"$splats" "$tmp/console.log" >/dev/null
check "console: untimestamped words and a clean boot are not splats" 1 "$?"

# gtest-tap.sh: a crashed or short GoogleTest run is a failure.
gtap=$top/scripts/gtest-tap.sh
printf '[==========] Running 2 tests from 1 test suite.\n[       OK ] A.b (0 ms)\n[       OK ] A.c (1 ms)\n[==========] 2 tests from 1 test suite ran. (1 ms total)\n' >"$tmp/g.log"
check "gtest: a complete run" "2 0 0" "$("$gtap" <"$tmp/g.log" | "$count")"
printf '[==========] Running 3 tests from 1 test suite.\n[       OK ] A.b (0 ms)\n[ RUN      ] A.c\n' >"$tmp/g.log"
check "gtest: a crash mid-run is a failure" "1 1 0" "$("$gtap" <"$tmp/g.log" | "$count")"
printf 'Segmentation fault\n' >"$tmp/g.log"
check "gtest: a binary that never started is a failure" "0 1 0" "$("$gtap" <"$tmp/g.log" | "$count")"

# tap-verify.sh: counts and skip budgets.
verify=$top/scripts/tap-verify.sh
printf 's results 3\ns skip no pkeys -- the CPU has no protection keys\n' >"$tmp/exp"
printf 'ok 1 a\nok 2 b # SKIP no pkeys here\nok 3 c\n' >"$tmp/s.tap"
check "verify: declared count and skip" "1 0 0" "$("$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"
printf 'ok 1 a\nok 2 b # SKIP no uprobes\nok 3 c\n' >"$tmp/s.tap"
check "verify: an undeclared skip fails" "1 1 0" "$("$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"
printf 'ok 1 a\nok 3 c\n' >"$tmp/s.tap"
check "verify: a missing result fails" "0 1 0" "$("$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"
check "verify: an undeclared suite fails" "0 1 0" "$("$verify" other "$tmp/s.tap" "$tmp/exp" | "$count")"
printf 'ok 1 a\nok 2 b\nok 3 c\n' >"$tmp/s.tap"
"$verify" s "$tmp/s.tap" "$tmp/exp" >/dev/null
check "verify: exit status 0 for a stream without skips" 0 "$?"
printf 's results 3\ns results-host 1\n' >"$tmp/exp"
check "verify: host-only runs use their own count" "0 1 0" \
	"$(SYSMAP_EXPECT_MODE=host "$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"

printf 's results 2\ns optional\n' >"$tmp/exp"
printf 'ok 1 a\nok 2 b\n' >"$tmp/s.tap"
check "verify: an optional suite is held to its count when it runs" "1 0 0" \
	"$("$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"

# An aggregate stream (builds, vm-runs) is held to its count in full runs,
# not in a SUITES run, where its count follows the selection.
printf 's results 7\ns aggregate\n' >"$tmp/exp"
printf 'ok 1 a\nok 2 b\n' >"$tmp/s.tap"
check "verify: an aggregate stream is held to its count in a full run" "0 1 0" \
	"$(SYSMAP_EXPECT_MODE=full "$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"
check "verify: ... but not in a SUITES run" "0 0 0" \
	"$(SYSMAP_EXPECT_MODE=subset "$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"
printf 's results 7\n' >"$tmp/exp"
check "verify: a suite's own stream is held to its count in a SUITES run" "0 1 0" \
	"$(SYSMAP_EXPECT_MODE=subset "$verify" s "$tmp/s.tap" "$tmp/exp" | "$count")"

# run-tests.sh: fewer results than the plan is a failure.
mk short 'echo "1..3"; echo "ok 1 one"; exit 0'
check "program reporting fewer results than planned" "1 1 0" "$("$wrap" "$tmp/short" | "$count")"

# compat-table.sh: an "unsealed:" line never fills a sealed cell.
mkdir -p "$tmp/results"
printf 'not ok 1 rr pattern sealed: exit 0 (want 1)\nok 2 rr pattern unsealed: fine\n' >"$tmp/results/seal-rr-pattern.tap"
row=$(SYSMAP_RESULTS=$tmp/results "$top/scripts/compat-table.sh" | grep "rr pattern")
check "compat table: sealed and opted-out cells kept apart" "| rr pattern (tracer unmaps vvar, moves vdso) | FAIL | pass (1 tests) | not run | not run | not run | not run |" "$row"
# ... nor does an "unsealed:" line of compat.sh, whose names differ only so.
printf 'not ok 2 sealed: strace -f: x\nok 18 unsealed: strace -f: x\n' >"$tmp/results/seal-compat.tap"
printf 'ok 2 baseline: strace -f: x\n' >"$tmp/results/base-compat.tap"
row=$(SYSMAP_RESULTS=$tmp/results SYSMAP_COMPAT_RESULTS=$tmp/none "$top/scripts/compat-table.sh" | grep "^| strace")
check "compat table: a program's three ways kept apart" "FAIL | pass (1 tests) | pass (1 tests)" \
	"$(cut -d'|' -f4-6 <<<"$row" | sed 's/^ //; s/ | /|/g; s/ $//; s/|/ | /g')"

# vm-run.sh refuses a missing kernel with a clear message.
msg=$("$top/scripts/vm-run.sh" "$tmp/no-such-kernel" -- true 2>&1)
rc=$?
check "vm-run: missing kernel is an error" "1" "$rc"
check "vm-run: missing kernel message" "1" "$(grep -c "no kernel image" <<<"$msg")"
exit $failed
