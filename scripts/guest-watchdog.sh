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
# Shell builtins wherever they do: under KASAN and emulation each program
# started costs the better part of a second.
{
	echo "watchdog: the suite still ran at $(date -u '+%H:%M:%S'), shortly before the runner's timeout"
	for d in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)
		[ -n "$cmd" ] || continue # a kernel thread
		stat='' wchan='' call=''
		read -r stat <"$d/stat" 2>/dev/null
		stat=${stat##*) }
		read -r wchan <"$d/wchan" 2>/dev/null
		read -r call _ <"$d/syscall" 2>/dev/null
		echo "pid ${d#/proc/} state ${stat%% *} wchan $wchan syscall $call: $cmd"
		while read -r line; do echo "    $line"; done <"$d/stack" 2>/dev/null
	done
} >"$dir/hang.txt" 2>&1
