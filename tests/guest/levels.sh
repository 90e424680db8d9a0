#!/usr/bin/env bash
# vm.mseal_sysmap_optout in guests booted with a command-line setting.
#
#   levels.sh boot2   booted with "sysctl.vm.mseal_sysmap_optout=2
#                     mseal_sysmap=off": level 2 from the command line wins
#                     over the rescue switch, cannot be lowered, and nobody
#                     may opt out
#   levels.sh raise   booted with "sysctl.vm.mseal_sysmap_optout=0": the
#                     prctl and inheritance selftests pass at level 0; an
#                     ordinary user may opt out and run rr's pattern; then
#                     the level is raised to 2 and the opted-out process's
#                     next image is sealed all the same
#
# Both end with the levels selftest, whose level-2 tests run only here.
# Prints TAP.
set -uo pipefail
mode=${1:?usage: levels.sh boot2|raise}
here=$(cd "$(dirname "$0")" && pwd)
bin=${SYSMAP_BIN:-$here/../../build/userspace}
sel=${SYSMAP_SELFTESTS:?}/mseal_system_mappings
level=/proc/sys/vm/mseal_sysmap_optout
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
field() { sed -n 's/^Mseal_sysmap:[[:space:]]*//p' "/proc/$1/status"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# Copies nobody can execute, whatever the permissions of the checkout.
tools=$(mktemp -d /tmp/levels.XXXXXX)
chmod 0755 "$tools"
install -m 0755 "$bin/sysmapctl" "$bin/rr_pattern" "$tools/"

case $mode in
boot2)
	check "command line: the level is 2" test "$(cat $level)" = 2
	check "level 2 wins over mseal_sysmap=off: init is sealed, policy seal" \
		grep -q "image=sealed policy=seal" <<<"$(field 1)"
	# The level on the command line is taken when the command line is
	# parsed, before any usermode helper, not only just before init.
	check "dmesg: mseal_sysmap=off is ignored at level 2" \
		grep -q "mseal_sysmap=off ignored: vm.mseal_sysmap_optout is 2" <(dmesg)
	check "dmesg: the kernel never claims to run unsealed" \
		sh -c '! dmesg | grep -q "booted with mseal_sysmap=off"'
	# A usermode helper: the core_pattern pipe program, started by the
	# kernel for a crash, reports the state of a program it executes.
	if [ -e /proc/sys/kernel/core_pattern ]; then
		printf '#!/bin/sh\ncat /proc/self/status >%s/umh-status\n' "$tools" >"$tools/core.sh"
		chmod 0755 "$tools/core.sh"
		saved_pattern=$(cat /proc/sys/kernel/core_pattern)
		echo "|$tools/core.sh" >/proc/sys/kernel/core_pattern
		(ulimit -c unlimited; exec sh -c 'kill -SEGV $$') 2>/dev/null
		for _ in $(seq 600); do
			[ -s "$tools/umh-status" ] && break
			sleep 0.1
		done
		echo "$saved_pattern" >/proc/sys/kernel/core_pattern
		check "a usermode helper's program is sealed" \
			grep -q "^Mseal_sysmap:.*image=sealed policy=seal" "$tools/umh-status"
	else
		nok "a usermode helper's program is sealed # no core_pattern in this kernel"
	fi
	check "level 2: writing 1 fails" sh -c "! echo 1 >$level"
	check "level 2: writing 0 fails" sh -c "! echo 0 >$level"
	check "level 2: still 2" test "$(cat $level)" = 2
	"$tools/sysmapctl" exec --unseal -- true 2>/dev/null
	check "level 2: root cannot opt out (sysmapctl exec --unseal fails)" test $? -ne 0
	out=$(as_nobody "$tools/sysmapctl" exec --unseal -- "$tools/rr_pattern" /bin/true 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	check "level 2: rr pattern as nobody under exec --unseal is refused" test $rc -ne 0
	;;
raise)
	check "command line: the level is 0" test "$(cat $level)" = 0
	check "init starts sealed" grep -q "image=sealed policy=seal" <<<"$(field 1)"
	# The selftests hold at any level: those of the level-1 rule set it
	# for themselves and put 0 back.
	"$here/run-tests.sh" "$sel/sysmap_prctl_test" "$sel/sysmap_inherit_test" || failed=1
	check "the selftests put level 0 back" test "$(cat $level)" = 0
	out=$(as_nobody "$tools/sysmapctl" exec --unseal -- "$tools/rr_pattern" /bin/true 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	check "level 0: rr pattern as nobody under exec --unseal works (vvar unmapped, vdso moved)" \
		test $rc -eq 0
	# Two ordinary users' processes opt out, then wait; the level goes up
	# meanwhile, to 1 before the first executes again, to 2 before the second.
	: >"$tools/holder1.pid"
	: >"$tools/holder2.pid"
	chmod 0666 "$tools/holder1.pid" "$tools/holder2.pid"
	for i in 1 2; do
		mkfifo -m 0666 "$tools/go$i"
		as_nobody "$tools/sysmapctl" exec --unseal -- sh -c \
			"echo \$\$ >$tools/holder$i.pid; read x <$tools/go$i; exec cat /proc/self/status" \
			>"$tools/after$i" 2>&1 &
		eval "job$i=\$!"
	done
	# Wait for the condition itself (both holders are up), with a deadline
	# that a KASAN guest under emulation meets.
	for _ in $(seq 600); do
		[ -s "$tools/holder1.pid" ] && [ -s "$tools/holder2.pid" ] && break
		sleep 0.1
	done
	holder1=$(cat "$tools/holder1.pid" 2>/dev/null)
	holder2=$(cat "$tools/holder2.pid" 2>/dev/null)
	check "level 0: nobody's opted-out processes run unsealed" \
		test "$(printf '%s\n%s\n' "$(field "$holder1")" "$(field "$holder2")" |
			grep -c "image=unsealed policy=unseal")" = 2
	echo 1 >$level
	check "the level can be raised to 1" test "$(cat $level)" = 1
	echo go >"$tools/go1"
	wait "$job1"
	check "level 1: the opted-out process's next image is sealed" \
		grep -q "^Mseal_sysmap:.*image=sealed policy=seal" "$tools/after1"
	echo 2 >$level
	check "the level can be raised to 2" test "$(cat $level)" = 2
	echo go >"$tools/go2"
	wait "$job2"
	check "level 2: the opted-out process's next image is sealed" \
		grep -q "^Mseal_sysmap:.*image=sealed policy=seal" "$tools/after2"
	check "level 2: writing 1 fails" sh -c "! echo 1 >$level"
	;;
*) echo "usage: levels.sh boot2|raise" >&2; exit 2 ;;
esac

"$here/run-tests.sh" "$sel/sysmap_optout_test"
rc=$?
rm -rf "$tools"
[ $rc -eq 0 ] || failed=1
exit $failed
