#!/bin/bash
# The guest's init: mount what a suite needs on top of the read-only 9p root,
# run the suite named in the results share, record its exit status, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp/home LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
for d in /tmp /run /var/tmp /var/log /var/lib /home /mnt /srv; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mkdir -p "$HOME"
hostname sysmap-guest
ip link set lo up 2>/dev/null

mkdir -p /mnt/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /mnt/results
export SYSMAP_GUEST=1 SYSMAP_GUEST_RESULTS=/mnt/results
sh /mnt/results/watchdog.sh /mnt/results </dev/null >/dev/null 2>&1 &

# The repository and the cache, at their host paths (read-only): the tmpfs
# mounts above may have hidden them.
while read -r tag dir; do
	mkdir -p "$dir" 2>/dev/null
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose "$tag" "$dir" ||
		echo "sysmap-seal guest: cannot mount $dir" >/dev/console
done </mnt/results/mounts

echo "sysmap-seal guest: running $(tail -n 1 /mnt/results/command.sh)" >/dev/console
cd /tmp
bash /mnt/results/command.sh </dev/null >/mnt/results/output.log 2>&1
echo $? >/mnt/results/exit-status
echo "sysmap-seal guest: suite exited with status $(cat /mnt/results/exit-status)" >/dev/console
sync
umount /mnt/results
# Reboot (the test kernels have no ACPI to power off with): QEMU runs with
# -no-reboot, so the guest's reset ends it. Wait for it without executing
# anything from the 9p root (an exec there after the shares went away
# failed with EIO, init exited and the kernel panicked on a clean run):
# read is a builtin and /dev/console is not on 9p; init never exits.
echo b >/proc/sysrq-trigger
while :; do
	read -r -t 60 _ </dev/console
done
