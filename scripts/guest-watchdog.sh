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
# started costs the better part of a second, so one per kernel thread
# would not be done before the timeout.
{
	echo "watchdog: the suite still ran at $(date -u '+%H:%M:%S'), shortly before the runner's timeout"
	for d in /proc/[0-9]*; do
		stat='' wchan='' call=''
		read -r stat <"$d/stat" 2>/dev/null || continue
		# The fields after the command's name: state first, the
		# flags seventh; a kernel thread (PF_KTHREAD) has nothing
		# to name.
		# shellcheck disable=SC2086 # split into fields
		set -- ${stat##*) }
		[ $((${7:-0} & 0x200000)) -eq 0 ] || continue
		cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)
		[ -n "$cmd" ] || continue # exited meanwhile
		read -r wchan <"$d/wchan" 2>/dev/null
		read -r call _ <"$d/syscall" 2>/dev/null
		echo "pid ${d#/proc/} state $1 wchan $wchan syscall $call: $cmd"
		while read -r line; do echo "    $line"; done <"$d/stack" 2>/dev/null
	done
} >"$dir/hang.txt" 2>&1
