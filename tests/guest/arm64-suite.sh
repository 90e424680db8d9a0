#!/bin/sh
# The arm64 guest's suite (busybox sh): the series' selftests, the AArch32
# compat helper's mappings and signal return, and sysmapctl. Prints TAP.
status=0
n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; status=1; }

for t in /tests/sysmap_*_test; do
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
exit $status
