#!/usr/bin/env bash
# vm.mseal_sysmap_optout in guests booted with a command-line setting.
#
#   levels.sh boot2   booted with "sysctl.vm.mseal_sysmap_optout=2
#                     mseal_sysmap=off": level 2 from the command line wins
#                     over the rescue switch, cannot be lowered, and nobody
#                     may opt out
#   levels.sh raise   booted with "sysctl.vm.mseal_sysmap_optout=0": an
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
	check "dmesg: the kernel saw mseal_sysmap=off" grep -q "booted with mseal_sysmap=off" <(dmesg)
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
	out=$(as_nobody "$tools/sysmapctl" exec --unseal -- "$tools/rr_pattern" /bin/true 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	check "level 0: rr pattern as nobody under exec --unseal works (vvar unmapped, vdso moved)" \
		test $rc -eq 0
	# An ordinary user opts out, then waits; the level goes up meanwhile.
	fifo=$tools/go
	mkfifo -m 0666 "$fifo"
	: >"$tools/holder.pid"
	chmod 0666 "$tools/holder.pid"
	as_nobody "$tools/sysmapctl" exec --unseal -- sh -c \
		"echo \$\$ >$tools/holder.pid; read x <$fifo; exec cat /proc/self/status" \
		>"$tools/after" 2>&1 &
	job=$!
	for _ in $(seq 100); do
		[ -s "$tools/holder.pid" ] && break
		sleep 0.2
	done
	holder=$(cat "$tools/holder.pid" 2>/dev/null)
	check "level 0: nobody's opted-out process runs unsealed" \
		grep -q "image=unsealed policy=unseal" <<<"$(field "$holder")"
	echo 2 >$level
	check "the level can be raised to 2" test "$(cat $level)" = 2
	echo go >"$fifo"
	wait "$job"
	check "level 2: the opted-out process's next image is sealed" \
		grep -q "^Mseal_sysmap:.*image=sealed policy=seal" "$tools/after"
	check "level 2: writing 1 fails" sh -c "! echo 1 >$level"
	;;
*) echo "usage: levels.sh boot2|raise" >&2; exit 2 ;;
esac

"$here/run-tests.sh" "$sel/sysmap_optout_test"
rc=$?
rm -rf "$tools"
[ $rc -eq 0 ] || failed=1
exit $failed
