#!/bin/sh
# The guest's watchdog (POSIX sh: busybox in the initramfs guests). Each
# guest's init starts it in the background with the results share:
#
#   sh RESULTS/watchdog.sh RESULTS
#
# It waits until shortly before the runner's timeout (RESULTS/deadline,
# in seconds since the epoch, written by scripts/vm-run.sh; the guest's
# clock is the host's), then records the state of every process in
# RESULTS/hang.txt: a guest that hangs says where. A suite that ends first
# powers the guest off, and the watchdog with it.
dir=$1
read -r deadline <"$dir/deadline" || exit 0
now=$(date +%s)
[ "$deadline" -le "$now" ] || sleep $((deadline - now)) || exit 0
{
	echo "watchdog: the suite still ran at $(date -u '+%H:%M:%S'), shortly before the runner's timeout"
	for d in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)
		[ -n "$cmd" ] || continue # a kernel thread
		state=$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f1)
		echo "pid ${d#/proc/} state $state wchan $(cat "$d/wchan" 2>/dev/null)" \
			"syscall $(cut -d' ' -f1 "$d/syscall" 2>/dev/null): $cmd"
		sed 's/^/    /' "$d/stack" 2>/dev/null
	done
} >"$dir/hang.txt" 2>&1
