#!/usr/bin/env bash
# Boot a test kernel in QEMU and run one suite as the guest's init.
#
#   vm-run.sh [--timeout SEC] [--name NAME] [--append ARGS] [--cpu MODEL] [--root DIR]
#             [--smp N] [--mem SIZE] [--plugin SO] [--icount] KERNEL -- COMMAND [ARGS...]
#   vm-run.sh --arch arm64|riscv64|s390x|loongarch64 --initrd FILE [--timeout SEC] --name NAME KERNEL
#
# The guest sees the host root read-only over virtio-9p, tmpfs where writes
# are needed, and $RESULTS/NAME/ as a writable share. COMMAND runs from the
# repository; its stdout and stderr go to NAME/output.log (TAP on stdout).
# The serial console is kept in NAME/console.log and scanned for kernel
# splats. A guest of another architecture (arm64 and riscv64: -machine
# virt; s390x: s390-ccw-virtio) has no host root: it runs the /init of its
# initramfs (scripts/build-cross-guest.sh), which runs its own suite.
# s390x and loongarch64 boot under trixie's QEMU 10, in a root of the cache
# (scripts/toolchain-root.sh qemu): bookworm's QEMU 7.2 starts a loongarch64
# kernel only through UEFI firmware that bookworm does not package (s390x:
# below).
# --append adds kernel command-line arguments (e.g. a sysctl.* setting).
# --cpu replaces QEMU's CPU model "max" (e.g. "max,-smap": see
# tests/guest/compat.sh for the emulator bug that needs it); --smp and
# --mem the number of vCPUs (2) and the memory (2G x86_64, 1G otherwise).
# --root boots an x86_64 guest on another root directory than the host's
# (scripts/guest-root.sh makes one with a newer Debian's programs, such as
# a criu that knows the kernel under test); the repository and the cache
# are mounted in it at their host paths, as always.
# --plugin loads a QEMU TCG plugin with out=NAME/icount.txt (make bench's
# instruction counter, tests/programs/icount_plugin.cpp).
# --icount ties the guest's clock to the instructions it executes (QEMU's
# -icount, one nanosecond each, idle time skipped): timer interrupts then
# come after a fixed number of instructions, not of host microseconds, so
# two boots count the same work alike however fast the host ran them.
# The exact QEMU command is saved as NAME/qemu-command, to replay a run.
# Exit status: the suite's own, or
#   124  the guest did not finish within the timeout
#   125  the suite finished, but the kernel printed a warning or worse
#   126  the guest stopped without reporting the suite's exit status
. "$(dirname "$0")/common.sh"

timeout=600
name=
arch=x86_64
initrd=
append=
cpu=max
smp=2
mem=
plugin=
icount=
root=/
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--plugin) plugin=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--root) root=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "vm-run.sh: unknown option $1" ;;
	*) kernel=$1; shift ;;
	esac
