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
echo "# running x86/test_mremap_vdso_64 sealed (must fail)"
if out=$("$sel/x86/test_mremap_vdso_64" 2>&1); then
	echo "not ok x86/test_mremap_vdso_64 sealed: moved a sealed vDSO"
else
	printf '%s\n' "$out" | sed 's/^/# /'
	echo "ok x86/test_mremap_vdso_64 sealed: refused as expected"
fi
