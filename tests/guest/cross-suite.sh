#!/bin/sh
# The suite of the guests of other architectures (busybox sh; arm64,
# riscv64, s390x, loongarch64): the series' selftests, upstream's sysmap_is_sealed (and
# its negative control) and mm's mseal_test, sysmapctl, "sysmapctl seal"
# of native targets, on arm64 the AArch32 compat helper's mappings and
# signal return and AArch32 targets, and Debian's criu where Debian builds
# it (tests/guest/cross-criu.sh). Prints TAP.
# The architecture: arm64, riscv64, s390x, loongarch64 (Debian's names,
# but loongarch64 for Debian's loong64, which is what the kernel says).
machine=$(uname -m)
[ "$machine" != aarch64 ] || machine=arm64
echo "# $machine guest, kernel $(uname -r)"
status=0
n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; status=1; }

for t in /tests/sysmap_*_test /tests/sysmap_is_sealed /tests/mseal_test; do
	# sysmap_is_sealed is upstream's (6.15 on): the 6.12 series has none.
	[ -e "$t" ] || continue
	echo "# running $t"
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -e '/^TAP version/d' -e '/^1\.\./d'
	if printf '%s\n' "$out" | grep -q '^not ok'; then
		status=1
	elif [ $rc -ne 0 ] && [ $rc -ne 4 ]; then
		nok "$t exited with status $rc without reporting a failure"
	fi
done

