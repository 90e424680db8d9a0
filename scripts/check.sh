#!/usr/bin/env bash
# "make check": install dependencies, build everything, run the host tests
# and every guest suite on the kernel it belongs to, then print one line:
# "N passed, N failed, N skipped". Results: build/results/<suite>.tap and
# build/results/<suite>/ (console, output and timing of guest suites).
. "$(dirname "$0")/common.sh"

only=${SUITES:-}	# e.g. SUITES="seal-selftests base-selftests"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
runner_tap=$RESULTS/vm-runs.tap
: >"$runner_tap"
step=0

want() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }
stage() { step=$((step + 1)); msg "[$step] $*"; }

# Keep a guest's TAP and record the run itself (boot, exit status, clean
# console) as one more result in vm-runs.tap.
record_run() {	# record_run NAME RUNNER_STATUS
	cp "$RESULTS/$1/output.log" "$RESULTS/$1.tap" 2>/dev/null || : >"$RESULTS/$1.tap"
	if [ "$2" -eq 0 ]; then
		echo "ok - vm $1: exited 0, console clean" >>"$runner_tap"
	else
		echo "not ok - vm $1: runner status $2 (see $RESULTS/$1/)" >>"$runner_tap"
	fi
}

# Run one guest suite. Its TAP is the guest's output; the run itself (boot,
# exit status, clean console) is one more result in vm-runs.tap.
suite() {
	local name=$1 kernel=$2 timeout=$3 rc
	shift 3
	want "$name" || return 0
	stage "$name: booting the $kernel kernel (timeout ${timeout}s)"
	if [ ! -f "$CACHE/build/$kernel/arch/x86/boot/bzImage" ]; then
		echo "not ok - vm $name: no $kernel kernel (its build failed)" >>"$runner_tap"
		return 0
	fi
	set +e
	"$REPO/scripts/vm-run.sh" --name "$name" --timeout "$timeout" \
		"$CACHE/build/$kernel/arch/x86/boot/bzImage" -- "$@"
	rc=$?
	set -e
	record_run "$name" "$rc"
	read -r p f s < <("$REPO/scripts/tap-count.sh" "$RESULTS/$name.tap")
	msg "    $name: $p passed, $f failed, $s skipped in $(cat "$RESULTS/$name/seconds" 2>/dev/null || echo ?)s"
}

stage "dependencies"
"$REPO/scripts/deps.sh"

stage "userspace: build and host unit tests"
"$REPO/scripts/build-userspace.sh" >"$RESULTS/userspace-build.log" 2>&1 ||
	{ tail -n 30 "$RESULTS/userspace-build.log" >&2; echo "not ok - userspace build (see userspace-build.log)" >"$RESULTS/host-unit.tap"; }
if [ -x "$REPO/build/userspace/sysmap_unit_tests" ]; then
	"$REPO/build/userspace/sysmap_unit_tests" >"$RESULTS/host-unit.log" 2>&1 || true
	"$REPO/scripts/gtest-tap.sh" <"$RESULTS/host-unit.log" >"$RESULTS/host-unit.tap"
fi

