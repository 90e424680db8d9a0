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

say "4. CRIU: dump a sealed process, restore it with a sealed criu, then with sysmapctl criu"
work=/tmp/demo-work img=/tmp/demo-img
mkdir -p "$work" "$img"
setsid "$bin/criu_workload" "$work" </dev/null >/dev/null 2>&1 &
disown
for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
pid=$(cat "$work/ready")
echo "\$ sysmapctl criu -- criu dump -t $pid -D $img"
"$ctl" criu -- criu dump -t "$pid" -D "$img" -o dump.log && echo "dumped; recorded:" &&
	grep -v '^#' "$img/sysmap-policy"
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
# sysmapctl criu runs criu opted out, then seals every restored process
# again before it continues.
echo "\$ sysmapctl criu -- criu restore -D $img"
if "$ctl" criu -- criu restore -D "$img" -o restore.log; then
	rm -f "$work/report"
	kill -USR1 "$pid"
	for _ in $(seq 600); do [ -s "$work/report" ] && break; sleep 0.1; done
	report=$(cat "$work/report" 2>/dev/null)
	echo "restored; the workload reports: $report"
	state=$(sed -n 's/^Mseal_sysmap:\t//p' "/proc/$pid/status")
	echo "its status: $state"
	vdso=$(sed -n 's/.* vdso=\([A-Za-z]*\).*/\1/p' <<<"$report")
	summary[criu_reseal]="restores: $state, munmap of its vDSO: ${vdso:-not reported}"
	kill "$pid"
else
	summary[criu_reseal]="fails: $(grep -m1 -E 'Error' "$img/restore.log")"
fi

say "5. Who may opt out: vm.mseal_sysmap_optout"
level=/proc/sys/vm/mseal_sysmap_optout
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
tools=$(mktemp -d /tmp/demo-tools.XXXXXX)
chmod 0755 "$tools"
install -m 0755 "$ctl" "$tools/"
echo "level $(cat $level): \$ sysmapctl exec --unseal -- true   # as nobody"
as_nobody "$tools/sysmapctl" exec --unseal -- true
rc1=$?
echo 0 >$level
echo "level $(cat $level): \$ sysmapctl exec --unseal -- true   # as nobody"
as_nobody "$tools/sysmapctl" exec --unseal -- true
rc0=$?
echo 1 >$level
rm -rf "$tools"
summary[level1]="exit $rc1 ($([ $rc1 -eq 125 ] && echo refused || echo allowed))"
summary[level0]="exit $rc0 ($([ $rc0 -eq 0 ] && echo allowed || echo refused))"

say "6. An administrator's view: sysmapctl audit"
"$ctl" exec --unseal -- sleep 60 &
optout=$!
disown
for _ in $(seq 600); do
	grep -q "image=unsealed" "/proc/$optout/status" 2>/dev/null && break
	sleep 0.1
done
"$ctl" audit

say "Summary"
printf '%-40s %s\n' "normal process" "${summary[normal]}" \
	"mremap/munmap of its vDSO" "${summary[attack]}" \
	"same attack, process opted out" "${summary[optout]}" \
	"criu restore, criu sealed" "${summary[criu_sealed]}" \
	"criu restore, sysmapctl criu" "${summary[criu_reseal]}" \
	"opt-out as nobody, level 1" "${summary[level1]}" \
	"opt-out as nobody, level 0" "${summary[level0]}"
