#!/usr/bin/env bash
# Build the arm64 guest's root: an initramfs with Debian's arm64
# busybox-static (downloaded with apt, not built), the series' selftests and
# sysmapctl, both statically cross-linked, the AArch32 compat helper, and
# the suite. Prints the path of the initramfs.
. "$(dirname "$0")/common.sh"

work=$CACHE/arm64
root=$work/root
mkdir -p "$work"

# busybox for arm64, from Debian's archive.
if [ ! -x "$work/busybox/bin/busybox" ]; then
	dpkg --print-foreign-architectures | grep -qx arm64 || {
		dpkg --add-architecture arm64
		apt-get update -q >&2
	}
	(cd "$work" && rm -f busybox-static_*_arm64.deb && apt-get download -q busybox-static:arm64 >&2)
	rm -rf "$work/busybox"
	dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/busybox"
fi

# Selftests, statically linked, against the series' arm64 headers.
src=$("$REPO/scripts/kernel-tree.sh" build-src)
hdr=$CACHE/build/headers-arm64
mkdir -p "$hdr" "$work/selftests"
make -s -C "$src" O="$hdr" ARCH=arm64 headers_install INSTALL_HDR_PATH="$hdr/usr" >&2
make -s -C "$src/tools/testing/selftests/mseal_system_mappings" OUTPUT="$work/selftests" \
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- LDFLAGS=-static \
	KHDR_INCLUDES="-isystem $hdr/usr/include" >&2

# sysmapctl, statically linked.
cmake -S "$REPO/userspace" -B "$REPO/build/arm64-userspace" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ -DSYSMAP_STATIC=ON -DSYSMAP_UNIT_TESTS=OFF >/dev/null
cmake --build "$REPO/build/arm64-userspace" -j"$JOBS" --target sysmapctl \
	>"$REPO/build/arm64-userspace/build.log" 2>&1 ||
	{ tail -n 20 "$REPO/build/arm64-userspace/build.log" >&2; die "building the arm64 sysmapctl failed"; }

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,results,tests}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$REPO/tests/guest/arm64-init.sh" "$root/init"
cp "$REPO/tests/guest/arm64-suite.sh" "$root/tests/suite.sh"
cp "$work"/selftests/sysmap_* "$root/tests/"
# The AArch32 target of "sysmapctl seal" (tests/guest/arm64-suite.sh).
arm-linux-gnueabihf-gcc -O2 -static -marm -Wall -Werror -o "$root/tests/seal_target32" \
	"$REPO/tests/programs/seal_target32.c" >&2
cp "$REPO/build/arm64-userspace/sysmapctl" "$root/bin/sysmapctl"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
echo "$work/initramfs.cpio.gz"
