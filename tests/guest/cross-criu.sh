# Debian's criu in the arm64 and s390x guests, sourced by the suite (busybox sh;
# ok, nok and the waits come from there). criu checks the kernel, sealed (it must fail
# because of sealing) and opted out; a sealed workload is dumped, then
# restored by criu started normally, which must fail because of sealing,
# and opted out, where the workload must come back intact. The
# restored tree is then sealed from outside with "sysmapctl seal --tree",
# and dumped and restored once more through "sysmapctl criu", which
# brings it back sealed.
# Where criu must fail, Debian's strace shows the call the seal refused.
# criu's logs and the traces are kept in /results/criu-logs.
logs=/results/criu-logs
work=/tmp/criu-work
img=/tmp/criu-img
mkdir -p "$logs"
cstate() { grep '^Mseal_sysmap:' "/proc/$1/status" 2>/dev/null; }

start_workload() {
	rm -rf "$work" "$img"
	mkdir -p "$work" "$img"
	setsid /tests/criu_workload "$work" </dev/null >"$work/out" 2>&1 &
	wait_for "$work/ready"
	wpid=$(cat "$work/ready" 2>/dev/null)
}

# Ask the workload to check itself; succeed if every check passed and its
# counter moved past $1. Sets $counter.
verify_workload() {
	rm -f "$work/report"
	kill -USR1 "$wpid" 2>/dev/null || return 1
	wait_for "$work/report"
	line=$(cat "$work/report" 2>/dev/null)
	echo "# workload: $line"
	case $line in
	*"checksum=ok offset=ok child=ok pipe=ok clock=ok"*) ;;
	*) return 1 ;;
	esac
	counter=${line#counter=}
	counter=${counter%% *}
	[ "$counter" -gt "$1" ]
}

# criu_unsealed LOGNAME ARGS...: run criu opted out, from a cold kerndat
# cache; its log lands in $logs/LOGNAME.log.
criu_unsealed() {
	name=$1
	shift
	rm -f /run/criu.kdat
	sysmapctl exec --unseal -- criu "$@" -o "$name.log" -v4 >"$logs/$name.out" 2>&1
	rc=$?
	cp "$img/$name.log" "$logs/$name.log" 2>/dev/null
	return $rc
}

# refused TRACE: the first munmap() or mremap() that failed with EPERM in
# strace's TRACE (only system mappings are sealed here), or nothing.
refused() {
	grep -E '(munmap|mremap)\(.*= -1 EPERM' "$1" | head -n 1
}

echo "# criu: $(criu --version 2>&1 | head -n 1)"
rm -f /run/criu.kdat
strace -f -e trace=munmap,mremap -o "$logs/check-sealed.strace" criu check >"$logs/check-sealed.log" 2>&1
rc=$?
[ $rc -ne 0 ] && ok "criu check, $machine, sealed: fails" || nok "criu check, $machine, sealed: exit 0"
# Its kerndat probes run children that move and unmap their own vDSO.
call=$(refused "$logs/check-sealed.strace")
echo "# refused: $call"
[ -n "$call" ] && grep -q "kerndat_vdso" "$logs/check-sealed.log" &&
	ok "criu check, $machine, sealed: its vDSO probe's $(echo "$call" | grep -oE 'munmap|mremap' | head -n 1)() fails with EPERM" ||
	nok "criu check, $machine, sealed: not for the sealing reason ($(grep -m1 Error "$logs/check-sealed.log"))"
rm -f /run/criu.kdat
out=$(sysmapctl exec --unseal -- criu check 2>&1)
printf '%s\n' "$out" >"$logs/check-unsealed.log"
printf '%s\n' "$out" | grep -q "Looks good." && ok "criu check, $machine, opted out: Looks good." ||
	nok "criu check, $machine, opted out: $(printf '%s\n' "$out" | tail -n 1)"

start_workload
if [ -z "$wpid" ] || ! verify_workload 0; then
	nok "criu, $machine: the workload did not start or check itself ($(cat "$work/out" 2>/dev/null))"
