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
check "the rescue switch starts the level at 0 (no level on the command line)" \
	test "$(cat /proc/sys/vm/mseal_sysmap_optout)" = 0
# An opt-out carries over at execve() only to images that may opt out at
# the level in force: in a rescue boot that must include programs that run
# without privilege, or every service dropping root would come back sealed.
check "a program executed as nobody stays unsealed" \
	grep -q "^Mseal_sysmap:.*image=unsealed policy=unseal" \
	<(setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/self/status)
# A setgid program that a user without the privilege runs (a secure exec,
# as sudo and su are): on a rescue boot the opt-out is the system's
# default, not a choice of the parent's, so it reaches those programs and
# what they start too. The helper only reports its own state (exit
# status: bit 0 policy seal, bit 1 lock, bits 2-3 image sealed); its group
# owns nothing; it lies in a directory only root can enter, is executed as
# nobody through a descriptor root opened, and is removed whatever happens.
priv=$(mktemp -d /tmp/rescue-helper.XXXXXX)
trap 'rm -rf "$priv"' EXIT
install -m 0755 "${SYSMAP_SELFTESTS:?}/mseal_system_mappings/sysmap_report" "$priv/report" &&
	chown 0:65533 "$priv/report" && chmod 2755 "$priv/report"
exec {helper}<"$priv/report"
# Executed from a shell of nobody's, as from a user's session.
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '"$0"' "/proc/self/fd/$helper"
rc=$?
exec {helper}<&-
rm -rf "$priv"
echo "# setgid helper run as nobody: exit status $rc"
check "a setgid program run as nobody stays unsealed, and its policy off" test "$rc" -eq 0
echo 1 >/proc/sys/vm/mseal_sysmap_optout
check "raised to 1: root's next program stays unsealed" \
	grep -q "^Mseal_sysmap:.*image=unsealed policy=unseal" <(cat /proc/self/status)
check "raised to 1: the next program executed as nobody is sealed" \
	grep -q "^Mseal_sysmap:.*image=sealed policy=seal" \
	<(setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/self/status)
echo 0 >/proc/sys/vm/mseal_sysmap_optout
check "sealing can be turned on again: sysmapctl exec --seal" \
	grep -q "^Mseal_sysmap:.*image=sealed policy=seal" <("$ctl" exec --seal -- cat /proc/self/status)
check "dmesg says the kernel booted with mseal_sysmap=off, at level 0" \
	grep -q "booted with mseal_sysmap=off.*(vm.mseal_sysmap_optout=0)" <(dmesg)
exit $failed
