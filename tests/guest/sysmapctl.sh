#!/usr/bin/env bash
# sysmapctl in a booted guest. Argument: "seal" on the sealing kernel,
# "base" on the kernel built without the feature. Prints TAP.
set -uo pipefail
kernel=${1:?usage: sysmapctl.sh seal|base}
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAPCTL:-$here/../../build/userspace/sysmapctl}
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
# check NAME COMMAND...: the command must succeed
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)'; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

if [ "$kernel" = base ]; then
	out=$("$ctl" check 2>&1)
	check "check: exit 4 on a kernel without the feature" test $? -eq 4
	check "check: says not supported" grep -q "not supported" <<<"$out"
	err=$("$ctl" exec --unseal -- true 2>&1 >/dev/null)
	check "exec --unseal: runs the program anyway" test $? -eq 0
	check "exec --unseal: says nothing is sealed here" grep -q "nothing is sealed here" <<<"$err"
	"$ctl" exec --seal -- true 2>/dev/null
	check "exec --seal: exit 125, cannot honour it" test $? -eq 125
	"$ctl" audit >/dev/null 2>&1
	check "audit: exit 4" test $? -eq 4
	out=$("$ctl" status)
	check "status: works and says unsupported" grep -q "not supported by this kernel" <<<"$out"
	check "status: [vdso] shown unsealed" grep -qE '^\s+\[vdso\].* no$' <<<"$out"
	exit $failed
fi

# status of itself: every system mapping sealed.
out=$("$ctl" status)
check "status: exit 0" test $? -eq 0
check "status: [vdso] sealed" grep -qE '^\s+\[vdso\].* yes$' <<<"$out"
check "status: [vvar] sealed" grep -qE '^\s+\[vvar\].* yes$' <<<"$out"
check "status: image sealed, policy seal" grep -q "image: sealed  policy: seal  locked: no" <<<"$out"
printf '%s\n' "$out" | sed 's/^/# /'
json=$("$ctl" status --json)
check "status --json: valid JSON" json_ok <<<"$json"
check "status --json: every mapping but [vsyscall] sealed" test "$(field 'all(m["sealed"] for m in d["processes"][0]["mappings"] if m["mapping"]!="[vsyscall]")' <<<"$json")" = True
# [vsyscall] is outside the process's address space: no call can change it
# in any process, so the kernel does not mark it sealed, and neither do we.
check "status --json: [vsyscall] listed, not sealed" test "$(field '[m["sealed"] for m in d["processes"][0]["mappings"] if m["mapping"]=="[vsyscall]"]' <<<"$json")" = "[False]"

# status of another process.
sleep 300 &
other=$!
out=$("$ctl" status "$other")
check "status PID: another process is sealed" grep -qE '^\s+\[vdso\].* yes$' <<<"$out"
"$ctl" status 999999 >/dev/null 2>&1
check "status PID: a missing process is exit 3" test $? -eq 3
kill "$other"

# exec --unseal / --seal --lock, read back through status.
json=$("$ctl" exec --unseal -- "$ctl" status --json)
check "exec --unseal: child image unsealed" test "$(field 'd["processes"][0]["image"]' <<<"$json")" = False
check "exec --unseal: child policy unseal" test "$(field 'd["processes"][0]["policy"]' <<<"$json")" = unseal
check "exec --unseal: child [vdso] not sealed" test "$(field 'any(m["sealed"] for m in d["processes"][0]["mappings"] if m["mapping"]=="[vdso]")' <<<"$json")" = False
json=$("$ctl" exec --seal --lock -- "$ctl" status --json)
check "exec --seal --lock: child locked" test "$(field 'd["processes"][0]["locked"]' <<<"$json")" = True
check "exec --seal --lock: child sealed" test "$(field 'd["processes"][0]["image"]' <<<"$json")" = True
err=$("$ctl" exec --seal --lock -- "$ctl" exec --unseal -- true 2>&1)
check "exec --unseal under a lock: exit 125" test $? -eq 125
check "exec --unseal under a lock: says locked" grep -q "locked" <<<"$err"

# Exit status passthrough.
"$ctl" exec --seal -- sh -c 'exit 7'
check "exec: the program's exit status is passed through" test $? -eq 7
"$ctl" exec --seal -- /nonexistent/program 2>/dev/null
check "exec: a missing program is exit 127" test $? -eq 127

# audit finds a deliberately opted-out process.
"$ctl" exec --unseal -- sleep 300 &
optout=$!
# Until sysmapctl has executed sleep (its command line says so), 120 s at most.
for _ in $(seq 1200); do
	[ "$(tr '\0' ' ' <"/proc/$optout/cmdline" 2>/dev/null)" = "sleep 300 " ] && break
	sleep 0.1
done
out=$("$ctl" audit --fail-on-unsealed)
check "audit --fail-on-unsealed: exit 1 with an opted-out process" test $? -eq 1
check "audit: lists the opted-out process" grep -qE "^$optout +root +unsealed +unseal +no +sleep 300" <<<"$out"
printf '%s\n' "$out" | sed 's/^/# /'
json=$("$ctl" audit --json)
check "audit --json: exit 0 without --fail-on-unsealed" test $? -eq 0
check "audit --json: valid and lists it" test "$(field "any(p['pid']==$optout for p in d['processes'])" <<<"$json")" = True
kill "$optout"
wait "$optout" 2>/dev/null
"$ctl" audit --fail-on-unsealed >/dev/null
check "audit --fail-on-unsealed: exit 0 once it is gone" test $? -eq 0

# check
out=$("$ctl" check)
check "check: exit 0, sealing active" test $? -eq 0
check "check: says active" grep -q "sealing is active" <<<"$out"
"$ctl" exec --unseal -- "$ctl" check >/dev/null
check "check: exit 1 when opted out" test $? -eq 1
check "check --json: valid" json_ok < <("$ctl" check --json)

# As a user without privileges (from a copy nobody can reach, wherever the
# repository lives).
install -m 0755 "$ctl" /tmp/sysmapctl-nobody
ctl=/tmp/sysmapctl-nobody
out=$(as_nobody "$ctl" status)
check "nobody: status works" grep -qE '^\s+\[vdso\].* yes$' <<<"$out"
err=$(as_nobody "$ctl" exec --unseal -- true 2>&1)
check "nobody: exec --unseal is exit 125" test $? -eq 125
check "nobody: the error names CAP_CHECKPOINT_RESTORE" grep -q CAP_CHECKPOINT_RESTORE <<<"$err"
as_nobody "$ctl" exec --seal --lock -- true
check "nobody: exec --seal --lock works" test $? -eq 0
as_nobody "$ctl" audit >/dev/null
check "nobody: audit works (status is world-readable)" test $? -eq 0
out=$(as_nobody "$ctl" status 1)
check "nobody: status of init says mappings not readable" grep -q "not readable" <<<"$out"

# Capture real files for the host unit tests' fixtures.
if [ -n "${SYSMAP_GUEST_RESULTS:-}" ]; then
	cat /proc/self/smaps >"$SYSMAP_GUEST_RESULTS/smaps-sealed.txt"
	cat /proc/self/status >"$SYSMAP_GUEST_RESULTS/status-sealed.txt"
fi
exit $failed
