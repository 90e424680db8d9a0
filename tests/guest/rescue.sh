#!/usr/bin/env bash
# Runs in a guest booted with "mseal_sysmap=off", the rescue switch: init
# and every process it starts run with the policy off and unsealed images,
# and a process can still turn sealing on for a program. Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAPCTL:-$here/../../build/userspace/sysmapctl}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
field() { sed -n 's/^Mseal_sysmap:[[:space:]]*//p' "/proc/$1/status"; }

check "init: image unsealed, policy off" grep -q "image=unsealed policy=unseal locked=no" <<<"$(field 1)"
check "a program init's descendants execute: unsealed" \
	grep -q "^Mseal_sysmap:.*image=unsealed policy=unseal" <(cat /proc/self/status)
check "its [vdso] has no sl flag" sh -c '! grep -A30 "\[vdso\]" /proc/self/smaps | grep -m1 "^VmFlags" | grep -qw sl'
check "the level is still the configured default (1)" test "$(cat /proc/sys/vm/mseal_sysmap_optout)" = 1
check "sealing can be turned on again: sysmapctl exec --seal" \
	grep -q "^Mseal_sysmap:.*image=sealed policy=seal" <("$ctl" exec --seal -- cat /proc/self/status)
check "dmesg says the kernel booted with mseal_sysmap=off" \
	grep -q "booted with mseal_sysmap=off" <(dmesg)
exit $failed
