#!/usr/bin/env bash
# Build the arm64 guest's root: an initramfs with Debian's arm64
# busybox-static, criu and strace with the libraries they load (downloaded
# from Debian, not built), the series' selftests, sysmapctl and criu's
# workload, all statically cross-linked, the AArch32 programs, and the
# suites. Prints the path of the initramfs.
#
#   build-arm64-guest.sh [mainline|6.12]     (default mainline)
#
# The guest of the 7.3 kernel takes criu and strace from trixie: bookworm's
# criu 3.17 predates Linux 6.13's vDSO layout and stops before it dumps
# anything on 7.3 (scripts/guest-root.sh says the same for x86_64). The
# guest of the 6.12 kernel takes them from bookworm.
export SYSMAP_SERIES=${1:-mainline}
case $SYSMAP_SERIES in
mainline) suite=trixie work_name=arm64-mainline ;;
6.12) suite=bookworm work_name=arm64 ;;
*)
	echo "usage: build-arm64-guest.sh [mainline|6.12]" >&2
	exit 2
	;;
esac
. "$(dirname "$0")/common.sh"

work=$CACHE/$work_name
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

# Debian's arm64 criu and strace (which shows criu's failing call) and the
# shared libraries they load. debootstrap resolves their dependencies in
# the suite and downloads them (nothing is installed, on the host or in a
# root); every package is unpacked in a scratch tree, and only the two
# programs and the libraries their DT_NEEDED entries name, transitively,
# are kept.
tools_root=$work/tools
if [ "$(cat "$tools_root/.complete" 2>/dev/null)" != "$suite" ]; then
	rm -rf "$work/tools-dl" "$work/tools-all" "$tools_root"
	mkdir -p "$work/tools-all" "$tools_root"
	debootstrap --download-only --arch=arm64 --variant=minbase --include=criu,strace \
		"$suite" "$work/tools-dl" http://deb.debian.org/debian >"$work/tools-dl.log" 2>&1 ||
		die "downloading $suite's arm64 criu and strace failed; see $work/tools-dl.log"
	for deb in "$work"/tools-dl/var/cache/apt/archives/*.deb; do
		dpkg-deb -x "$deb" "$work/tools-all"
	done
	all=$work/tools-all
	# Where a library is found, as the dynamic loader looks: the multiarch
	# directories, then the top ones.
	find_lib() {
		local d
		for d in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib lib; do
			if [ -e "$all/$d/$1" ]; then
				echo "$d/$1"
				return 0
			fi
		done
		return 1
	}
	queue=(usr/sbin/criu usr/bin/strace)
	for f in "${queue[@]}"; do
		[ -e "$all/$f" ] || die "$suite's arm64 packages have no /$f"
	done
	kept=" "
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		case $kept in *" $f "*) continue ;; esac
		kept+="$f "
		mkdir -p "$tools_root/$(dirname "$f")"
		cp -L "$all/$f" "$tools_root/$f"
		for lib in $(aarch64-linux-gnu-readelf -d "$all/$f" |
			sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			path=$(find_lib "$lib") || die "$suite's arm64 /$f needs $lib, which no downloaded package holds"
			queue+=("$path")
		done
	done
	# The loader, at the path the programs name (trixie keeps it under
	# /usr alone, and a /lib link to /usr/lib stands for the one usrmerge
	# makes).
	interp=$(aarch64-linux-gnu-readelf -l "$all/usr/sbin/criu" |
		sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
	for f in "${interp#/}" "usr$interp" ""; do
		[ -n "$f" ] || die "$suite's arm64 packages have no $interp"
		[ -e "$all/$f" ] || continue
		mkdir -p "$tools_root/$(dirname "$f")"
		cp -L "$all/$f" "$tools_root/$f"
		break
	done
	[ -e "$tools_root/lib" ] || ln -s usr/lib "$tools_root/lib"
	rm -rf "$work/tools-dl" "$work/tools-all"
	echo "$suite" >"$tools_root/.complete"
fi

# Selftests, statically linked, against the series' arm64 headers: the
# series' own, and mm's mseal_test, which must pass as it does without it.
src=$("$REPO/scripts/kernel-tree.sh" build-src)
hdr=$work/headers
mkdir -p "$hdr" "$work/selftests" "$work/selftests-mm"
make -s -C "$src" O="$hdr" ARCH=arm64 headers_install INSTALL_HDR_PATH="$hdr/usr" >&2
make -s -C "$src/tools/testing/selftests/mseal_system_mappings" OUTPUT="$work/selftests" \
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- LDFLAGS=-static \
	KHDR_INCLUDES="-isystem $hdr/usr/include" >&2
make -s -C "$src/tools/testing/selftests/mm" OUTPUT="$work/selftests-mm" \
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- LDFLAGS=-static \
	KHDR_INCLUDES="-isystem $hdr/usr/include" "$work/selftests-mm/mseal_test" >&2

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
cp "$work"/selftests/sysmap_* "$work/selftests-mm/mseal_test" "$root/tests/"
rm -f "$root/.complete"
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
