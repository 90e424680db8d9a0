#!/usr/bin/env bash
# Make a Debian trixie root in the cache with what bookworm lacks, and print
# its path. Nothing of trixie is installed on the host: everything runs in
# the root through scripts/in-root.sh.
#
#   toolchain-root.sh qemu          QEMU 10 (qemu-system-misc): the s390x
#                                   guest (scripts/vm-run.sh says why not
#                                   bookworm's 7.2) and the loongarch64 one,
#                                   whose kernel bookworm's QEMU starts only
#                                   through UEFI firmware it does not package
#   toolchain-root.sh loongarch64   bookworm has no loongarch64 cross
#                                   compiler: GCC 14 with the C library for
#                                   static programs, and the source of
#                                   busybox (Debian's loong64 port is not in
#                                   the archive)
. "$(dirname "$0")/common.sh"

arch=${1:-}
case $arch in
qemu) packages=qemu-system-misc hook=qemu_version ;;
loongarch64)
	packages=gcc-loongarch64-linux-gnu,g++-loongarch64-linux-gnu,libc6-dev-loong64-cross
	packages+=,gcc,libc6-dev,make,cmake,bc,flex,bison,ccache,cpio,xz-utils,bzip2
	hook=busybox_source
	;;
*) die "usage: toolchain-root.sh qemu|loongarch64" ;;
esac
# The source of busybox, for the guest's shell: Debian's loong64 port is not
# in the archive, its source is. Fetched with apt inside the root, which
# checks it against trixie's signed index.
busybox_source() {
	echo "deb-src http://deb.debian.org/debian trixie main" >"$1/etc/apt/sources.list.d/src.list"
	chroot "$1" apt-get -q update &&
		mkdir -p "$1/src/busybox" &&
		chroot "$1" sh -c 'cd /src/busybox && apt-get -q source --download-only busybox' &&
		chroot "$1" dpkg-query -W gcc-14-loongarch64-linux-gnu >"$1/.versions"
}
qemu_version() {
	chroot "$1" dpkg-query -W qemu-system-misc >"$1/.versions"
}
root=$CACHE/roots/trixie-$arch
debian_root "$root" trixie "$packages" "$hook"
echo "$root"