else
	before=$counter
	cstate "$wpid" | grep -q 'image=sealed' && ok "criu, $machine: the workload runs sealed" ||
		nok "criu, $machine: the workload is not sealed: $(cstate "$wpid")"
	(cd "$img" && criu_unsealed dump dump -t "$wpid" -D "$img")
	rc=$?
	until_true 120 gone "$wpid"
	# criu kills the tree it dumped: the restore must bring it back.
	if [ $rc -eq 0 ] && ! kill -0 "$wpid" 2>/dev/null; then
		ok "criu dump, $machine: a sealed workload is dumped, and gone"
	else
		nok "criu dump, $machine: exit $rc, $(grep -m1 Error "$logs/dump.log" 2>/dev/null)"
		nok "criu, $machine: nothing to restore (the dump failed)"
		kill -TERM "$wpid" 2>/dev/null
		return 0 2>/dev/null
	fi
	rm -f /run/criu.kdat
	(cd "$img" && strace -f -e trace=munmap,mremap -o "$logs/restore-sealed.strace" \
		criu restore -d -D "$img" -o restore-sealed.log -v4 >"$logs/restore-sealed.out" 2>&1)
	rc=$?
	cp "$img/restore-sealed.log" "$logs/" 2>/dev/null
	call=$(refused "$logs/restore-sealed.strace")
	echo "# refused: $call"
	[ $rc -ne 0 ] && [ -n "$call" ] && ! kill -0 "$wpid" 2>/dev/null &&
		ok "criu restore, $machine, sealed: fails, its vDSO probe's $(echo "$call" | grep -oE 'munmap|mremap' | head -n 1)() refused with EPERM" ||
		nok "criu restore, $machine, sealed: exit $rc, $(grep -m1 Error "$logs/restore-sealed.log" 2>/dev/null)"
	(cd "$img" && criu_unsealed restore restore -d -D "$img")
	rc=$?
	[ $rc -eq 0 ] && kill -0 "$wpid" 2>/dev/null && ok "criu restore, $machine, opted out: succeeds" ||
		nok "criu restore, $machine, opted out: exit $rc, $(grep -m1 Error "$logs/restore.log" 2>/dev/null)"
	verify_workload "$before" &&
		ok "criu, $machine: the restored workload's counter, buffer, file offset, pipe and child are intact" ||
		nok "criu, $machine: the restored workload is not intact"
	after=$(cstate "$wpid")
	echo "# restored workload $wpid: $after"
	echo "$after" | grep -q 'image=unsealed policy=unseal' &&
		ok "criu, $machine: the restored workload inherits criu's opt-out" ||
		nok "criu, $machine: the restored workload: '$after'"
	sysmapctl seal --tree "$wpid"
	rc=$?
	after=$(cstate "$wpid")
	[ $rc -eq 0 ] && echo "$after" | grep -q 'image=sealed policy=seal' &&
		ok "criu, $machine: sysmapctl seal --tree seals the restored workload" ||
		nok "criu, $machine: sysmapctl seal --tree: exit $rc, '$after'"
	if verify_workload "$counter"; then
		ok "criu, $machine: the re-sealed workload carries on intact"
	else
		nok "criu, $machine: the re-sealed workload is not intact"
	fi
	grep -q 'vdso=sealed child_vdso=sealed' "$work/report" &&
		ok "criu, $machine: in the re-sealed tree munmap() of [vdso] fails with EPERM, parent and child" ||
		nok "criu, $machine: the re-sealed tree's report: $(cat "$work/report")"
	# Once more through "sysmapctl criu": it records each process's
	# sealing at the dump and seals the restored tree before it runs on.
	rm -rf "$img"
	mkdir -p "$img"
	rm -f /run/criu.kdat
	(cd "$img" && sysmapctl criu -- criu dump -t "$wpid" -D "$img" -o sysmapctl-dump.log -v4 \
		>"$logs/sysmapctl-dump.out" 2>&1)
	rc=$?
	cp "$img/sysmapctl-dump.log" "$logs/" 2>/dev/null
	until_true 120 gone "$wpid"
	[ $rc -eq 0 ] && grep -q "^$wpid sealed seal " "$img/sysmap-policy" &&
		ok "sysmapctl criu dump, $machine: the workload dumped, recorded as sealed" ||
		nok "sysmapctl criu dump, $machine: exit $rc, $(tail -n 1 "$logs/sysmapctl-dump.out")"
	(cd "$img" && sysmapctl criu -- criu restore -D "$img" -o sysmapctl-restore.log -v4 \
		>"$logs/sysmapctl-restore.out" 2>&1)
	rc=$?
	cp "$img/sysmapctl-restore.log" "$logs/" 2>/dev/null
	after=$(cstate "$wpid")
	echo "# restored through sysmapctl criu: $after"
	[ $rc -eq 0 ] && echo "$after" | grep -q 'image=sealed policy=seal' &&
		ok "sysmapctl criu restore, $machine: the workload comes back sealed" ||
		nok "sysmapctl criu restore, $machine: exit $rc, '$after', $(tail -n 1 "$logs/sysmapctl-restore.out")"
	verify_workload "$counter" && grep -q 'vdso=sealed child_vdso=sealed' "$work/report" &&
		ok "sysmapctl criu restore, $machine: intact, and munmap() of [vdso] fails with EPERM in parent and child" ||
		nok "sysmapctl criu restore, $machine: the restored workload's report: $(cat "$work/report" 2>/dev/null)"
	kill -TERM "$wpid" 2>/dev/null
fi
