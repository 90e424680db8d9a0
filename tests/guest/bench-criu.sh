#!/usr/bin/env bash
# make bench: what "sysmapctl criu" adds to a restore. A sealed tree of N
# idle processes (100 by default) is dumped once with "sysmapctl criu";
# then, ROUNDS times each (3 by default) and alternated, criu restores it
# by itself (opted out, the way criu runs without sysmapctl: the tree comes
# back unsealed) and through "sysmapctl criu" (the tree comes back sealed).
# Prints "FIGURE N MILLISECONDS" lines, the medians: criu-restore and
# sysmapctl-criu-restore. Nothing here is a test, but a restore that does
# not bring the whole tree back in the state it should stops the bench.
#
#   bench-criu.sh [N [ROUNDS]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAP_BIN:-$here/../../build/userspace}/sysmapctl
idle=${SYSMAP_CACHE:?}/bench/bench_exit_static
n=${1:-100}
rounds=${2:-3}
work=/tmp/bench-criu
img=$work/img

die() {
	echo "bench-criu: $*" >&2
	exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
# until_true SECONDS WHAT COMMAND...: wait for a condition, with a deadline
# for a slow (KASAN, emulated) guest.
until_true() {
	local end=$((SECONDS + $1)) what=$2
	shift 2
	while ! "$@"; do
		[ "$SECONDS" -lt "$end" ] || die "timed out waiting for $what"
		sleep 0.05
	done
}
any_alive() {
	local p
	for p in "${pids[@]}"; do [ ! -d "/proc/$p" ] || return 0; done
	return 1
}
# Every process of the tree runs, with the state $1 in its status.
all_in() {
	local p
	for p in "${pids[@]}"; do
		grep -q "^Mseal_sysmap:.*image=$1" "/proc/$p/status" 2>/dev/null || return 1
	done
}
kill_tree() {
	kill -KILL "${pids[@]}" 2>/dev/null || true
	until_true 300 "the restored tree to exit" eval '! any_alive'
}

command -v criu >/dev/null || die "criu is not installed in this guest"
rm -rf "$work"
mkdir -p "$img"
# Sealed, in a session of its own (criu dumps no shell job).
setsid "$idle" --idle "$n" </dev/null >"$work/out" 2>&1 &
root=$!
until_true 300 "$n idle processes" grep -q ready "$work/out"
# Its children, from /proc (the trixie root has no procps).
mapfile -t pids < <(
	echo "$root"
	tr ' ' '\n' <"/proc/$root/task/$root/children" | grep .
)
[ "${#pids[@]}" -eq $((n + 1)) ] || die "the tree has ${#pids[@]} processes, not $((n + 1))"
all_in sealed || die "the tree was not sealed at start"
"$ctl" criu -- criu dump -t "$root" -D "$img" -o dump.log >"$work/dump.out" 2>&1 ||
	die "the dump failed: $(tail -n 3 "$work/dump.out")"
until_true 300 "the dumped tree to exit" eval '! any_alive'

c=() s=()
for _ in $(seq "$rounds"); do
	t0=$(now_ms)
	"$ctl" exec --unseal -- criu restore -d -D "$img" -o restore.log >"$work/restore.out" 2>&1 ||
		die "criu restore failed: $(tail -n 3 "$work/restore.out")"
	c+=($(($(now_ms) - t0)))
	all_in unsealed || die "criu's own restore did not bring back the whole tree"
	kill_tree
	t0=$(now_ms)
	"$ctl" criu -- criu restore -D "$img" -o restore.log >"$work/restore.out" 2>&1 ||
		die "sysmapctl criu restore failed: $(tail -n 3 "$work/restore.out")"
	s+=($(($(now_ms) - t0)))
	all_in sealed || die "sysmapctl criu did not bring back the whole tree sealed"
	kill_tree
done
echo "criu-restore $n $(median "${c[@]}")"
echo "sysmapctl-criu-restore $n $(median "${s[@]}")"
# Every round, for the record (build/results/bench-criu/output.log).
echo "# criu-restore: ${c[*]}" >&2
echo "# sysmapctl-criu-restore: ${s[*]}" >&2
