#!/usr/bin/env bash
# The guest side of "make bench" (scripts/bench.sh): copy the programs it
# starts, and the dynamic loader and C library the dynamic one needs, into a
# root on the guest's tmpfs (so that no execution reads through 9p), then
# measure. Writes $SYSMAP_GUEST_RESULTS/exec.txt (bench_exec run) and
# maps.txt, and, with --scale, the tools at scale (scale.txt).
#
#   bench.sh ROUNDS SPAWNS [--scale]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${SYSMAP_BIN:-$here/../../build/userspace}
progs=${SYSMAP_CACHE:?}/bench
out=${SYSMAP_GUEST_RESULTS:-/tmp}
rounds=${1:?usage: bench.sh ROUNDS SPAWNS [--scale]}
spawns=${2:?usage: bench.sh ROUNDS SPAWNS [--scale]}

root=/tmp/bench-root
mkdir -p "$root/proc"
install -m 0755 "$progs"/bench_exit_static "$progs"/bench_exit_dynamic "$progs"/bench_exit_ia32 "$root/"
# What the dynamic program loads, at the paths it loads them from.
ldd "$root/bench_exit_dynamic" | grep -oE '/[^ ]+' | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
mount --bind /proc "$root/proc"
if grep -q '^Mseal_sysmap:' /proc/self/status; then
	"$bin/bench_exec" maps --root "$root" >"$out/maps.txt"
fi
"$bin/bench_exec" run --root "$root" --rounds "$rounds" --spawns "$spawns" --out "$out/exec.txt"
if [ "${3:-}" = --scale ]; then
	"$here/bench-scale.sh" >"$out/scale.txt"
fi
umount "$root/proc"
