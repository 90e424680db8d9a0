#!/usr/bin/env bash
# "make check": install dependencies, build everything, run the host tests
# and every guest suite on the kernel it belongs to, then print one line:
# "N passed, N failed, N skipped". Results: build/results/<suite>.tap and
# build/results/<suite>/ (console, output and timing of guest suites).
#
#   check.sh [--host-only]   --host-only stops before the kernels: the
#                            dependency step and every host-side test
#   SUITES="a b" check.sh    runs only the named guest suites; suites
#                            declared "optional" in tests/expectations
#                            (make compat) run only when named
. "$(dirname "$0")/common.sh"

host_only=0
[ "${1:-}" != --host-only ] || host_only=1
only=${SUITES:-}	# e.g. SUITES="seal-selftests base-selftests"
# SYSMAP_KASAN=1, the debug run: the x86_64 guests boot kernels with KASAN,
# the arm64 guests one with lockdep.
seal=x86_64-seal${SYSMAP_KASAN:+-kasan}
base=x86_64-base${SYSMAP_KASAN:+-kasan}
arm64=arm64-seal${SYSMAP_KASAN:+-lockdep}
# The same kernels of the mainline series (Linux 7.3).
mseal=mainline-$seal
mbase=mainline-$base
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
runner_tap=$RESULTS/vm-runs.tap
: >"$runner_tap"
: >"$RESULTS/builds.tap"
timings=$RESULTS/timings.txt
: >"$timings"
step=0
step_name=
step_start=$SECONDS
run_start=$SECONDS
declare -A broken=()

want() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }
named() { [[ " $only " == *" $1 "* ]]; }
# Each stage's duration goes to timings.txt and the summary.
end_stage() {
	[ -z "$step_name" ] || printf '%6d s  %s\n' $((SECONDS - step_start)) "$step_name" >>"$timings"
	step_name=
}
stage() {
	end_stage
	step=$((step + 1))
	step_name=$*
	step_start=$SECONDS
	msg "[$step] $*"
}

# A build that fails is a failed result, and every suite that needs it is a
# failed result too, without running: no suite runs binaries an earlier
# build left behind.
build() {	# build NAME COMMAND...: run a build step, record it in builds.tap
	local name=$1 start=$SECONDS cpu0 rc=0
	shift
	cpu_seconds
	cpu0=$CPU_SECONDS
	"$@" >/dev/null || rc=$?
	build_time "$name" "$start" "$cpu0"
	if [ "$rc" -eq 0 ]; then
		echo "ok - build: $name" >>"$RESULTS/builds.tap"
	else
		echo "not ok - build: $name failed" >>"$RESULTS/builds.tap"
		broken[$name]=1
		return 1
	fi
}

# The processor time a build used, beside its duration: on a machine busy
# with guests and other builds the duration says little of its cost.
# "times" runs in this shell: a subshell's own count starts at zero.
cpu_seconds() {	# cpu_seconds: CPU_SECONDS= the user and system seconds of this shell's waited-for children
	local t
	t=$(mktemp)
	times >"$t"
	CPU_SECONDS=$(tail -n 1 "$t" | tr 'ms' '  ' | awk '{ printf "%d\n", $1 * 60 + $2 + $3 * 60 + $4 }')
	rm -f "$t"
}
build_time() {	# build_time NAME START CPU-AT-START
	cpu_seconds
	printf '%6d s    build %s (%d s of processor time)\n' $((SECONDS - $2)) "$1" \
		$((CPU_SECONDS - $3)) >>"$timings"
}

# The same for a build step whose output (a path) the caller keeps.
build_out() {	# build_out NAME COMMAND...
	local name=$1 out start=$SECONDS cpu0 rc=0
	shift
	cpu_seconds
	cpu0=$CPU_SECONDS
	out=$("$@") || rc=$?
	build_time "$name" "$start" "$cpu0"
	if [ "$rc" -eq 0 ]; then
		echo "ok - build: $name" >>"$RESULTS/builds.tap"
		echo "$out"
	else
		echo "not ok - build: $name failed" >>"$RESULTS/builds.tap"
		return 1
	fi
}

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