done
[ -n "${kernel:-}" ] && { [ $# -gt 0 ] || [ -n "$initrd" ]; } ||
	die "usage: vm-run.sh [--timeout SEC] [--name NAME] KERNEL -- COMMAND..."
[ -f "$kernel" ] || die "no kernel image at $kernel; run 'make kernels'"
name=${name:-$(basename "${1:-$arch}")}
res=$RESULTS/$name
rm -rf "$res"
mkdir -p "$res"

# The guest's watchdog records every process's state shortly before the
# timeout (scripts/guest-watchdog.sh): a tenth of it, at least 30 s (a
# KASAN guest took 15 s for one process).
install -m 0644 "$REPO/scripts/guest-watchdog.sh" "$res/watchdog.sh"
margin=$((timeout / 10))
[ "$margin" -ge 30 ] || margin=30

# The suite sees the caller's SYSMAP_* settings (e.g. SYSMAP_SELFTESTS),
# and where the cache is (the guest's $HOME is not the host's).
[ $# -eq 0 ] || {
	printf 'export SYSMAP_CACHE=%q\n' "$CACHE"
	while IFS='=' read -r var _; do
		case $var in SYSMAP_RESULTS | SYSMAP_CACHE | SYSMAP_GUEST_*) continue ;; esac
		printf 'export %s=%q\n' "$var" "${!var}"
	done < <(env | grep -E '^SYSMAP_[A-Z_]+=' || true)
	printf 'cd %q\n' "$REPO"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$res/command.sh"

# virtio on PCI, except s390x's on its channel subsystem.
p9=virtio-9p-pci
[ "$arch" != s390x ] || p9=virtio-9p-ccw
results_share=(-fsdev "local,id=results,path=$res,multidevs=remap,security_model=none"
	-device "$p9,fsdev=results,mount_tag=results")
# The repository and the cache get shares of their own, mounted by the guest
# at their host paths after its tmpfs mounts: a checkout or cache under /tmp,
# /home or /var stays visible wherever it is.
host_shares=()
if [ "$arch" = x86_64 ]; then
	mkdir -p "$CACHE"
	: >"$res/mounts"
	i=0
	for dir in "$REPO" "$CACHE"; do
		host_shares+=(-fsdev "local,id=host$i,path=$dir,readonly=on,multidevs=remap,security_model=none"
			-device "virtio-9p-pci,fsdev=host$i,mount_tag=host$i")
		printf 'host%d %s\n' "$i" "$dir" >>"$res/mounts"
		i=$((i + 1))
	done
fi
# The guest's init: the repository's, or a copy of it inside another root
# (the repository is only mounted once init runs).
init=$REPO/scripts/guest-init.sh
if [ "$root" != / ]; then
	[ -x "$root/bin/bash" ] || die "$root is not a root directory (scripts/guest-root.sh makes one)"
	cmp -s "$init" "$root/sbin/sysmap-guest-init" || install -m 0755 "$init" "$root/sbin/sysmap-guest-init"
	# Mount points for the repository and the cache (the guest's root is
	# read-only).
	mkdir -p "$root$REPO" "$root$CACHE"
	init=/sbin/sysmap-guest-init
fi
# The root and the host shares are read-only, and nothing changes the files
# a guest reads while it runs, so the guest caches them (9p's cache=loose):
# without it every exec and every page fault of a file is a round trip
# through the emulated device. Measured under TCG: 100 execs of true, 10 of
# bash and 5 of a script interpreter took 143 s uncached, 21 s cached; the
# boot to the suite's first command 58 s and 18 s.
case $arch in
x86_64)
	# One processor per socket: the kernel (no ACPI) reads the processors
	# from SeaBIOS's MP table, which lists the first of each socket only.
	topology=$smp
	[[ $smp == *,* ]] || topology="$smp,sockets=$smp,cores=1,threads=1"
	qemu=(qemu-system-x86_64 -machine q35 -cpu "$cpu" -smp "$topology" -m "${mem:-2G}" -kernel "$kernel"
		-append "console=ttyS0 panic=-1 rootfstype=9p rootflags=version=9p2000.L,trans=virtio,access=any,msize=262144,cache=loose root=/dev/root ro init=$init${append:+ $append}"
		-fsdev "local,id=root,path=$root,readonly=on,multidevs=remap,security_model=none"
		-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root)
	;;
arm64 | riscv64 | s390x | loongarch64)
	[ -f "$initrd" ] || die "$arch guests need --initrd (scripts/build-cross-guest.sh)"
	case $arch in
	arm64) qemu=(qemu-system-aarch64 -machine virt -cpu "$cpu") console=ttyAMA0 ;;
	loongarch64)
		# No network card: QEMU's default one wants an option ROM that
		# the root does not have, and the guest needs none.
		qemu=("$REPO/scripts/in-root.sh" "$("$REPO/scripts/toolchain-root.sh" qemu)"
			qemu-system-loongarch64 -machine virt -cpu la464 -nic none) console=ttyS0
		;;
	# OpenSBI (QEMU's own copy) as the firmware.
	riscv64) qemu=(qemu-system-riscv64 -machine virt -bios default) console=ttyS0 ;;
	# The serial console is the SCLP's VT220 terminal. trixie's QEMU 10:
	# under bookworm's 7.2, two boots in nine had a test program die of
	# SIGTRAP or SIGSEGV in code it never runs. 7.2's s390x helpers invalidate only part of the
	# translated code that a page copy (MVCL, MVC) overwrites, which later
	# QEMU releases fixed, and the programs' text pages are copied when a
	# uprobe is inserted.
	s390x)
		qemu=("$REPO/scripts/in-root.sh" "$("$REPO/scripts/toolchain-root.sh" qemu)"
			qemu-system-s390x -machine s390-ccw-virtio -cpu "$cpu") console=ttysclp0
		;;
	esac
	qemu+=(-smp "$smp" -m "${mem:-1G}" -kernel "$kernel" -initrd "$initrd"
		-append "console=$console panic=-1 rdinit=/init${append:+ $append}")
	;;
