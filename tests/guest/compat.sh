#!/usr/bin/env bash
# Debian's own programs on a real workload (tests/programs/compat_hello.cpp,
# built by scripts/build-compat.sh), on the kernel the guest booted:
#
#   compat.sh [SCENARIO...]
#
# SCENARIO is one of gdb strace ltrace valgrind qemu-user uml wine; the
# default is every one but wine, which needs the packages of
# "scripts/deps.sh compat" and a guest CPU without SMAP (see wine below).
# On the sealing kernel each scenario runs twice: "sealed" (the default
# policy) and "unsealed" (under "sysmapctl exec --unseal"); on a kernel
# without the feature once, as "baseline". Each run asserts the workload's
# own result; each way first proves that the images it starts are in the
# state its name says. Prints TAP; the output of every run is kept in
# $SYSMAP_GUEST_RESULTS/compat-logs/WAY-SCENARIO.log.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAP_BIN:-$here/../../build/userspace}/sysmapctl
work=${SYSMAP_CACHE:-$HOME/.cache/sysmap-seal}/compat
logs=${SYSMAP_GUEST_RESULTS:-/tmp}/compat-logs
tmp=$(mktemp -d /tmp/compat.XXXXXX)
mkdir -p "$logs"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(gdb strace ltrace valgrind qemu-user uml)

n=0
failed=0
way=
log=
ok() { n=$((n + 1)); echo "ok $n $way: $*"; }
nok() { n=$((n + 1)); echo "not ok $n $way: $*"; failed=1; }
check() {	# check NAME COMMAND...: one result from COMMAND's status
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
has() { grep -qE -- "$1" "$log"; }	# has REGEX: the run's output matches
count() { grep -cE -- "$1" "$log"; }

# run SCENARIO COMMAND...: run COMMAND the current way, output to its log;
# sets $rc and $log.
run() {
	local scenario=$1
	shift
	log=$logs/$way-$scenario.log
	if [ "$way" = unsealed ]; then
		(cd "$tmp" && timeout 900 "$ctl" exec --unseal -- "$@") >"$log" 2>&1
	else
		(cd "$tmp" && timeout 900 "$@") >"$log" 2>&1
	fi
	rc=$?
	echo "# $way $scenario: exit status $rc, output in $log"
}

# The state of the images this way starts, from a child's status line.
check_way() {
	local line
	line=$( { if [ "$way" = unsealed ]; then "$ctl" exec --unseal -- cat /proc/self/status
		else cat /proc/self/status; fi; } 2>&1 | grep '^Mseal_sysmap:')
	case $way in
	sealed) check "programs start sealed (${line:-no status line})" \
		grep -q "image=sealed policy=seal" <<<"$line" ;;
	unsealed) check "programs start opted out (${line:-no status line})" \
		grep -q "image=unsealed policy=unseal" <<<"$line" ;;
	baseline) check "kernel without the feature (no status line)" test -z "$line" ;;
	esac
}

# gdb reads the vDSO's symbols from memory, plants a breakpoint in it (a
# ptrace write, which sealing does not stop) and single-steps there. The
# inferior's status line, printed at the breakpoint, shows that the vDSO
# gdb wrote to was sealed (or not) as the way says.
scenario_gdb() {
	local want
	run gdb gdb -nx -batch -ex 'set breakpoint pending on' \
		-ex 'break __vdso_clock_gettime' -ex run -ex 'info symbol $pc' \
		-ex 'python gdb.execute("shell grep -H Mseal_sysmap /proc/%d/status || echo no status line" % gdb.selected_inferior().pid)' \
		-ex stepi -ex 'info symbol $pc' -ex delete -ex continue "$work/compat_hello"
	case $way in
	sealed) want='/status:Mseal_sysmap:[[:space:]]+image=sealed ' ;;
	unsealed) want='/status:Mseal_sysmap:[[:space:]]+image=unsealed ' ;;
	baseline) want='^no status line' ;;
	esac
	check "gdb: the inferior's image is $way" has "$want"
	check "gdb: breakpoint hit in the vDSO's clock_gettime" \
		has '^Breakpoint 1, 0x[0-9a-f]+ in clock_gettime \(\)'
	check "gdb: stepi moved within the vDSO" \
		test "$(grep -E 'clock_gettime( \+ [0-9]+)? in section .text of system-supplied DSO' "$log" |
			sort -u | wc -l)" -eq 2
	check "gdb: continued, the program's answer is right and it exited normally" \
		eval 'has "^compat-hello answer=42 clocks=ok" && has "exited normally"'
}

# The child's execve() succeeded, under another PID than the parent's. With
# -f, strace may split a call that another process interrupts into
# "<unfinished ...>" and "<... execve resumed>".
strace_child_exec() {
	local parent child
	parent=$(sed -nE 's/^([0-9]+) +execve\(.*/\1/p' "$log" | head -n 1)
	child=$(sed -nE 's/^([0-9]+) +execve\("\/bin\/echo", \["echo", "compat-child-exec"\].*/\1/p' "$log" | head -n 1)
	[ -n "$child" ] && [ "$child" != "$parent" ] &&
		grep -qE "^$child +(execve\(\"/bin/echo\".*|<\.\.\. execve resumed>.*) = 0$" "$log"
}

