#!/usr/bin/env bash
# The tools at scale (tests/guest/bench.sh --scale): with 1,000 and 10,000
# idle processes running, the wall time of "sysmapctl audit" against
# "grep -H Mseal_sysmap /proc/[0-9]*/status" (the same facts, read by
# grep), and of "sysmapctl seal --tree" over a tree of 100 and 1,000
# opted-out processes. Prints "FIGURE SIZE MILLISECONDS" lines (median of
# three runs for the audit figures; one tree per seal run, three runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYSMAP_BIN:-$here/../../build/userspace}/sysmapctl
idle=${SYSMAP_CACHE:?}/bench/bench_exit_static

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# time_ms COMMAND...: wall milliseconds of COMMAND, output discarded
time_ms() {
	local t0
	t0=$(now_ms)
	"$@" >/dev/null 2>&1 || true
	echo $(($(now_ms) - t0))
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# start_idle N [PREFIX...]: N idle processes under one parent; sets $tree
start_idle() {
	local n=$1 fifo=/tmp/idle-ready
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	"$@" "$idle" --idle "$n" >"$fifo" &
	tree=$!
	read -r _ <"$fifo"
	rm -f "$fifo"
}
stop_idle() {
	pkill -KILL -P "$tree" 2>/dev/null || true
	kill -KILL "$tree" 2>/dev/null || true
	wait "$tree" 2>/dev/null || true
}

for n in 1000 10000; do
	start_idle "$n"
	procs=$(ls -d /proc/[0-9]* | wc -l)
	g=() a=() j=()
	for _ in 1 2 3; do
		g+=("$(time_ms sh -c 'grep -H Mseal_sysmap /proc/[0-9]*/status')")
		a+=("$(time_ms "$ctl" audit)")
		j+=("$(time_ms "$ctl" audit --all --json)")
	done
	echo "processes $n $procs"
	echo "grep $n $(median3 "${g[@]}")"
	echo "audit $n $(median3 "${a[@]}")"
	echo "audit-all-json $n $(median3 "${j[@]}")"
	stop_idle
done

for n in 100 1000; do
	s=()
	for _ in 1 2 3; do
		start_idle "$n" "$ctl" exec --unseal --
		t=$(time_ms "$ctl" seal --tree "$tree")
		sealed=$(grep -l 'image=sealed' $(printf '/proc/%s/status ' "$tree" $(pgrep -P "$tree")) 2>/dev/null | wc -l)
		[ "$sealed" -eq $((n + 1)) ] || echo "seal-tree-incomplete $n $sealed"
		s+=("$t")
		stop_idle
	done
	echo "seal-tree $n $(median3 "${s[@]}")"
done