*) die "unknown architecture $arch" ;;
esac
if [ -n "$plugin" ]; then
	[ -f "$plugin" ] || die "no QEMU plugin at $plugin"
	qemu+=(-plugin "file=$plugin,out=$res/icount.txt")
fi
[ -z "$icount" ] || qemu+=(-icount shift=0,sleep=off)

printf '%q ' timeout -k 10 "$timeout" "${qemu[@]}" "${results_share[@]}" "${host_shares[@]}" \
	-display none -monitor none -no-reboot -serial "file:$res/console.log" >"$res/qemu-command"
echo >>"$res/qemu-command"
# QEMU 7.2 itself aborts, rarely, early in an x86_64 boot
# (msix_table_mmio_write: Assertion ... failed; seen once in about 60
# boots of the ACPI-less test kernels, the cause not established). A QEMU
# that aborted before the suite began
# (the guest's init creates output.log as it starts the suite) is started
# once more, and says so; one that aborted later is a failure.
for attempt in 1 2; do
	start=$SECONDS
	# In seconds since the epoch: the guest's clock is the host's.
	echo $(($(date +%s) + timeout - margin)) >"$res/deadline"
	set +e
	timeout -k 10 "$timeout" "${qemu[@]}" "${results_share[@]}" "${host_shares[@]}" \
		-display none -monitor none -no-reboot -serial "file:$res/console.log" \
		</dev/null >"$res/qemu.log" 2>&1
	qrc=$?
	set -e
	elapsed=$((SECONDS - start))
	[ "$attempt" -eq 1 ] && [ $qrc -eq 134 ] && [ ! -e "$res/output.log" ] || break
	# (QEMU may abort before it opened the console's file.)
	[ ! -e "$res/console.log" ] || mv "$res/console.log" "$res/console.aborted.log"
	mv "$res/qemu.log" "$res/qemu.aborted.log"
	echo "vm-run: $name: QEMU aborted before the suite began ($(tail -n 1 "$res/qemu.aborted.log"));" \
		"booting once more (its log: $res/qemu.aborted.log)" >&2
done

status=
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "vm-run: $name: timed out after ${timeout} s (console: $res/console.log)" >&2
	echo "vm-run: $name: its last line: $(tail -n 1 "$res/output.log" 2>/dev/null)" >&2
	# The processes the watchdog found (their stacks are in hang.txt).
	if [ -s "$res/hang.txt" ]; then
		grep '^pid ' "$res/hang.txt" | grep -v 'watchdog\.sh' >"$res/stuck" || true
		sed 's/^/    /' "$res/stuck" >&2
	fi
	status=124
elif [ ! -s "$res/exit-status" ]; then
	echo "vm-run: $name: the guest stopped without reporting an exit status" \
		"(qemu exit $qrc; console: $res/console.log)" >&2
	status=126
fi
if splats=$("$REPO/scripts/console-splats.sh" "$res/console.log" 2>/dev/null); then
	echo "vm-run: $name: kernel splat in the console:" >&2
	head -n 5 <<<"$splats" | sed 's/^/    /' >&2
	status=${status:-125}
fi
if [ -z "$status" ]; then
	status=$(cat "$res/exit-status")
	if [ "$status" -ne 0 ]; then
		echo "vm-run: $name: suite exited with status $status (log: $res/output.log)" >&2
	fi
fi
echo "$elapsed" >"$res/seconds"
exit "$status"
