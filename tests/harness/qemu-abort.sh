#!/usr/bin/env bash
# Stands in for qemu-system-x86_64 in the VM runner's own tests
# (vm-tests.sh): its first start aborts as QEMU does on a failed assertion,
# before the guest boots (QEMU_ABORT_AT=boot) or once the guest's init has
# begun the suite (QEMU_ABORT_AT=suite); every later start is the real QEMU
# (QEMU_REAL). QEMU_ABORT_STATE is the file that marks the first start.
: "${QEMU_REAL:?}" "${QEMU_ABORT_STATE:?}"
[ ! -e "$QEMU_ABORT_STATE" ] || exec "$QEMU_REAL" "$@"
: >"$QEMU_ABORT_STATE"
if [ "${QEMU_ABORT_AT:-boot}" = suite ]; then
	# The results share (-fsdev local,id=results,path=DIR,...), where the
	# guest's init creates output.log as it starts the suite.
	dir=
	for a; do
		case $a in local,id=results,path=*)
			dir=${a#local,id=results,path=}
			dir=${dir%%,*}
			;;
		esac
	done
	"$QEMU_REAL" "$@" &
	pid=$!
	while [ ! -e "$dir/output.log" ] && kill -0 "$pid" 2>/dev/null; do sleep 1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
fi
echo "qemu-system-x86_64: hw/pci/msix.c:218: msix_table_mmio_write: Assertion failed (qemu-abort.sh)" >&2
ulimit -c 0
kill -ABRT $$