# Guest suites run SYSMAP_GUEST_JOBS at a time (2 by default). Every wait in
# the suites is for a condition, not a time, so a guest that runs slower
# beside another still passes. Measured on 2 cores: two -smp 2 guests side
# by side take about as long as one after the other (each keeps both cores
# busy); what it buys is that the cross-built guests' builds and the x86_64 guests share
# the machine without either waiting for the other.
guest_jobs=${SYSMAP_GUEST_JOBS:-2}
guest_pids=()
# The job of the other architectures (below: their kernels and initramfs
# built in the background, then their guests) holds a slot while it runs,
# so that on a cold cache its builds are not starved behind two guests.
cross_build=
guest_slot() {	# wait until fewer than $guest_jobs guests (or builds) run
	local alive p busy
	while :; do
		alive=()
		for p in ${guest_pids[@]+"${guest_pids[@]}"}; do
			! kill -0 "$p" 2>/dev/null || alive+=("$p")
		done
		guest_pids=(${alive[@]+"${alive[@]}"})
		busy=(${alive[@]+"${alive[@]}"})
		[ -z "$cross_build" ] || ! kill -0 "$cross_build" 2>/dev/null || busy+=("$cross_build")
		[ ${#busy[@]} -ge "$guest_jobs" ] || return 0
		wait -n "${busy[@]}" || true
	done
}

# Run one guest suite on an x86_64 kernel, in the background once a slot is
# free. It needs that kernel, the userspace and the selftests; if one of
# them failed to build, the suite is a failure without a boot.
# APPEND="..." suite ... adds kernel arguments; ROOT=DIR boots on another
# root directory (scripts/guest-root.sh).
suite() {
	local name=$1 kernel=$2 timeout=$3 need
	shift 3
	want "$name" || return 0
	for need in "$kernel kernel" userspace selftests ${NEED:+"$NEED"}; do
		if [ -n "${broken[$need]:-}" ]; then
			echo "not ok - vm $name: not run, the $need build failed" >>"$runner_tap"
			: >"$RESULTS/$name.tap"
			return 0
		fi
	done
	guest_slot
	msg "$name: booting the $kernel kernel (timeout ${timeout}s)"
	(
		set +e
		"$REPO/scripts/vm-run.sh" --name "$name" --timeout "$timeout" ${APPEND:+--append "$APPEND"} \
			${CPU:+--cpu "$CPU"} ${ROOT:+--root "$ROOT"} \
			"$(kernel_image "$kernel")" -- "$@"
		rc=$?
		record_run "$name" "$rc"
		read -r p f s < <("$REPO/scripts/tap-count.sh" "$RESULTS/$name.tap")
		secs=$(cat "$RESULTS/$name/seconds" 2>/dev/null || echo 0)
		msg "    $name: $p passed, $f failed, $s skipped in ${secs}s"
		printf '%6d s    guest %s on %s\n' "$secs" "$name" "$kernel" >>"$timings"
	) &
	guest_pids+=($!)
}

stage "dependencies"
deps=()
! named seal-wine && ! named base-wine && ! named seal-podman && ! named base-podman || deps=(compat)
if ! "$REPO/scripts/deps.sh" "${deps[@]}"; then
	echo "not ok - dependencies: scripts/deps.sh failed (see above)" >>"$RESULTS/builds.tap"
fi

stage "userspace: build and host unit tests"
# Remove what an earlier build linked, so a failed build cannot leave
# binaries behind for the tests below.
find "$REPO/build/userspace" -maxdepth 1 -type f -perm -u+x -delete 2>/dev/null || true
if build userspace env SYSMAP_STRICT=1 "$REPO/scripts/build-userspace.sh" 2>"$RESULTS/userspace-build.log"; then
	"$REPO/build/userspace/sysmap_unit_tests" >"$RESULTS/host-unit.log" 2>&1 || true
	"$REPO/scripts/gtest-tap.sh" <"$RESULTS/host-unit.log" >"$RESULTS/host-unit.tap"
	# Four copies side by side and ctest in parallel, as on a shared machine.
	"$REPO/tests/harness/unit-parallel.sh" "$REPO/build/userspace" >"$RESULTS/host-unit-parallel.tap" \
		2>"$RESULTS/host-unit-parallel.log" || true
	# make install into a scratch prefix, and a C program built against it
	# with pkg-config.
	"$REPO/userspace/tests/install-test.sh" "$REPO/build/userspace" >"$RESULTS/host-install.tap" \
		2>"$RESULTS/host-install.log" || true
else
	tail -n 30 "$RESULTS/userspace-build.log" >&2
	echo "not ok - host unit tests: not run, the userspace build failed" >"$RESULTS/host-unit.tap"
	echo "not ok - install test: not run, the userspace build failed" >"$RESULTS/host-install.tap"
	echo "not ok - unit tests side by side: not run, the userspace build failed" >"$RESULTS/host-unit-parallel.tap"
fi

if clang-format --dry-run --Werror "$REPO"/userspace/src/*.cpp "$REPO"/userspace/src/*.hpp \
	"$REPO"/userspace/include/sysmap/*.hpp "$REPO"/userspace/include/sysmap/*.h \
	"$REPO"/userspace/tool/*.cpp "$REPO"/userspace/tool/*.hpp "$REPO"/userspace/tool/arch/*.cpp \
	"$REPO"/userspace/tool/arch/*.hpp "$REPO"/userspace/tests/*.cpp \
	"$REPO"/userspace/tests/*.c "$REPO"/userspace/fuzz/*.cpp "$REPO"/tests/programs/*.cpp \
	>"$RESULTS/clang-format.log" 2>&1; then
	echo "ok - clang-format: the C++ sources follow .clang-format" >"$RESULTS/host-style.tap"
else
	echo "not ok - clang-format: see clang-format.log" >"$RESULTS/host-style.tap"
fi

stage "userspace: fuzz the smaps and status parsers (30 s each)"
FUZZ_SECONDS=30 "$REPO/scripts/fuzz.sh" >"$RESULTS/host-fuzz.tap" 2>"$RESULTS/host-fuzz.log" || true

stage "harness: host self-tests"
"$REPO/tests/harness/host-tests.sh" >"$RESULTS/harness-host.tap" 2>"$RESULTS/harness-host.log" || true

stage "series: git am round trip of both series, checkpatch --strict, make install"
# checkpatch.pl takes 40 s a series, Debian's configurations 90 s: they run
# beside the round trip, once the base trees exist (a cold cache unpacks
# them here, both at once: xz uses one processor each).
for s in mainline 6.12; do
	SYSMAP_SERIES=$s "$REPO/scripts/kernel-tree.sh" build-src >/dev/null &
done
wait
for s in mainline 6.12; do
	(
		if SYSMAP_SERIES=$s "$REPO/scripts/checkpatch.sh" >"$RESULTS/checkpatch-$s.log" 2>&1; then
			echo "ok - checkpatch.pl --strict, $s series: every patch clean (or an accepted, justified finding)"
		else
			echo "not ok - checkpatch.pl --strict, $s series: see checkpatch-$s.log"
		fi >"$RESULTS/checkpatch-$s.result"
	) &
done
"$REPO/tests/harness/distro-configs.sh" >"$RESULTS/distro-configs.tap" 2>"$RESULTS/distro-configs.log" &
"$REPO/tests/harness/series-roundtrip.sh" >"$RESULTS/series.tap" 2>"$RESULTS/series.log" || true
wait
for s in mainline 6.12; do
	cat "$RESULTS/checkpatch-$s.result" >>"$RESULTS/series.tap" 2>/dev/null ||
		echo "not ok - checkpatch.pl --strict, $s series: no result" >>"$RESULTS/series.tap"
	rm -f "$RESULTS/checkpatch-$s.result"
done

if [ "$host_only" -eq 0 ]; then
	# The other architectures' guests, built and booted in the background at
	# a lower priority, while the x86_64 kernels build and then beside the
	# x86_64 guests: first each guest's initramfs (downloads and small
	# compilations, which fill the gaps of the kernel builds) and trixie's
	# QEMU (scripts/vm-run.sh), then, once the x86_64 kernels are built
	# (one kernel build at a time: build-kernel.sh takes a lock), each
	# kernel; a guest boots once its kernel is built, while the next
	# architecture's kernel builds (one of these guests at a time). Once the
	# guests begin, the whole job holds one of the guest slots
	# (guest_slot). The mainline series' guests on arm64, riscv64 and s390x
	# run in every make check; loongarch64 (its compiler is a trixie root of
	# its own: 19 minutes of processor time cold) and the 6.12 backport's
	# arm64 guest (bookworm's criu) when named, after them.
	x86_kernels_built=$RESULTS/.x86-kernels-built
	cross_wanted() {	# cross_wanted ARCH: does this run boot ARCH's 7.3 guest?
		if [ "$1" = loongarch64 ]; then
			named "mainline-$1-selftests"
		else
			want "mainline-$1-selftests"
		fi
	}
	cross_guests=()	# NAME:ARCH:SERIES:KERNEL
	for arch in arm64 riscv64 s390x loongarch64; do
		k=$arch-seal
		[ "$arch" != arm64 ] || k=$arm64
		! cross_wanted "$arch" || cross_guests+=("mainline-$arch-selftests:$arch:mainline:mainline-$k")
	done
	! named arm64-selftests || cross_guests+=("arm64-selftests:arm64:6.12:$arm64")
	cross_boot() {	# cross_boot NAME ARCH INITRD KERNEL
		local name=$1 arch=$2 initrd=$3 kernel=$4 rc p f s
		msg "$name: booting the $kernel kernel (timeout 1500s)"
		"$REPO/scripts/vm-run.sh" --arch "$arch" --initrd "$initrd" \
			--name "$name" --timeout 1500 "$(kernel_image "$kernel")"
		rc=$?
		printf '%6d s    guest %s on %s\n' \
			"$(cat "$RESULTS/$name/seconds" 2>/dev/null || echo 0)" "$name" "$kernel" >>"$timings"
		record_run "$name" "$rc"
		read -r p f s < <("$REPO/scripts/tap-count.sh" "$RESULTS/$name.tap")
		msg "    $name: $p passed, $f failed, $s skipped"
	}
	cross_job() {
		local g name arch series kernel guest="" log=$RESULTS/cross-build.log
		local -A initrd=()
		if cross_wanted s390x || cross_wanted loongarch64; then
			nice -n 10 "$REPO/scripts/toolchain-root.sh" qemu >/dev/null 2>>"$log" &
		fi
		for g in "${cross_guests[@]}"; do
			IFS=: read -r name arch series kernel <<<"$g"
			initrd[$name]=$(build_out "$name initramfs" nice -n 10 \
				"$REPO/scripts/build-cross-guest.sh" "$arch" "$series" 2>>"$log") || initrd[$name]=
		done
		# A condition, not a time: the x86_64 kernels are built (or
		# make check itself has ended).
		while [ ! -e "$x86_kernels_built" ] && kill -0 $$ 2>/dev/null; do sleep 2; done
		for g in "${cross_guests[@]}"; do
			IFS=: read -r name arch series kernel <<<"$g"
			if build "$kernel kernel" nice -n 10 "$REPO/scripts/build-kernel.sh" "$kernel" 2>>"$log" &&
				[ -n "${initrd[$name]}" ]; then
				[ -z "$guest" ] || wait "$guest"
				cross_boot "$name" "$arch" "${initrd[$name]}" "$kernel" &
				guest=$!
			else
				record_run "$name" 1
				msg "    $name: not booted, its kernel or initramfs did not build"
			fi
		done
		wait
	}
	if [ ${#cross_guests[@]} -gt 0 ]; then
		msg "other architectures: building the guests' initramfs and kernels in the" \
			"background, then booting each (log: $RESULTS/cross-build.log)"
		(
			set +e
			cross_job
		) &
		cross_build=$!
	fi

	stage "kernels: $mseal, $mbase (7.3), $seal (6.12; $base when named): sealing on and compiled out"
	# A SUITES run builds only the kernels its suites boot (a suite's name
	# starts with its kernel's: mainline-seal-, mainline-base-, seal-,
	# base-; harness-vm boots the 7.3 baseline). The 6.12 baseline is
	# built only for the suites that name it: the selftests' controls for
	# a kernel without the feature run on the 7.3 baseline, from the same
	# sources.
	kernel_wanted() {	# kernel_wanted SUITE-PREFIX
		local s
		[ -n "$only" ] || [ "$1" = base ] || return 0
		for s in $only; do
			case $s in "$1"-*) return 0 ;; esac
		done
		[ "$1" = mainline-base ] && named harness-vm
	}
	! kernel_wanted mainline-seal || build "$mseal kernel" "$REPO/scripts/build-kernel.sh" "$mseal" || true
	! kernel_wanted mainline-base || build "$mbase kernel" "$REPO/scripts/build-kernel.sh" "$mbase" || true
	! kernel_wanted seal || build "$seal kernel" "$REPO/scripts/build-kernel.sh" "$seal" || true
	! kernel_wanted base || build "$base kernel" "$REPO/scripts/build-kernel.sh" "$base" || true
	: >"$x86_kernels_built"

	stage "selftests: build, for each series"
	msel=$CACHE/selftests-mainline
	rm -rf "$msel"
	build "mainline selftests" env SYSMAP_SERIES=mainline "$REPO/scripts/build-selftests.sh" || true
	mours=("$msel"/mseal_system_mappings/sysmap_*_test)
	sel=$CACHE/selftests
	rm -rf "$sel"
	build selftests env SYSMAP_SERIES=6.12 "$REPO/scripts/build-selftests.sh" || true
	build "compat programs" "$REPO/scripts/build-compat.sh" || true
	ours=("$sel"/mseal_system_mappings/sysmap_*_test)

	stage "guests: $guest_jobs at a time, the longest first (each suite's time is below)"
	# The mainline series (7.3) runs every suite: its selftests on both
	# kernels, upstream's tests (sysmap_is_sealed, mm's mseal_test), the
	# tools and the levels; criu from a Debian trixie root, since
	# bookworm's criu 3.17 stops on any 7.3 kernel, the stock one too,
	# before it dumps anything (scripts/guest-root.sh). The 6.12 backport
	# runs its selftests on both kernels, upstream's test, criu (bookworm's)
	# and re-sealing; its other suites when named (SUITES="seal-compat ...",
	# make compat for Wine and podman).
	trixie=
	if want mainline-seal-criu || want mainline-base-criu || want mainline-seal-reseal; then
		if trixie=$("$REPO/scripts/guest-root.sh" 2>"$RESULTS/guest-root.log"); then
			echo "ok - guest root: Debian trixie with $(awk '$1 == "criu" { print "criu " $2 }' "$trixie/.versions")" >>"$RESULTS/builds.tap"
		else
			echo "not ok - guest root: scripts/guest-root.sh failed (see guest-root.log)" >>"$RESULTS/builds.tap"
			broken["trixie root"]=1
		fi
	fi
	m=(env SYSMAP_SELFTESTS="$msel")
	o=(env SYSMAP_SELFTESTS="$sel")
	# Longest first, so that the slots end close together.
	NEED="trixie root" ROOT=$trixie suite mainline-seal-reseal "$mseal" 1800 "${m[@]}" tests/guest/reseal.sh
	suite seal-reseal "$seal" 1800 "${o[@]}" tests/guest/reseal.sh
	if want harness-vm; then
		if [ -n "${broken["$mbase kernel"]:-}" ]; then
			echo "not ok - harness-vm: not run, the $mbase kernel build failed" >"$RESULTS/harness-vm.tap"
		else
			guest_slot
			msg "harness-vm: failing, hanging and warning guests fail the run, a QEMU abort before the suite boots again; any checkout path works"
			(
				start=$SECONDS
				"$REPO/tests/harness/vm-tests.sh" "$(kernel_image "$mbase")" \
					>"$RESULTS/harness-vm.tap" 2>"$RESULTS/harness-vm.log" || true
				printf '%6d s    guests of harness-vm on %s\n' $((SECONDS - start)) "$mbase" >>"$timings"
			) &
			guest_pids+=($!)
		fi
	fi
	NEED="compat programs" suite mainline-seal-compat "$mseal" 1200 "${m[@]}" tests/guest/compat.sh
	NEED="mainline selftests" suite mainline-seal-selftests "$mseal" 900 "${m[@]}" tests/guest/run-tests.sh "${mours[@]}"
	NEED="trixie root" ROOT=$trixie suite mainline-seal-criu "$mseal" 1800 "${m[@]}" tests/guest/criu.sh
	suite seal-criu "$seal" 1800 "${o[@]}" tests/guest/criu.sh
	suite seal-selftests "$seal" 900 "${o[@]}" tests/guest/run-tests.sh "${ours[@]}"
	NEED="compat programs" suite mainline-base-compat "$mbase" 900 "${m[@]}" tests/guest/compat.sh
	NEED="mainline selftests" suite mainline-seal-selftests-nobody "$mseal" 900 "${m[@]}" tests/guest/selftests-unprivileged.sh
	APPEND="sysctl.vm.mseal_sysmap_optout=0" \
		suite mainline-seal-level-raise "$mseal" 600 "${m[@]}" tests/guest/levels.sh raise
	suite mainline-seal-sysmapctl "$mseal" 600 "${m[@]}" tests/guest/sysmapctl.sh seal
	NEED="mainline selftests" suite mainline-base-selftests "$mbase" 900 "${m[@]}" tests/guest/run-tests.sh "${mours[@]}"
	APPEND="sysctl.vm.mseal_sysmap_optout=2 mseal_sysmap=off" \
		suite mainline-seal-level2-boot "$mseal" 600 "${m[@]}" tests/guest/levels.sh boot2
	NEED="mainline selftests" suite mainline-seal-upstream "$mseal" 900 "${m[@]}" tests/guest/upstream.sh
	suite mainline-seal-runsc "$mseal" 900 "${m[@]}" tests/guest/runsc.sh
	suite seal-upstream "$seal" 900 "${o[@]}" tests/guest/upstream.sh
	NEED="trixie root" ROOT=$trixie suite mainline-base-criu "$mbase" 600 "${m[@]}" tests/guest/criu-check.sh
	APPEND="mseal_sysmap=off" suite mainline-seal-rescue "$mseal" 300 "${m[@]}" tests/guest/rescue.sh
	suite mainline-base-sysmapctl "$mbase" 600 "${m[@]}" tests/guest/sysmapctl.sh base
	suite mainline-seal-rr-pattern "$mseal" 300 "${m[@]}" tests/guest/rr-pattern.sh

	# The 6.12 suites that run when named.
	if named base-selftests; then suite base-selftests "$base" 900 "${o[@]}" tests/guest/run-tests.sh "${ours[@]}"; fi
	if named base-criu; then suite base-criu "$base" 600 "${o[@]}" tests/guest/criu-check.sh; fi
	if named seal-compat; then NEED="compat programs" suite seal-compat "$seal" 1200 "${o[@]}" tests/guest/compat.sh; fi
	if named base-compat; then NEED="compat programs" suite base-compat "$base" 900 "${o[@]}" tests/guest/compat.sh; fi
	if named seal-selftests-nobody; then
		suite seal-selftests-nobody "$seal" 900 "${o[@]}" tests/guest/selftests-unprivileged.sh
	fi
	if named seal-sysmapctl; then suite seal-sysmapctl "$seal" 600 "${o[@]}" tests/guest/sysmapctl.sh seal; fi
	if named base-sysmapctl; then suite base-sysmapctl "$base" 600 "${o[@]}" tests/guest/sysmapctl.sh base; fi
	if named seal-level-raise; then
		APPEND="sysctl.vm.mseal_sysmap_optout=0" \
			suite seal-level-raise "$seal" 600 "${o[@]}" tests/guest/levels.sh raise
	fi
	if named seal-level2-boot; then
		APPEND="sysctl.vm.mseal_sysmap_optout=2 mseal_sysmap=off" \
			suite seal-level2-boot "$seal" 600 "${o[@]}" tests/guest/levels.sh boot2
	fi
	if named seal-runsc; then suite seal-runsc "$seal" 900 "${o[@]}" tests/guest/runsc.sh; fi
	if named seal-rr-pattern; then suite seal-rr-pattern "$seal" 300 "${o[@]}" tests/guest/rr-pattern.sh; fi
	if named seal-rescue; then APPEND="mseal_sysmap=off" suite seal-rescue "$seal" 300 "${o[@]}" tests/guest/rescue.sh; fi
	# make compat: Wine, on a CPU model without SMAP (tests/guest/compat.sh).
	if named seal-wine; then
		NEED="compat programs" CPU=max,-smap suite seal-wine "$seal" 1200 "${o[@]}" tests/guest/compat.sh wine
	fi
	if named base-wine; then
		NEED="compat programs" CPU=max,-smap suite base-wine "$base" 900 "${o[@]}" tests/guest/compat.sh wine
	fi
	# make compat: podman checkpointing a container with runc and criu.
	if named seal-podman; then
		NEED="compat programs" suite seal-podman "$seal" 1500 "${o[@]}" tests/guest/podman.sh
	fi
	if named base-podman; then
		NEED="compat programs" suite base-podman "$base" 1200 "${o[@]}" tests/guest/podman.sh
	fi

	wait ${guest_pids[@]+"${guest_pids[@]}"} || true
	[ -z "$cross_build" ] || wait "$cross_build" || true

	"$REPO/scripts/compat-table.sh" >"$RESULTS/compat.md" 2>/dev/null || true
fi
end_stage

# Every result stream is held to what tests/expectations declares: its
# count of results and the skips it may report. In a full run, a declared
# suite that produced nothing is a failure too.
exp_tap=$RESULTS/expectations.tap
: >"$exp_tap"
for tap in "$RESULTS"/*.tap; do
	name=$(basename "$tap" .tap)
	[ "$name" != expectations ] || continue
	SYSMAP_EXPECT_MODE=$([ "$host_only" -eq 1 ] && echo host || { [ -n "$only" ] && echo subset; } || echo full) \
		"$REPO/scripts/tap-verify.sh" "$name" "$tap" >>"$exp_tap" ||
		echo "not ok - $name: scripts/tap-verify.sh failed" >>"$exp_tap"
done
# A SUITES run: each suite it names must have run (the streams that sum up
# all suites, builds and vm-runs, are only held to their counts in full runs).
for name in $only; do
	[ -f "$RESULTS/$name.tap" ] || echo "not ok - $name: named in SUITES, but produced no results" >>"$exp_tap"
done
if [ -z "$only" ] && [ "$host_only" -eq 0 ]; then
	while read -r name; do
		[ -f "$RESULTS/$name.tap" ] || echo "not ok - $name: declared in tests/expectations, but produced no results" >>"$exp_tap"
	done < <(awk '!/^[[:space:]]*(#|$)/ && $2 == "results" { r[$1] = 1 }
		!/^[[:space:]]*(#|$)/ && $2 == "optional" { o[$1] = 1 }
		END { for (s in r) if (!(s in o)) print s }' "$REPO/tests/expectations")
fi

# Summary
total_p=0 total_f=0 total_s=0
printf '\n%-24s %7s %7s %7s\n' suite passed failed skipped >&2
for tap in "$RESULTS"/*.tap; do
	read -r p f s < <("$REPO/scripts/tap-count.sh" "$tap")
	printf '%-24s %7d %7d %7d\n' "$(basename "$tap" .tap)" "$p" "$f" "$s" >&2
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
printf '\nduration of each step:\n' >&2
cat "$timings" >&2
printf '%6d s  in all\n' $((SECONDS - run_start)) | tee -a "$timings" >&2
# The failures last, next to the totals: a log cut to its tail keeps them.
if [ "$total_f" -gt 0 ]; then
	printf '\nfailed:\n' >&2
	# Each with the comment lines around it in its TAP.
	{ "$REPO/scripts/tap-failures.sh" "$RESULTS"/*.tap || true; } | head -n 80 >&2
	# What a guest that timed out was doing (scripts/guest-watchdog.sh).
	for f in "$RESULTS"/*/stuck; do
		[ -s "$f" ] || continue
		printf '%s, shortly before its timeout (stacks in %s):\n' \
			"$(basename "$(dirname "$f")")" "$(dirname "$f")/hang.txt" >&2
		head -n 12 "$f" | sed 's/^/    /' >&2
	done
fi
echo
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ]
