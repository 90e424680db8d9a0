#!/usr/bin/env bash
# Make a Debian trixie root in the cache with what bookworm lacks for one
# architecture, and print its path. loongarch64: bookworm has no
# loongarch64 cross compiler, and its QEMU 7.2 starts a loongarch64 kernel
# only through UEFI firmware that bookworm does not package; trixie has
# the compilers (GCC 14, with the C library for static programs), QEMU 10,
# which loads the kernel itself, and the source of busybox. Nothing of
# trixie is installed on the host: everything runs in the root through
# scripts/in-root.sh.
#
#   toolchain-root.sh loongarch64
. "$(dirname "$0")/common.sh"

arch=${1:-}
case $arch in
loongarch64)
	packages=gcc-loongarch64-linux-gnu,g++-loongarch64-linux-gnu,libc6-dev-loong64-cross
	packages+=,gcc,libc6-dev,make,cmake,bc,flex,bison,ccache,cpio,xz-utils,bzip2,qemu-system-misc
	;;
*) die "usage: toolchain-root.sh loongarch64" ;;
esac
root=$CACHE/roots/trixie-$arch
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$packages" ]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/deps.sh installs it)"
msg "making a trixie root for $arch in $root (debootstrap, a few minutes)"
rm -rf "$root" "$root.tmp"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase --include="$packages" trixie "$root.tmp" \
	http://deb.debian.org/debian >"$CACHE/roots/trixie-$arch.log" 2>&1 ||
	die "debootstrap trixie failed; see $CACHE/roots/trixie-$arch.log"
# The source of busybox, for the guest's shell: Debian's loong64 port is not
# in the archive, its source is. Fetched with apt inside the root, which
# checks it against trixie's signed index.
echo "deb-src http://deb.debian.org/debian trixie main" >"$root.tmp/etc/apt/sources.list.d/src.list"
chroot "$root.tmp" apt-get -q update >>"$CACHE/roots/trixie-$arch.log" 2>&1 ||
	die "apt-get update in the trixie root failed; see $CACHE/roots/trixie-$arch.log"
mkdir -p "$root.tmp/src/busybox"
chroot "$root.tmp" sh -c 'cd /src/busybox && apt-get -q source --download-only busybox' \
	>>"$CACHE/roots/trixie-$arch.log" 2>&1 ||
	die "downloading busybox's source failed; see $CACHE/roots/trixie-$arch.log"
chroot "$root.tmp" dpkg-query -W gcc-14-loongarch64-linux-gnu qemu-system-misc >"$root.tmp/.versions"
echo "$packages" >"$root.tmp/.complete"
mv "$root.tmp" "$root"
echo "$root"