# strace -f follows the fork and the child's execve().
scenario_strace() {
	run strace strace -f -o "$tmp/strace.out" "$work/compat_hello" --fork-exec
	cat "$tmp/strace.out" >>"$log"
	check "strace -f: exit 0, parent and child printed their lines" \
		eval '[ $rc -eq 0 ] && has "^compat-child-exec" && has "^compat-parent child-status=0"'
	check "strace -f: the child's execve(\"/bin/echo\") traced under its own PID" strace_child_exec
	check "strace -f: two processes traced to their exit" \
		test "$(count '^[0-9]+ +\+\+\+ exited with 0 \+\+\+')" -eq 2
}

# ltrace -f sees the C library's clock calls and follows fork and exec.
scenario_ltrace() {
	run ltrace ltrace -f -e clock_gettime+gettimeofday "$work/compat_hello" --fork-exec
	check "ltrace -f: clock_gettime() and gettimeofday() calls traced" \
		eval 'has "compat_hello->clock_gettime\(1, " && has "compat_hello->gettimeofday\("'
	check "ltrace -f: followed the child through execve()" \
		eval 'has "--- Called exec\(\) ---" && has "^compat-child-exec"'
	check "ltrace -f: exit 0, the program's answer is right" \
		eval '[ $rc -eq 0 ] && has "^compat-hello answer=42 clocks=ok" && has "^compat-parent child-status=0"'
}

# Memcheck runs the program on its synthetic CPU; the clocks still work.
scenario_valgrind() {
	run valgrind valgrind --error-exitcode=9 "$work/compat_hello"
	check "valgrind memcheck: exit 0 and a clean report" \
		eval '[ $rc -eq 0 ] && has "ERROR SUMMARY: 0 errors from 0 contexts" && has "All heap blocks were freed"'
	check "valgrind memcheck: the program's answer is right" has '^compat-hello answer=42 clocks=ok'
}

# qemu-user runs static aarch64 and armhf builds of the workload.
scenario_qemu-user() {
	run qemu-aarch64 qemu-aarch64-static "$work/compat_hello_aarch64"
	check "qemu-aarch64-static: exit 0, the program's answer is right" \
		eval '[ $rc -eq 0 ] && has "^compat-hello answer=42 clocks=ok"'
	run qemu-arm qemu-arm-static "$work/compat_hello_armhf"
	check "qemu-arm-static (armhf): exit 0, the program's answer is right" \
		eval '[ $rc -eq 0 ] && has "^compat-hello answer=42 clocks=ok"'
}

# User Mode Linux boots with the host's root as hostfs and the static
# workload as init, which prints its answer and powers the machine off.
scenario_uml() {
	run uml linux.uml mem=64M root=/dev/root rootfstype=hostfs rootflags=/ rw \
		"init=$work/compat_hello_static" con=null con0=null,fd:1
	check "uml: the kernel booted and ran init (the workload)" has '^compat-init uname=Linux/'
	check "uml: init's answer is right, and the machine powered off" \
		eval 'has "^compat-hello answer=42 clocks=ok" && has "compat-init .* hello=0" && ! has "Kernel panic"'
}

# Wine runs a Windows console build of the workload, starting from an empty
# prefix (wineboot). Under QEMU 7.2's software emulation with "-cpu max",
# Wine's start-up makes the guest kernel report "BUG: unable to handle page
# fault" and an Oops at a user-mode iretq (SMAP taken for a supervisor
# access), on the baseline kernel as on the sealing one: an emulator bug,
# not ours. make compat boots this scenario with "-cpu max,-smap".
scenario_wine() {
	run wine env WINEPREFIX="$tmp/wine-$way" WINEDEBUG=-all HOME="$tmp" \
		/usr/lib/wine/wine64 "$work/compat_hello.exe"
	check "wine64: exit 0, the Windows program's answer is right" \
		eval '[ $rc -eq 0 ] && has "^compat-hello answer=42 clocks=ok"'
	# The prefix takes hundreds of MB of the guest's memory: remove it once
	# its wineserver has exited.
	WINEPREFIX="$tmp/wine-$way" timeout 120 /usr/lib/wine/wineserver -w
	rm -rf "$tmp/wine-$way"
}

if grep -q '^Mseal_sysmap:' /proc/self/status; then
	ways=(sealed unsealed)
else
	ways=(baseline)
fi
for way in "${ways[@]}"; do
	check_way
	for s in "${scenarios[@]}"; do
		if declare -F "scenario_$s" >/dev/null; then
			"scenario_$s"
		else
			nok "no scenario named $s"
		fi
	done
done
rm -rf "$tmp"
exit $failed
