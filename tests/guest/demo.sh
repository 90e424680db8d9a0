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

# Every line of the summary is taken from what the run printed.
# attack_summary OUTPUT: what happened to the attack, in the attack's words.
attack_summary() {
	local refused succeeded
	refused=$(grep -c ": refused, " <<<"$1")
	succeeded=$(grep -m1 "SUCCEEDED" <<<"$1" | sed 's/^ *//; s/:.*//')
	if [ -n "$succeeded" ]; then
		echo "$succeeded succeeded: the vDSO was replaced"
	else
		echo "$refused calls refused ($(grep -m1 -o 'refused, .*' <<<"$1" | sed 's/refused, //'))"
	fi
}

say "2. Every process starts sealed. The system mappings of a normal process:"
out=$("$ctl" status)
printf '%s\n' "$out"
summary[normal]="[vdso] sealed: $(awk '$1 == "[vdso]" { print $NF }' <<<"$out")"

say "3. An attacker who controls a memory-management call tries to replace the vDSO:"
out=$("$bin/vdso_attack" 2>&1)
printf '%s\n' "$out"
summary[attack]=$(attack_summary "$out")

say "   The same program started opted out (sysmapctl exec --unseal) is unprotected:"
out=$("$ctl" exec --unseal -- "$bin/vdso_attack" 2>&1)
printf '%s\n' "$out"
summary[optout]=$(attack_summary "$out")

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
	summary[criu_sealed]="restored, although criu was sealed"
else
	echo "restore failed; from its log:"
	grep -E "Error" "$img/restore.log" | head -n 3
	summary[criu_sealed]="fails: $(grep -m1 -oE 'Failed to unmap native vdso|Unable to unmap .*' "$img/restore.log" ||
		echo "for a reason the log does not name")"
fi
rm -f /run/criu.kdat
echo "\$ sysmapctl exec --unseal -- criu restore -d -D $img"
if "$ctl" exec --unseal -- criu restore -d -D "$img" -o restore.log; then
	kill -USR1 "$pid"
	for _ in $(seq 50); do [ -s "$work/report" ] && break; sleep 0.1; done
	report=$(cat "$work/report" 2>/dev/null)
	echo "restored; the workload reports: $report"
	summary[criu_unsealed]="restores; workload reports: ${report:-nothing}"
	"$ctl" status "$pid" | head -n 1
	kill "$pid"
else
	summary[criu_unsealed]="fails: $(grep -m1 -E 'Error' "$img/restore.log")"
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
