#!/usr/bin/env bash
# Build the arm64 guest's root: an initramfs with Debian's arm64
# busybox-static, criu and strace with the libraries they need (downloaded with apt,
# not built), the series' selftests, sysmapctl and criu's workload, all
# statically cross-linked, the AArch32 programs, and the suites. Prints the
# path of the initramfs.
# The guest of the 6.12 arm64 kernel: the 6.12 series' headers and selftests.
export SYSMAP_SERIES=6.12
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

# Debian's arm64 criu and strace (which shows criu's failing call), and the
# shared libraries they load: each library named by a DT_NEEDED entry is
# looked up in the amd64 package that holds the same file on this machine
# (criu and strace are installed here, so their libraries are), and that
# package's arm64 build is downloaded, until nothing is missing.
tools_root=$work/tools
if [ ! -x "$tools_root/usr/sbin/criu" ] || [ ! -x "$tools_root/usr/bin/strace" ]; then
	rm -rf "$work/tools-debs" "$tools_root"
	mkdir -p "$work/tools-debs" "$tools_root"
	for pkg in criu strace; do
		(cd "$work/tools-debs" && apt-get download -q "$pkg:arm64" >&2) ||
			die "cannot download $pkg:arm64"
		dpkg-deb -x "$work"/tools-debs/"$pkg"_*_arm64.deb "$tools_root"
	done
	for _ in 1 2 3 4 5 6 7 8; do
		missing=$(find "$tools_root" -type f \( -name '*.so*' -o -path '*/sbin/criu' -o -path '*/bin/strace' \) \
			-not -path '*/gconv/*' -exec aarch64-linux-gnu-readelf -d {} + 2>/dev/null |
			sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort -u |
			while read -r lib; do
				[ -n "$(find "$tools_root" -name "$lib" -print -quit)" ] || echo "$lib"
			done)
		[ -z "$missing" ] && break
		pkgs=$(for lib in $missing; do
			[ "$lib" = ld-linux-aarch64.so.1 ] && { echo libc6; continue; }
			dpkg -S "*/x86_64-linux-gnu/$lib" 2>/dev/null | head -n 1 | cut -d: -f1
		done | sort -u)
		[ -n "$pkgs" ] || die "criu or strace for arm64 needs $missing, and no package here holds it"
		for pkg in $pkgs; do
			(cd "$work/tools-debs" && apt-get download -q "$pkg:arm64" >&2) ||
				die "cannot download $pkg:arm64"
			dpkg-deb -x "$work"/tools-debs/"$pkg"_*_arm64.deb "$tools_root"
		done
	done
	[ -z "$missing" ] || die "criu or strace for arm64 still needs: $missing"
	rm -rf "$tools_root"/usr/share "$tools_root"/usr/include "$tools_root"/usr/lib/aarch64-linux-gnu/gconv
	find "$tools_root" -name '*.a' -delete
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
cmake --build "$REPO/build/arm64-userspace" -j"$JOBS" --target sysmapctl sysmap_static \
	>"$REPO/build/arm64-userspace/build.log" 2>&1 ||
	{ tail -n 20 "$REPO/build/arm64-userspace/build.log" >&2; die "building the arm64 sysmapctl failed"; }

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,results,tests}
cp -a "$tools_root"/. "$root"/
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$REPO/tests/guest/arm64-init.sh" "$root/init"
cp "$REPO/tests/guest/arm64-suite.sh" "$root/tests/suite.sh"
cp "$REPO/tests/guest/arm64-criu.sh" "$root/tests/criu.sh"
cp "$work"/selftests/sysmap_* "$root/tests/"
# The AArch32 target of "sysmapctl seal" (tests/guest/arm64-suite.sh),
# with 64K-aligned segments: the kernel has 16K pages.
arm-linux-gnueabihf-gcc -O2 -static -marm -Wall -Werror -Wl,-z,max-page-size=0x10000 \
	-o "$root/tests/seal_target32" "$REPO/tests/programs/seal_target32.c" >&2
# criu's workload (tests/guest/arm64-criu.sh).
aarch64-linux-gnu-g++ -std=c++20 -O2 -static -Wall -Werror -I "$REPO/userspace/include" \
	-o "$root/tests/criu_workload" "$REPO/tests/programs/criu_workload.cpp" \
	"$REPO/build/arm64-userspace/libsysmap.a" -pthread >&2
cp "$REPO/build/arm64-userspace/sysmapctl" "$root/bin/sysmapctl"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
echo "$work/initramfs.cpio.gz"
