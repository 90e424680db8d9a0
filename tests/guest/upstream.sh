#!/usr/bin/env bash
# The tree's own selftests that touch sealing and the vDSO, on the sealing
# kernel. test_mremap_vdso moves the vDSO, so it runs opted out, where it
# must pass; sealed, it must fail, which shows the opt-out is what matters.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sel=${SYSMAP_SELFTESTS:?}

"$here/run-tests.sh" "$sel/mm/mseal_test" "$sel/mm/mdwe_test" "$sel/x86/test_vsyscall_64"
"$here/run-tests.sh" --unsealed "$sel/x86/test_mremap_vdso_64"

# Negative control: the same test in a sealed process cannot move the vDSO.
# 6.12's version fails for that reason (its mremap() of the vDSO returns
# EPERM); 7.3's knows about sealing, finds "sl" on [vdso] and skips.
echo "# running x86/test_mremap_vdso_64 sealed (must fail with EPERM, or skip: vdso is sealed)"
out=$("$sel/x86/test_mremap_vdso_64" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -ne 0 ] && grep -q "Moving vDSO" <<<"$out" &&
	grep -q "mremap failed (1): Operation not permitted" <<<"$out"; then
	echo "ok x86/test_mremap_vdso_64 sealed: the vDSO move is refused with EPERM"
elif grep -qE '^ok 1 # SKIP vdso is sealed' <<<"$out"; then
	echo "ok x86/test_mremap_vdso_64 sealed: the test finds the vDSO sealed and does not move it"
else
	echo "not ok x86/test_mremap_vdso_64 sealed: exit $rc, want a refused move of the vDSO or the test's 'vdso is sealed'"
fi

# Upstream's own test of sealed system mappings: it passes in a sealed
# process, and, as the negative control, fails in an opted-out one, where
# [vdso] carries no "sl".
is_sealed=$sel/mseal_system_mappings/sysmap_is_sealed
if [ -x "$is_sealed" ]; then
	"$here/run-tests.sh" "$is_sealed"
	echo "# running mseal_system_mappings/sysmap_is_sealed opted out (must fail on [vdso])"
	out=$("${SYSMAPCTL:-$here/../../build/userspace/sysmapctl}" exec --unseal -- "$is_sealed" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ $rc -ne 0 ] && grep -qE '^not ok [0-9]+ basic\.vdso\.check_sealed' <<<"$out" &&
		grep -qE '^ok [0-9]+ basic\.stack\.check_sealed' <<<"$out"; then
		echo "ok mseal_system_mappings/sysmap_is_sealed opted out: fails on [vdso], passes on [stack]"
	else
		echo "not ok mseal_system_mappings/sysmap_is_sealed opted out: exit $rc, want [vdso] reported unsealed"
	fi
fi
