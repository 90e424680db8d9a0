#!/usr/bin/env bash
# rr's pattern, without rr (it needs hardware performance counters, which
# software emulation lacks): a ptrace tracer that, after the tracee's
# execve(), injects munmap([vvar]) and mremap([vdso]) into it. Refused
# with EPERM when sealed; both succeed when the tracer was started with
# "sysmapctl exec --unseal", as real rr must be. At the default level (1)
# an ordinary user may not opt out, so rr's pattern fails for them; at
# level 0 it works (tests/guest/levels.sh raise). Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${SYSMAP_BIN:-$here/../../build/userspace}
out=$("$bin/rr_pattern" /bin/true 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -eq 1 ]; then echo "ok 1 rr pattern sealed: both injected calls refused with EPERM"
else echo "not ok 1 rr pattern sealed: exit $rc (want 1)"; fi
out=$("$bin/sysmapctl" exec --unseal -- "$bin/rr_pattern" /bin/true 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -eq 0 ]; then echo "ok 2 rr pattern unsealed: vvar unmapped and vdso moved in the tracee"
else echo "not ok 2 rr pattern unsealed: exit $rc (want 0)"; fi
tools=$(mktemp -d /tmp/rr-pattern.XXXXXX)
chmod 0755 "$tools"
install -m 0755 "$bin/sysmapctl" "$bin/rr_pattern" "$tools/"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$tools/sysmapctl" exec --unseal -- "$tools/rr_pattern" /bin/true 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -ne 0 ] && ! grep -q "^tracee" <<<"$out"; then
	echo "ok 3 rr pattern as nobody at level 1: the opt-out is refused, nothing runs unsealed"
else
	echo "not ok 3 rr pattern as nobody at level 1: exit $rc (want the opt-out refused)"
fi
rm -rf "$tools"
