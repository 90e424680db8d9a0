#!/usr/bin/env bash
# The narrated demo, run as the guest's suite by scripts/demo.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../../build/userspace
ctl=$bin/sysmapctl
say() { printf '\n== %s\n' "$*"; }
declare -A summary

say "1. This kernel seals system mappings at execve(): sysmapctl check"
"$ctl" check

say "2. Every process starts sealed. The system mappings of a normal process:"
"$ctl" status
"$ctl" status | grep -qE '^\s+\[vdso\].* yes$' && summary[normal]="vDSO sealed" || summary[normal]="NOT sealed"

say "3. An attacker who controls a memory-management call tries to replace the vDSO:"
"$bin/vdso_attack" && summary[attack]="blocked (EPERM)" || summary[attack]="NOT blocked"

say "   The same program started opted out (sysmapctl exec --unseal) is unprotected:"
"$ctl" exec --unseal -- "$bin/vdso_attack" && summary[optout]="blocked?" || summary[optout]="succeeds (as on a stock kernel)"

say "4. CRIU: dump a process, then restore it with a sealed criu, then opted out"
work=/tmp/demo-work img=/tmp/demo-img
mkdir -p "$work" "$img"
setsid "$bin/criu_workload" "$work" </dev/null >/dev/null 2>&1 &
disown
for _ in $(seq 50); do [ -s "$work/ready" ] && break; sleep 0.1; done
pid=$(cat "$work/ready")
echo "\$ sysmapctl exec --unseal -- criu dump -t $pid -D $img"
"$ctl" exec --unseal -- criu dump -t "$pid" -D "$img" -o dump.log && echo "dumped."
rm -f /run/criu.kdat
echo "\$ criu restore -d -D $img        # criu itself sealed"
if criu restore -d -D "$img" -o restore.log; then
	summary[criu_sealed]="restored?!"
else
	echo "restore failed; from its log:"
	grep -E "Error" "$img/restore.log" | head -n 3
	summary[criu_sealed]="fails (cannot unmap its sealed vDSO)"
fi
rm -f /run/criu.kdat
echo "\$ sysmapctl exec --unseal -- criu restore -d -D $img"
if "$ctl" exec --unseal -- criu restore -d -D "$img" -o restore.log; then
	kill -USR1 "$pid"
	sleep 1
	echo "restored; the workload reports: $(cat "$work/report" 2>/dev/null)"
	summary[criu_unsealed]="restores, workload intact"
	"$ctl" status "$pid" | head -n 1
	kill "$pid"
else
	summary[criu_unsealed]="FAILED"
fi

say "5. An administrator's view: sysmapctl audit"
"$ctl" exec --unseal -- sleep 60 &
disown
sleep 0.5
"$ctl" audit

say "Summary"
printf '%-40s %s\n' "normal process" "${summary[normal]}" \
	"mremap/munmap of its vDSO" "${summary[attack]}" \
	"same attack, process opted out" "${summary[optout]}" \
	"criu restore, criu sealed" "${summary[criu_sealed]}" \
	"criu restore, sysmapctl exec --unseal" "${summary[criu_unsealed]}"
