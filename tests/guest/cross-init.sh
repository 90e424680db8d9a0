#!/bin/sh
# init of the guests of other architectures (busybox; initramfs made by
# scripts/build-cross-guest.sh): mount, start the watchdog
# (scripts/guest-watchdog.sh), run /tests/suite.sh with its output in the
# results share, record the exit status, power off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
# criu's kernel probes bind a TCP socket to the loopback address.
ip link set lo up
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /results
sh /results/watchdog.sh /results </dev/null >/dev/null 2>&1 &
echo "sysmap-seal $(uname -m) guest: running its suite" >/dev/console
cd /tmp
sh /tests/suite.sh >/results/output.log 2>&1
echo $? >/results/exit-status
echo "sysmap-seal $(uname -m) guest: suite exited with status $(cat /results/exit-status)" >/dev/console
sync
umount /results
echo o >/proc/sysrq-trigger
sleep 30
