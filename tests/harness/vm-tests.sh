#!/usr/bin/env bash
# The VM runner's own tests (host side): boot KERNEL and check that a clean
# suite passes, that a failing suite, a hanging guest and a kernel warning
# each fail the run with a message saying which, that QEMU aborting before
# the suite began costs one more boot but aborting during it fails the run,
# and that a checkout under /tmp and a cache under /home are visible in the
# guest. TAP out.
. "$(dirname "$0")/../../scripts/common.sh"
kernel=${1:?usage: vm-tests.sh KERNEL}
n=0 failed=0

expect() {
	local name=$1 want_rc=$2 want_msg=$3 timeout=$4 script=$5 rc
	local repo=${6:-$REPO}
	n=$((n + 1))
	set +e
	SYSMAP_RESULTS=$RESULTS "$repo/scripts/vm-run.sh" --name "harness-$name" --timeout "$timeout" \
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
expect hang 124 "timed out after 120 s" 120 guest-hang.sh
# The watchdog said where it hung: the suite's sleep, blocked. Its
# deadline (30 s before the timeout) leaves a slow KASAN guest time to
# boot and start the sleep first, and to write the list.
n=$((n + 1))
if grep -Eq '^    pid [0-9]+ state S .*: sleep 100000' "$RESULTS/harness-hang.stderr"; then
	echo "ok $n vm-run: hang -> the watchdog names the suite's sleep, blocked"
else
	echo "not ok $n vm-run: hang -> no process list naming the suite's sleep"
	sed 's/^/# /' "$RESULTS/harness-hang.stderr"
	failed=1
fi
expect warning 125 "kernel splat in the console" 300 guest-warn.sh

# QEMU aborting (tests/harness/qemu-abort.sh in its place): before the suite
# began, the runner boots once more and the suite passes; once the suite
# has begun, the run fails.
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
ln -s "$REPO/tests/harness/qemu-abort.sh" "$shim/qemu-system-x86_64"
export QEMU_REAL
QEMU_REAL=$(command -v qemu-system-x86_64)
PATH=$shim:$PATH QEMU_ABORT_AT=boot QEMU_ABORT_STATE=$shim/boot \
	expect qemu-abort-boot 0 "QEMU aborted before the suite began" 300 guest-pass.sh
PATH=$shim:$PATH QEMU_ABORT_AT=suite QEMU_ABORT_STATE=$shim/suite \
	expect qemu-abort-suite 126 "stopped without reporting an exit status" 300 guest-hang.sh

# Any checkout path, any cache path: the guest mounts tmpfs on /tmp and
# /home, which must not hide either.
tmp_repo=$(mktemp -d /tmp/sysmap-checkout.XXXXXX)
home_cache=$(mktemp -d /home/sysmap-cache.XXXXXX)
trap 'rm -rf "$shim" "$tmp_repo" "$home_cache"' EXIT
mkdir -p "$tmp_repo/tests" "$tmp_repo/kernel/mainline" "$tmp_repo/kernel/6.12"
cp -a "$REPO/scripts" "$tmp_repo/"
cp "$REPO/kernel/mainline/BASE" "$tmp_repo/kernel/mainline/"
cp "$REPO/kernel/6.12/BASE" "$tmp_repo/kernel/6.12/"
cp -a "$REPO/tests/harness" "$tmp_repo/tests/"
touch "$home_cache/harness-marker"
mkdir -p "$CACHE"
touch "$CACHE/harness-marker"
SYSMAP_CACHE=$CACHE expect checkout-in-tmp 0 "" 300 guest-paths.sh "$tmp_repo"
SYSMAP_CACHE=$home_cache expect cache-in-home 0 "" 300 guest-paths.sh
exit $failed
