#!/usr/bin/env bash
# Debian's criu on the sealing kernel. Every scenario runs twice: criu
# started normally (sealed), where it must fail because of sealing, and
# under "sysmapctl exec --unseal", where it must work. Prints TAP; criu's
# logs are kept in the results share.
#
# SYSMAP_CRIU_CYCLES: dump/restore cycles in a row (default 5, about 10 s
# each under QEMU TCG; tests/guest/reseal.sh runs 5 more through
# "sysmapctl criu").
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${SYSMAP_BIN:-$here/../../build/userspace}
ctl=$bin/sysmapctl
logs=${SYSMAP_GUEST_RESULTS:-/tmp}/criu-logs
work=/tmp/criu-work
img=/tmp/criu-img
mkdir -p "$logs"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
unsealed() { "$ctl" exec --unseal -- "$@"; }
fresh_kdat() { rm -f /run/criu.kdat; }

start_workload() {
	rm -rf "$work" "$img"
	mkdir -p "$work" "$img"
	setsid "$bin/criu_workload" "$work" </dev/null >"$work/out" 2>&1 &
	for _ in $(seq 1200); do [ -s "$work/ready" ] && break; sleep 0.1; done
	pid=$(cat "$work/ready")
}

# Ask the workload to check itself; succeed if every check passed and its
# counter moved past $1.
verify_workload() {
	local min=$1 line
	rm -f "$work/report"
	kill -USR1 "$pid" 2>/dev/null || return 1
	for _ in $(seq 1200); do [ -s "$work/report" ] && break; sleep 0.1; done
	line=$(cat "$work/report" 2>/dev/null)
	echo "# workload: $line"
	[[ $line == *"checksum=ok offset=ok child=ok pipe=ok clock=ok"* ]] || return 1
	counter=${line#counter=}
	counter=${counter%% *}
	[ "$counter" -gt "$min" ]
}

dump() {	# dump NAME: dump the workload, criu opted out
	fresh_kdat
	unsealed criu dump -t "$pid" -D "$img" -o dump.log -v4 >/dev/null 2>&1
	local rc=$?
	cp "$img/dump.log" "$logs/$1-dump.log" 2>/dev/null
	return $rc
}

restore() {	# restore NAME [unsealed]: restore detached
	local name=$1 rc
	fresh_kdat
	if [ "${2:-}" = unsealed ]; then
		unsealed criu restore -d -D "$img" -o restore.log -v4 >/dev/null 2>&1
	else
		criu restore -d -D "$img" -o restore.log -v4 >/dev/null 2>&1
	fi
	rc=$?
	cp "$img/restore.log" "$logs/$name-restore.log" 2>/dev/null
	return $rc
}

# 1. criu check
fresh_kdat
out=$(criu check 2>&1)
rc=$?
printf '%s\n' "$out" >"$logs/check-sealed.log"
check "criu check sealed: fails" test $rc -ne 0
# Its kerndat probe runs a helper that unmaps its own (sealed) vDSO.
check "criu check sealed: because its helper cannot unmap the sealed vDSO" \
	grep -q "Failed to unmap native vdso" <<<"$out"
fresh_kdat
out=$(unsealed criu check 2>&1)
printf '%s\n' "$out" >"$logs/check-unsealed.log"
check "criu check unsealed: Looks good." grep -q "Looks good." <<<"$out"

# 2. dump of a sealed process
start_workload
st=$("$ctl" status "$pid")
check "workload runs sealed before the dump" grep -qE '^\s+\[vdso\].* yes$' <<<"$st"
verify_workload 0
before=$counter
check "dump of a sealed process succeeds" dump first

# 3. restore sealed fails for the sealing reason; unsealed succeeds
restore sealed
check "restore sealed: fails" test $? -ne 0
check "restore sealed: its kerndat probe cannot unmap the sealed vDSO" \
	grep -q "Failed to unmap native vdso" "$logs/sealed-restore.log"
# With the kerndat cache filled by an opted-out run the probes are skipped
# and the restore reaches the restorer, which unmaps everything outside its
# bootstrap area, criu's own sealed vDSO included: munmap() returns -EPERM.
unsealed criu check >/dev/null 2>&1
criu restore -d -D "$img" -o restore.log -v4 >/dev/null 2>&1
rc=$?
cp "$img/restore.log" "$logs/sealed-warm-restore.log" 2>/dev/null
check "restore sealed, warm kerndat cache: fails" test $rc -ne 0
check "restore sealed, warm kerndat cache: the restorer's munmap() fails with -EPERM (-1)" \
	grep -qE "restorer.c:[0-9]+\): Unable to unmap \(0x[0-9a-f]+-0x[0-9a-f]+\): -1$" "$logs/sealed-warm-restore.log"
grep -E "Error" "$logs/sealed-warm-restore.log" | head -n 3 | sed 's/^/# /'
check "restore unsealed: succeeds" restore unsealed unsealed
# The restorer's own words say which vDSO path it took. Without a fault it
# maps the runtime vDSO with ARCH_MAP_VDSO and moves it in place; with
# CRIU_FAULT=127 it writes trampolines (a proxy); with CRIU_FAULT=133 it
# cannot map a vDSO, so it first parks the one it has with mremap().
restorer_path() {	# restorer_path LOG: proxy, park or inplace
	if grep -q 'vdso: Runtime vdso mismatches dumpee, generate proxy' "$1"; then
		echo proxy
	elif grep -m1 -E 'pie: [0-9]+: vdso:' "$1" | grep -q 'vdso: Remap rt-vdso'; then
		echo park
	elif grep -q 'vdso: Runtime vdso/vvar matches dumpee, remap inplace' "$1"; then
		echo inplace
	else
		echo unknown
	fi
}
check "restore unsealed: the restorer remapped the vDSO in place" \
	test "$(restorer_path "$logs/unsealed-restore.log")" = inplace
check "restored workload: counter continued, buffer, file offset, pipe and child intact" \
	verify_workload "$before"

# 7. what the restored tree looks like: it inherits criu's opt-out.
st=$("$ctl" status "$pid")
printf '%s\n' "$st" | sed 's/^/# /'
check "restored process runs with unsealed system mappings (criu's opt-out)" \
	grep -q "image: unsealed  policy: unseal" <<<"$st"
kill -TERM "$pid" 2>/dev/null

# 5. the other restorer paths
for fault in 133 127; do
	start_workload
	verify_workload 0
	before=$counter
	dump "fault$fault" || nok "CRIU_FAULT=$fault: dump"
	CRIU_FAULT=$fault restore "fault$fault" unsealed
	check "restore unsealed with CRIU_FAULT=$fault succeeds" test $? -eq 0
	want=$([ "$fault" = 127 ] && echo proxy || echo park)
	check "CRIU_FAULT=$fault: the restorer took the $want path (its log says so)" \
		test "$(restorer_path "$logs/fault$fault-restore.log")" = "$want"
	check "CRIU_FAULT=$fault: restored workload intact" verify_workload "$before"
	kill -TERM "$pid" 2>/dev/null
done

# 6. dump/restore cycles in a row
cycles=${SYSMAP_CRIU_CYCLES:-5}
start_workload
verify_workload 0
cycles_ok=1
for i in $(seq "$cycles"); do
	before=$counter
	if ! dump "cycle" || ! restore "cycle" unsealed || ! verify_workload "$before"; then
		echo "# cycle $i failed"
		cycles_ok=0
		break
	fi
done
check "$cycles dump/restore cycles, nothing lost" test $cycles_ok -eq 1
kill -TERM "$pid" 2>/dev/null

# 7. the recommended integration flow ends fully sealed
out=$(unsealed "$bin/restore_flow" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "restore flow: move, mseal(), policy back to SEAL, drop the capability: sealed" test $rc -eq 0
exit $failed
