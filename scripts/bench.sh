#!/usr/bin/env bash
# "make bench": what sealing at execve() costs, as ratios with their 95 %
# bootstrap intervals, and the tools at scale. Boots the sealing kernel and
# the baseline kernel (both without the debugging options of the test
# kernels), runs tests/guest/bench.sh in each, and prints one table: the
# ratios of time per execution, and of the instructions the vCPU executed,
# counted by a QEMU plugin (tests/programs/icount_plugin.cpp) in a second
# boot of each kernel whose guest clock follows the instruction count
# (vm-run.sh --icount), and a third of the baseline kernel as the control.
# Nothing here is a test: the figures are kept in
# build/results/bench-*/.
#
#   BENCH_ROUNDS=30 BENCH_SPAWNS=50 BENCH_SCALE=1 make bench
. "$(dirname "$0")/common.sh"
"$REPO/scripts/deps.sh"
"$REPO/scripts/build-userspace.sh" >/dev/null
progs=$("$REPO/scripts/build-bench.sh")
# The kernels of the series SYSMAP_SERIES names (make bench: mainline, the
# default; make bench SERIES=6.12 for the backport).
k=
[ "$SERIES" != mainline ] || k=mainline-
seal=$("$REPO/scripts/build-kernel.sh" "${k}x86_64-bench")
base=$("$REPO/scripts/build-kernel.sh" "${k}x86_64-bench-base")
rounds=${BENCH_ROUNDS:-30}
spawns=${BENCH_SPAWNS:-50}
scale=()
[ "${BENCH_SCALE:-1}" = 0 ] || scale=(--scale)

# One vCPU: the measuring loop and the programs it starts do not migrate,
# the second host core stays free for QEMU's own threads, and the plugin's
# counter has a single writer.
vm=("$REPO/scripts/vm-run.sh" --smp 1 --mem 4G --timeout 5400)
"${vm[@]}" --name "${k}bench-seal" "$seal" -- \
	tests/guest/bench.sh "$rounds" "$spawns" "${scale[@]}" || die "the sealing kernel's run failed"
"${vm[@]}" --name "${k}bench-base" "$base" -- \
	tests/guest/bench.sh "$rounds" "$spawns" || die "the baseline kernel's run failed"
# The instructions, in boots of their own: counted in the boots above, the
# timer interrupts inside each cell follow the host's speed, and a boot the
# host happened to run slower counts more of them (the 7.3 sealing kernel
# once came out 0.2 to 0.9 % "cheaper" than the baseline kernel for that
# alone). Under -icount both kernels see one tick per so many instructions.
# The baseline kernel boots twice: its second boot against its first is
# the control, how far two boots of one kernel differ.
for kind in seal base base-again; do
	kernel=$seal
	[ $kind = seal ] || kernel=$base
	"${vm[@]}" --icount --plugin "$progs/icount_plugin.so" --name "${k}bench-$kind-icount" "$kernel" -- \
		tests/guest/bench.sh "$rounds" "$spawns" || die "the instruction-count run ${k}bench-$kind-icount failed"
done
# "sysmapctl criu" against criu's own restore, in a boot of its own (on 7.3
# with trixie's criu: scripts/guest-root.sh says why).
if [ ${#scale[@]} -gt 0 ]; then
	root=()
	[ "$SERIES" != mainline ] || root=(--root "$("$REPO/scripts/guest-root.sh")")
	"$REPO/scripts/vm-run.sh" --smp 1 --mem 4G --timeout 3600 "${root[@]}" --name "${k}bench-criu" "$seal" -- \
		tests/guest/bench-criu.sh 100 9 || die "the criu restore run failed"
fi

report=$RESULTS/${k}bench.md
{
	echo "make bench on the $SERIES series (Linux $(sed -n 's/^version=//p' "$SERIES_DIR/BASE")), $(date -u +%Y-%m-%d), $(nproc) host cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)),"
	echo "QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') software emulation, one vCPU; $rounds rounds of $spawns executions per cell."
	echo
	"$REPO/build/userspace/bench_exec" report "$RESULTS/${k}bench-seal/exec.txt" "$RESULTS/${k}bench-base/exec.txt" \
		--icount "$RESULTS/${k}bench-seal-icount/exec.txt" "$RESULTS/${k}bench-seal-icount/icount.txt" \
		"$RESULTS/${k}bench-base-icount/exec.txt" "$RESULTS/${k}bench-base-icount/icount.txt" \
		"$RESULTS/${k}bench-base-again-icount/exec.txt" "$RESULTS/${k}bench-base-again-icount/icount.txt"
	echo
	read -r _ ms < <(grep '^mappings seal' "$RESULTS/${k}bench-seal/maps.txt" | cut -d' ' -f2-)
	read -r _ mu < <(grep '^mappings unseal' "$RESULTS/${k}bench-seal/maps.txt" | cut -d' ' -f2-)
	echo "Mappings of a new static image: $ms sealed, $mu opted out."
	if [ -s "$RESULTS/${k}bench-seal/scale.txt" ]; then
		s=$RESULTS/${k}bench-seal/scale.txt
		fig() { awk -v f="$1" -v n="$2" '$1 == f && $2 == n { print $3 }' "$s"; }
		echo
		echo "| tool, with N processes running | N | wall time | per process | against grep |"
		echo "|---|---|---|---|---|"
		for n in 1000 10000; do
			g=$(fig grep $n) a=$(fig audit $n) j=$(fig audit-all-json $n) p=$(fig processes $n)
			echo "| grep -H Mseal_sysmap /proc/[0-9]*/status | $p | $g ms | $(awk -v t="$g" -v p="$p" 'BEGIN { printf "%.1f us", 1000 * t / p }') | 1.00 |"
			echo "| sysmapctl audit | $p | $a ms | $(awk -v t="$a" -v p="$p" 'BEGIN { printf "%.1f us", 1000 * t / p }') | $(awk -v a="$a" -v g="$g" 'BEGIN { printf "%.2f", a / g }') |"
			echo "| sysmapctl audit --all --json | $p | $j ms | $(awk -v t="$j" -v p="$p" 'BEGIN { printf "%.1f us", 1000 * t / p }') | $(awk -v a="$j" -v g="$g" 'BEGIN { printf "%.2f", a / g }') |"
		done
		for n in 100 1000; do
			t=$(fig seal-tree $n)
			echo "| sysmapctl seal --tree (opted-out tree) | $((n + 1)) | $t ms | $(awk -v t="$t" -v p="$((n + 1))" 'BEGIN { printf "%.1f us", 1000 * t / p }') | |"
		done
		grep '^seal-tree-incomplete' "$s" | sed 's/^/warning: /' || true
		c=$RESULTS/${k}bench-criu/output.log
		r=$(awk '$1 == "criu-restore" { print $3 }' "$c") t=$(awk '$1 == "sysmapctl-criu-restore" { print $3 }' "$c")
		echo "| criu restore -d, by itself (the tree comes back opted out) | 101 | $r ms | $(awk -v t="$r" 'BEGIN { printf "%.1f us", 1000 * t / 101 }') | |"
		echo "| sysmapctl criu -- criu restore (the tree comes back sealed) | 101 | $t ms | $(awk -v t="$t" 'BEGIN { printf "%.1f us", 1000 * t / 101 }') | $(awk -v a="$t" -v b="$r" 'BEGIN { printf "%.2f against criu", a / b }') |"
		echo
		echo "Wall times are medians: of three runs for the tools (one fresh tree per seal run), of nine alternated restores from one dump for criu."
	fi
} >"$report"
cat "$report"