if clang-format --dry-run --Werror "$REPO"/userspace/src/*.cpp "$REPO"/userspace/include/sysmap/*.hpp \
	"$REPO"/userspace/tests/*.cpp "$REPO"/userspace/fuzz/*.cpp "$REPO"/tests/programs/*.cpp \
	>"$RESULTS/clang-format.log" 2>&1; then
	echo "ok - clang-format: the C++ sources follow .clang-format" >"$RESULTS/host-style.tap"
else
	echo "not ok - clang-format: see clang-format.log" >"$RESULTS/host-style.tap"
fi

stage "userspace: fuzz the smaps and status parsers (30 s each)"
FUZZ_SECONDS=30 "$REPO/scripts/fuzz.sh" >"$RESULTS/host-fuzz.tap" 2>"$RESULTS/host-fuzz.log" || true

stage "harness: host self-tests"
"$REPO/tests/harness/host-tests.sh" >"$RESULTS/harness-host.tap" 2>"$RESULTS/harness-host.log" || true

stage "series: git am round trip, checkpatch --strict, make install"
"$REPO/tests/harness/series-roundtrip.sh" >"$RESULTS/series.tap" 2>"$RESULTS/series.log" || true
if "$REPO/scripts/checkpatch.sh" >"$RESULTS/checkpatch.log" 2>&1; then
	echo "ok - checkpatch.pl --strict: every patch clean (or an accepted, justified finding)" >>"$RESULTS/series.tap"
else
	echo "not ok - checkpatch.pl --strict: see checkpatch.log" >>"$RESULTS/series.tap"
fi

# A build that fails is a failed result, and the suites that need it fail
# too, so that the run still ends with its counts.
build() {	# build NAME COMMAND...: run a build step, record it in builds.tap
	local name=$1
	shift
	if "$@" >/dev/null; then
		echo "ok - build: $name" >>"$RESULTS/builds.tap"
	else
		echo "not ok - build: $name failed" >>"$RESULTS/builds.tap"
		return 1
	fi
}
: >"$RESULTS/builds.tap"

stage "kernels: x86_64-seal (sealing on) and x86_64-base (sealing compiled out)"
build "x86_64-seal kernel" "$REPO/scripts/build-kernel.sh" x86_64-seal || true
build "x86_64-base kernel" "$REPO/scripts/build-kernel.sh" x86_64-base || true

stage "selftests: build"
sel=$CACHE/selftests
build "selftests" "$REPO/scripts/build-selftests.sh" || true
export SYSMAP_SELFTESTS=$sel
ours=("$sel"/mseal_system_mappings/sysmap_*_test)

if want harness-vm; then
	stage "harness-vm: a failing, a hanging and a warning guest must each fail the run"
	"$REPO/tests/harness/vm-tests.sh" "$CACHE/build/x86_64-base/arch/x86/boot/bzImage" \
		>"$RESULTS/harness-vm.tap" 2>"$RESULTS/harness-vm.log" || true
fi
suite seal-selftests x86_64-seal 900 tests/guest/run-tests.sh "${ours[@]}"
suite seal-selftests-nobody x86_64-seal 900 tests/guest/selftests-unprivileged.sh
suite seal-upstream x86_64-seal 900 tests/guest/upstream.sh
suite base-selftests x86_64-base 900 tests/guest/run-tests.sh "${ours[@]}"
suite seal-sysmapctl x86_64-seal 600 tests/guest/sysmapctl.sh seal
suite base-sysmapctl x86_64-base 600 tests/guest/sysmapctl.sh base
suite base-criu x86_64-base 600 tests/guest/criu-check.sh
suite seal-criu x86_64-seal 1800 tests/guest/criu.sh
suite seal-runsc x86_64-seal 900 tests/guest/runsc.sh
suite seal-rr-pattern x86_64-seal 300 tests/guest/rr-pattern.sh

if want arm64-selftests; then
	stage "arm64: cross-build the kernel and the guest's initramfs"
	arm64_kernel=$CACHE/build/arm64-seal/arch/arm64/boot/Image
	arm64_initrd=$CACHE/arm64/initramfs.cpio.gz
	rc=1
	if build "arm64-seal kernel" "$REPO/scripts/build-kernel.sh" arm64-seal &&
		build "arm64 initramfs" "$REPO/scripts/build-arm64-guest.sh"; then
		stage "arm64-selftests: booting the arm64 kernel (timeout 1500s)"
		set +e
		"$REPO/scripts/vm-run.sh" --arch arm64 --initrd "$arm64_initrd" --name arm64-selftests \
			--timeout 1500 "$arm64_kernel"
		rc=$?
		set -e
	fi
	record_run arm64-selftests "$rc"
fi

"$REPO/scripts/compat-table.sh" >"$RESULTS/compat.md" 2>/dev/null || true

# Summary
total_p=0 total_f=0 total_s=0
printf '\n%-24s %7s %7s %7s\n' suite passed failed skipped >&2
for tap in "$RESULTS"/*.tap; do
	read -r p f s < <("$REPO/scripts/tap-count.sh" "$tap")
	printf '%-24s %7d %7d %7d\n' "$(basename "$tap" .tap)" "$p" "$f" "$s" >&2
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
echo
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ]
