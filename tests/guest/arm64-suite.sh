#!/bin/sh
# The arm64 guest's suite (busybox sh): the series' selftests, upstream's
# sysmap_is_sealed (and its negative control) and mm's mseal_test, the AArch32
# compat helper's mappings and signal return, sysmapctl, and Debian's criu
# (tests/guest/arm64-criu.sh). Prints TAP.
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

# The compat helper directly: sealed by default, unsealed when opted out,
# and the signal handler returns through [sigpage] in both.
for m in "[vdso]" "[sigpage]" "[vectors]"; do
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
# sysmapctl seal: ptrace injection of the prctl on arm64, into a native
# shell blocked in a system call and into AArch32 targets (spinning with
# known values in r4-r11, and blocked in read()). Each is started opted
# out, sealed from outside, and must carry on undisturbed.
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
mkdir -p /tmp/seal64 /tmp/spin32 /tmp/read32
sysmapctl exec --unseal -- sh -c 'echo $$ > /tmp/seal64/pid; t0=$(date +%s); sleep 8; echo $(( $(date +%s) - t0 )) > /tmp/seal64/slept' &
wait_for /tmp/seal64/pid
pid=$(cat /tmp/seal64/pid)
until_true 120 blocked "$pid" || nok "sysmapctl seal, arm64: the shell $pid never blocked"
before=$(state "$pid")
sysmapctl seal --tree "$pid"
rc=$?
after=$(state "$pid")
echo "# arm64 shell $pid: before: $before; after: $after"
[ $rc -eq 0 ] && echo "$before" | grep -q 'image=unsealed policy=unseal' &&
	echo "$after" | grep -q 'image=sealed policy=seal' &&
	ok "sysmapctl seal, arm64: an opted-out shell is sealed" ||
	nok "sysmapctl seal, arm64: exit $rc, state before '$before', after '$after'"
wait
slept=$(cat /tmp/seal64/slept 2>/dev/null)
[ -n "$slept" ] && [ "$slept" -ge 8 ] &&
	ok "sysmapctl seal, arm64: its interrupted sleep resumed and lasted its 8 s ($slept s)" ||
	nok "sysmapctl seal, arm64: the shell did not finish its sleep (slept '$slept')"

sysmapctl exec --unseal -- /tests/seal_target32 /tmp/spin32 spin &
spin=$!
if wait_for /tmp/spin32/ready; then
	pid=$(cat /tmp/spin32/ready)
	sysmapctl seal "$pid"
	rc=$?
	after=$(state "$pid")
	c1=$(cut -d' ' -f1 /tmp/spin32/counter)
	until_true 120 counter_above /tmp/spin32/counter "$c1"
	c2=$(cut -d' ' -f1 /tmp/spin32/counter)
	echo "# AArch32 spinner $pid: after: $after; counter $c1 -> $c2"
	[ $rc -eq 0 ] && echo "$after" | grep -q 'image=sealed policy=seal' &&
		ok "sysmapctl seal, AArch32: a spinning target is sealed" ||
		nok "sysmapctl seal, AArch32: exit $rc, state after '$after'"
	[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ] && kill -0 "$pid" 2>/dev/null &&
		ok "sysmapctl seal, AArch32: r4-r11 and sp intact, the target still spins" ||
		nok "sysmapctl seal, AArch32: the spinner stopped or saw a register change (counter $c1 -> $c2)"
	kill -KILL "$spin" "$pid" 2>/dev/null
else
	nok "sysmapctl seal, AArch32: the spinning target never started"
	nok "sysmapctl seal, AArch32: (not run)"
fi
wait

# The reader opens the pipe for reading, the suite holds its only writer:
# closing it ends the reader with end of file.
mkfifo /tmp/read32/in
sysmapctl exec --unseal -- /tests/seal_target32 /tmp/read32 read </tmp/read32/in &
reader=$!
exec 3>/tmp/read32/in
if wait_for /tmp/read32/ready; then
	pid=$(cat /tmp/read32/ready)
	until_true 120 blocked "$pid" || nok "sysmapctl seal, AArch32: the reader $pid never blocked in read()"
	sysmapctl seal "$pid"
	rc=$?
	after=$(state "$pid")
	echo sysmap-line >&3
	wait_for /tmp/read32/got
	got=$(cat /tmp/read32/got 2>/dev/null)
	echo "# AArch32 reader $pid: after: $after; got: $got"
	[ $rc -eq 0 ] && echo "$after" | grep -q 'image=sealed policy=seal' && [ "$got" = sysmap-line ] &&
		ok "sysmapctl seal, AArch32: a target blocked in read() is sealed, and its read() returns the line" ||
		nok "sysmapctl seal, AArch32 reader: exit $rc, state '$after', got '$got'"
else
	nok "sysmapctl seal, AArch32: the reading target never started"
fi
exec 3>&-
if ! until_true 120 gone "$reader"; then
	nok "sysmapctl seal, AArch32: the reader did not end at end of file"
	kill -KILL "$reader" 2>/dev/null
else
	ok "sysmapctl seal, AArch32: the sealed reader ended at end of file"
fi
wait "$reader" 2>/dev/null

. /tests/criu.sh
exit $status