# Upstream's test of sealed system mappings, as the negative control: in an
# opted-out process it must fail on [vdso] and still pass on [stack].
if [ -e /tests/sysmap_is_sealed ]; then
	out=$(sysmapctl exec --unseal -- /tests/sysmap_is_sealed 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -Eq '^not ok [0-9]+ basic\.vdso\.check_sealed' &&
		printf '%s\n' "$out" | grep -Eq '^ok [0-9]+ basic\.stack\.check_sealed'; then
		ok "sysmap_is_sealed opted out: fails on [vdso], passes on [stack]"
	else
		nok "sysmap_is_sealed opted out: exit $rc, want [vdso] reported unsealed"
	fi
fi

# The compat helper directly (arm64: AArch32): sealed by default, unsealed
# when opted out, and the signal handler returns through [sigpage] in both.
[ "$machine" = arm64 ] && compat_maps="[vdso] [sigpage] [vectors]" || compat_maps=
for m in $compat_maps; do
	/tests/sysmap_compat32 "$m"
	rc=$?
	[ $rc -eq 0 ] && ok "AArch32 $m sealed, signal return works" ||
		nok "AArch32 $m sealed: helper status $rc"
	sysmapctl exec --unseal -- /tests/sysmap_compat32 "$m"
	rc=$?
	[ $rc -eq 1 ] && ok "AArch32 $m unsealed when opted out, signal return works" ||
		nok "AArch32 $m opted out: helper status $rc"
done

out=$(sysmapctl status)
printf '%s\n' "$out" | sed 's/^/# /'
printf '%s\n' "$out" | grep -Eq '^ +\[vdso\] .* yes$' && ok "sysmapctl status: [vdso] sealed" ||
	nok "sysmapctl status: [vdso] not shown sealed"
printf '%s\n' "$out" | grep -Eq '^ +\[vvar\] .* yes$' && ok "sysmapctl status: [vvar] sealed" ||
	nok "sysmapctl status: [vvar] not shown sealed"
out=$(sysmapctl check)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && ok "sysmapctl check: sealing active" || nok "sysmapctl check: exit $rc"
out=$(sysmapctl exec --unseal -- sysmapctl check)
[ $? -eq 1 ] && ok "sysmapctl check under --unseal: exit 1, not active" ||
	nok "sysmapctl check under --unseal"
# sysmapctl seal: ptrace injection of the prctl, into a native shell
# blocked in a system call, into native targets spinning with known values
# in their registers and blocked in read(), and on arm64 into the same
# AArch32 targets. Each is started opted out, sealed from outside, and
# must carry on undisturbed.
state() { grep '^Mseal_sysmap:' "/proc/$1/status" 2>/dev/null; }
# Every wait is for a condition, with a deadline that a slow emulated
# guest stays well inside.
until_true() {	# until_true SECONDS COMMAND...
	end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
wait_for() { until_true 120 test -s "$1"; }
# Asleep in a system call (not running, not stopped).
blocked() {
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = S ] &&
		! grep -q '^running' "/proc/$1/syscall" 2>/dev/null
}
gone() { ! kill -0 "$1" 2>/dev/null; }
counter_above() { [ "$(cut -d' ' -f1 "$1" 2>/dev/null || echo 0)" -gt "$2" ]; }
mkdir -p /tmp/seal64
sysmapctl exec --unseal -- sh -c 'echo $$ > /tmp/seal64/pid; t0=$(date +%s); sleep 8; echo $(( $(date +%s) - t0 )) > /tmp/seal64/slept' &
wait_for /tmp/seal64/pid
pid=$(cat /tmp/seal64/pid)
until_true 120 blocked "$pid" || nok "sysmapctl seal, $machine: the shell $pid never blocked"
before=$(state "$pid")
sysmapctl seal --tree "$pid"
rc=$?
after=$(state "$pid")
echo "# $machine shell $pid: before: $before; after: $after"
[ $rc -eq 0 ] && echo "$before" | grep -q 'image=unsealed policy=unseal' &&
	echo "$after" | grep -q 'image=sealed policy=seal' &&
	ok "sysmapctl seal, $machine: an opted-out shell is sealed" ||
	nok "sysmapctl seal, $machine: exit $rc, state before '$before', after '$after'"
wait
slept=$(cat /tmp/seal64/slept 2>/dev/null)
[ -n "$slept" ] && [ "$slept" -ge 8 ] &&
	ok "sysmapctl seal, $machine: its interrupted sleep resumed and lasted its 8 s ($slept s)" ||
	nok "sysmapctl seal, $machine: the shell did not finish its sleep (slept '$slept')"

# seal_spinner PID DIR RC STATE WHAT SPINS [VAR=VALUE...]: "sysmapctl seal
# PID" (in that environment) exits with RC and leaves a status line
# matching STATE (result WHAT), and the spinner's counter in DIR moves on:
# it exits if a register changed (result SPINS).
seal_spinner() {
	local pid=$1 cdir=$2 want_rc=$3 want=$4 what=$5 spins=$6 rc after c1 c2
	shift 6
	env "$@" sysmapctl seal "$pid" 2>"$cdir/stderr"
	rc=$?
	sed 's/^/# /' "$cdir/stderr"
	after=$(state "$pid")
	c1=$(cut -d' ' -f1 "$cdir/counter")
	until_true 120 counter_above "$cdir/counter" "$c1"
	c2=$(cut -d' ' -f1 "$cdir/counter")
	echo "# $label spinner $pid: exit $rc, after: $after; counter $c1 -> $c2"
	[ $rc -eq "$want_rc" ] && echo "$after" | grep -q "$want" &&
		ok "sysmapctl seal, $label: $what" ||
		nok "sysmapctl seal, $label: $what: exit $rc, state after '$after'"
	[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ] && kill -0 "$pid" 2>/dev/null &&
		ok "sysmapctl seal, $label: $spins" ||
		nok "sysmapctl seal, $label: $spins: the spinner stopped (counter $c1 -> $c2)"
}

# seal_targets PROGRAM LABEL REGISTERS: seal a PROGRAM spinning with known
# values in REGISTERS (it exits if one changes), and one blocked in read().
seal_targets() {
	prog=$1 label=$2 regs=$3 dir=/tmp/targets-$2
	mkdir -p "$dir/spin" "$dir/read"
	sysmapctl exec --unseal -- "$prog" "$dir/spin" spin &
	spin=$!
	if wait_for "$dir/spin/ready"; then
		pid=$(cat "$dir/spin/ready")
		# The first injected call stopped as it enters the kernel, and
		# given back: the kernel must skip it (on arm64 the number it
		# runs is not x8 but a copy made before the stop).
		seal_spinner "$pid" "$dir/spin" 3 'image=unsealed policy=unseal' \
			"a call stopped at its entry is skipped (exit 3, still opted out)" \
			"after the skipped call the target still spins" SYSMAP_SEAL_FAULT=entry
		seal_spinner "$pid" "$dir/spin" 0 'image=sealed policy=seal' "a spinning target is sealed" \
			"$regs and the stack pointer intact, the target still spins"
		kill -KILL "$spin" "$pid" 2>/dev/null
	else
		nok "sysmapctl seal, $label: the spinning target never started"
		for t in "a call stopped at its entry" "after the skipped call" "sealing it"; do
			nok "sysmapctl seal, $label: $t (not run)"
		done
	fi
	wait

	# The reader opens the pipe for reading, the suite holds its only writer:
	# closing it ends the reader with end of file.
	mkfifo "$dir/read/in"
	sysmapctl exec --unseal -- "$prog" "$dir/read" read <"$dir/read/in" &
	reader=$!
	exec 3>"$dir/read/in"
	if wait_for "$dir/read/ready"; then
		pid=$(cat "$dir/read/ready")
		until_true 120 blocked "$pid" || nok "sysmapctl seal, $label: the reader $pid never blocked in read()"
		sysmapctl seal "$pid"
		rc=$?
		after=$(state "$pid")
		echo sysmap-line >&3
		wait_for "$dir/read/got"
		got=$(cat "$dir/read/got" 2>/dev/null)
		echo "# $label reader $pid: after: $after; got: $got"
		[ $rc -eq 0 ] && echo "$after" | grep -q 'image=sealed policy=seal' && [ "$got" = sysmap-line ] &&
			ok "sysmapctl seal, $label: a target blocked in read() is sealed, and its read() returns the line" ||
			nok "sysmapctl seal, $label reader: exit $rc, state '$after', got '$got'"
	else
		nok "sysmapctl seal, $label: the reading target never started"
	fi
	exec 3>&-
	if ! until_true 120 gone "$reader"; then
		nok "sysmapctl seal, $label: the reader did not end at end of file"
		kill -KILL "$reader" 2>/dev/null
	else
		ok "sysmapctl seal, $label: the sealed reader ended at end of file"
	fi
	wait "$reader" 2>/dev/null
}
seal_targets /tests/seal_target "$machine" "the general-purpose registers"
[ "$machine" != arm64 ] || seal_targets /tests/seal_target32 AArch32 "r4-r11"

if [ "$machine" = riscv64 ] || [ "$machine" = loongarch64 ]; then
	echo "# criu: Debian builds no criu for $machine"
else
	. /tests/criu.sh
fi
exit $status
