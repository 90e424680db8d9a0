#!/usr/bin/env bash
# Debian's podman, runc and criu checkpointing a running container on the
# sealing kernel. The container (a busybox root from the machine's own
# packages, imported, never pulled) counts into a file of a bind-mounted
# directory. Checkpointed by podman started normally, criu's dump fails for
# the sealing reason; under "sysmapctl exec --unseal" the checkpoint and
# the restore work and the counter carries on from where it stopped. The
# restored container inherits the opt-out, and "sysmapctl seal --tree"
# seals it again without stopping it. On a kernel without the feature
# (the baseline) the checkpoint and the restore simply work. Prints TAP;
# podman's and criu's output is kept in $SYSMAP_GUEST_RESULTS/podman-logs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAP_BIN:-$here/../../build/userspace}/sysmapctl
rootfs=${SYSMAP_CACHE:-$HOME/.cache/sysmap-seal}/compat/busybox-rootfs.tar
logs=${SYSMAP_GUEST_RESULTS:-/tmp}/podman-logs
share=/tmp/podman-share
mkdir -p "$logs" "$share"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
# Storage and network configuration on the guest's tmpfs (its /etc is
# read-only); no systemd, no journald in the guest.
podman_opts=(--root /var/lib/sysmap-podman --runroot /run/sysmap-podman --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file --runtime runc
	--network-config-dir /run/sysmap-podman/networks)
pm() { podman "${podman_opts[@]}" "$@"; }
pm_unsealed() { "$ctl" exec --unseal -- podman "${podman_opts[@]}" "$@"; }
state() { grep '^Mseal_sysmap:' "/proc/$1/status" 2>/dev/null; }
counter() { cat "$share/count" 2>/dev/null || echo 0; }
# first_after N: the first value of the counter other than N (up to 10 s).
first_after() {
	local i v
	for i in $(seq 100); do
		v=$(counter)
		[ "$v" != "$1" ] && { echo "$v"; return 0; }
		sleep 0.1
	done
	echo "$1"
}
# wait_past N: up to 30 s for the counter to pass N.
wait_past() {
	local i
	for i in $(seq 300); do
		[ "$(counter)" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

echo "# $(podman --version), $(runc --version | head -n 1), criu $(criu --version | sed -n 's/^Version: //p')"
if ! pm import "$rootfs" localhost/sysmap-busybox >"$logs/import.log" 2>&1; then
	nok "podman import of the local busybox root: $(tail -n 1 "$logs/import.log")"
	exit 1
fi
ok "podman import of the local busybox root"

# --network host: criu then has no network namespace to dump.
pm run -d --name counter --network host -v "$share:/share" localhost/sysmap-busybox \
	sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/share/count; sleep 0.2; done' \
	>"$logs/run.log" 2>&1
pid=$(pm inspect -f '{{.State.Pid}}' counter 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" -gt 0 ] && wait_past 2; then
	ok "podman run: the container counts"
else
	nok "podman run: the container does not count: $(tail -n 3 "$logs/run.log")"
	exit 1
fi

# 1. Sealed: criu, started by runc, cannot unmap its own vDSO.
checkpoint_sealed() {
	local st rc dumplog before
	st=$(state "$pid")
	echo "# container process $pid: $st"
	[[ $st == *"image=sealed"* ]] && ok "the container's process is sealed" ||
		nok "the container's process is not sealed: $st"
	rm -f /run/criu.kdat
	pm container checkpoint counter >"$logs/checkpoint-sealed.log" 2>&1
	rc=$?
	dumplog=$(sed -n 's/.*log file: \([^ "]*dump.log\).*/\1/p' "$logs/checkpoint-sealed.log" | head -n 1)
	[ -n "$dumplog" ] && cp "$dumplog" "$logs/criu-dump-sealed.log" 2>/dev/null
	[ $rc -ne 0 ] && ok "podman container checkpoint, sealed: fails" ||
		nok "podman container checkpoint, sealed: exit 0"
	grep -q "Failed to unmap native vdso" "$logs/criu-dump-sealed.log" 2>/dev/null &&
		ok "podman container checkpoint, sealed: criu's kerndat probe cannot unmap the sealed vDSO" ||
		nok "podman container checkpoint, sealed: not for the sealing reason ($(grep -m1 -i error "$logs/checkpoint-sealed.log"))"
	before=$(counter)
	wait_past "$before" && ok "the container still counts after the failed checkpoint" ||
		nok "the container stopped counting after the failed checkpoint"
}

baseline=0
grep -q '^Mseal_sysmap:' /proc/self/status || baseline=1
if [ $baseline = 1 ]; then
	pm_unsealed() { pm "$@"; }	# nothing to opt out of
else
	checkpoint_sealed
fi

# 2. Opted out (or the baseline): checkpoint and restore, the counter
# carries on.
way=", opted out"
[ $baseline = 0 ] || way=", baseline kernel"
rm -f /run/criu.kdat
if pm_unsealed container checkpoint counter >"$logs/checkpoint.log" 2>&1; then
	ok "podman container checkpoint$way: succeeds"
else
	nok "podman container checkpoint$way: $(tail -n 2 "$logs/checkpoint.log")"
fi
stopped=$(counter)
sleep 1
[ "$(counter)" = "$stopped" ] && [ "$(pm inspect -f '{{.State.Status}}' counter)" = exited ] &&
	ok "after the checkpoint the container is stopped (counter at $stopped)" ||
	nok "after the checkpoint the container still runs"
rm -f /run/criu.kdat
if pm_unsealed container restore counter >"$logs/restore.log" 2>&1; then
	ok "podman container restore$way: succeeds"
else
	nok "podman container restore$way: $(tail -n 2 "$logs/restore.log")"
fi
# The shell's variable came back from the image: counting resumes past
# where it stopped (by as many steps as the restore let it run before this
# read), where a restarted container would write 1, 2, 3...
next=$(first_after "$stopped")
[ "$next" -gt "$stopped" ] && [ "$next" -le $((stopped + 150)) ] &&
	ok "the restored container counts on: $stopped, then $next" ||
	nok "the restored container does not count on from $stopped (next value $next)"
if [ $baseline = 1 ]; then
	pm rm -f counter >/dev/null 2>&1
	exit $failed
fi
pid=$(pm inspect -f '{{.State.Pid}}' counter 2>/dev/null)
st=$(state "$pid")
echo "# restored container process $pid: $st"
[[ $st == *"image=unsealed policy=unseal"* ]] &&
	ok "the restored container inherits the opt-out of the restore" ||
	nok "the restored container: $st"

# 3. Sealed again from outside, while it runs.
"$ctl" seal --tree "$pid" >"$logs/seal.log" 2>&1
rc=$?
st=$(state "$pid")
[ $rc -eq 0 ] && [[ $st == *"image=sealed policy=seal"* ]] &&
	ok "sysmapctl seal --tree seals the restored container" ||
	nok "sysmapctl seal --tree: exit $rc, $st, $(tail -n 1 "$logs/seal.log")"
now=$(counter)
wait_past "$now" && ok "the re-sealed container still counts" ||
	nok "the re-sealed container stopped counting"
pm rm -f counter >/dev/null 2>&1
exit $failed
