#!/usr/bin/env bash
# Debian's gVisor runsc on the sealing kernel: its ptrace-platform stubs
# unmap everything outside the stub area, the vDSO included. Sealed it must
# fail for that reason; under "sysmapctl exec --unseal" the sandboxed
# command must run and print its output. Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAP_BIN:-$here/../../build/userspace}/sysmapctl
logs=${SYSMAP_GUEST_RESULTS:-/tmp}/runsc-logs
mkdir -p "$logs"
n=0
failed=0
check() {
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; failed=1; fi
}
runsc_do() {	# runsc_do LOGDIR COMMAND...: one sandboxed command
	local log=$1; shift
	mkdir -p "$log"
	timeout 240 runsc --rootless --network=none --ignore-cgroups --platform=ptrace \
		--root=/run/runsc --debug --debug-log="$log/" do "$@"
}

out=$(runsc_do "$logs/sealed" echo sysmap-sandbox-hello 2>&1)
rc=$?
printf '%s\n' "$out" >"$logs/sealed.out"
check "runsc sealed: the sandboxed command does not run" \
	test $rc -ne 0 -a "$(grep -c sysmap-sandbox-hello <<<"$out")" -eq 0
# The stub unmaps everything below the stub area, the sealed vDSO included.
check "runsc sealed: its stub's munmap() failed with EPERM" \
	grep -rqE "munmap\(.*\) failed: operation not permitted" "$logs/sealed" "$logs/sealed.out"
grep -rhE "munmap\(.*\) failed" "$logs/sealed" "$logs/sealed.out" 2>/dev/null | head -n 1 | sed 's/^/# /'

out=$("$ctl" exec --unseal -- bash -c "$(declare -f runsc_do); runsc_do $logs/unsealed echo sysmap-sandbox-hello" 2>&1)
rc=$?
printf '%s\n' "$out" >"$logs/unsealed.out"
check "runsc unsealed: exit 0" test $rc -eq 0
check "runsc unsealed: the sandboxed command printed its output" grep -q sysmap-sandbox-hello <<<"$out"
exit $failed
