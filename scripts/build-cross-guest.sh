#!/usr/bin/env bash
# Build the root of a guest of another architecture: an initramfs with
# Debian's busybox-static, strace and, where Debian builds it for the
# architecture, criu, with the libraries they load (downloaded from
# Debian, not built); the series' selftests, mm's mseal_test, sysmapctl,
# seal_target and criu's workload, all statically cross-linked; on arm64
# the AArch32 programs too; and the suite (tests/guest/cross-suite.sh).
# Prints the path of the initramfs.
#
#   build-cross-guest.sh ARCH [mainline|6.12]    ARCH: arm64, riscv64, s390x,
#                                                loongarch64 (default series:
#                                                mainline)
#
# The guest of the 7.3 kernel takes its programs from trixie: bookworm's
# criu 3.17 predates Linux 6.13's vDSO layout and stops before it dumps
# anything on 7.3 (scripts/guest-root.sh says the same for x86_64), and
# bookworm has no riscv64 port. The guest of the 6.12 kernel takes them
# from bookworm. Debian builds no criu for riscv64. loongarch64 has no
# Debian port in the archive and no compiler in bookworm: its guest has
# busybox built from trixie's source, and everything is compiled in a
# trixie root (scripts/toolchain-root.sh, scripts/in-root.sh).
arch=${1:-}
export SYSMAP_SERIES=${2:-mainline}
usage() {
	echo "usage: build-cross-guest.sh arm64|riscv64|s390x|loongarch64 [mainline|6.12]" >&2
	exit 2
}
case $arch in
arm64) triple=aarch64-linux-gnu karch=arm64 packages=busybox-static,strace,criu ;;
riscv64) triple=riscv64-linux-gnu karch=riscv packages=busybox-static,strace ;;
s390x) triple=s390x-linux-gnu karch=s390 packages=busybox-static,strace,criu ;;
loongarch64) triple=loongarch64-linux-gnu karch=loongarch packages= ;;
*) usage ;;
esac
case $SYSMAP_SERIES in
mainline)
	suite=trixie work_name=$arch-mainline
	;;
6.12) suite=bookworm work_name=$arch ;;
*) usage ;;
esac
. "$(dirname "$0")/common.sh"
[ "$arch/$suite" != riscv64/bookworm ] || die "bookworm has no riscv64 port: build the mainline guest"
[ "$arch/$suite" != loongarch64/bookworm ] || die "6.12 has no loongarch64 guest: build the mainline one"
# A command prefix: run the compilers in a toolchain root (loongarch64).
in_root=()
[ "$arch" != loongarch64 ] ||
	in_root=("$REPO/scripts/in-root.sh" "$("$REPO/scripts/toolchain-root.sh" "$arch")")

work=$CACHE/$work_name
root=$work/root
mkdir -p "$work"

# Debian's programs and the shared libraries they load. apt resolves
# their dependencies in the suite, with a package database of its own that
# starts empty (nothing is installed, on the host or in a root), and
# downloads them, each checked against the suite's signed index; every
# package is unpacked in a scratch tree, and only busybox, the programs and
# the libraries their DT_NEEDED entries name, transitively, are kept.
#
# A build the mirror lists but does not serve (404) is replaced by the
# earlier build of the same upstream version pinned here with its checksum,
# and only then: deb.debian.org lists trixie's s390x libc6 2.41-12+deb13u5
# and answers 404 for it, while it serves that version for the other
# architectures, and 2.41-12+deb13u4 for s390x.
# Each: the file the index names and its stand-in, then the stand-in's sha256.
stand_ins=(
	"libc6_2.41-12+deb13u5_s390x.deb libc6_2.41-12+deb13u4_s390x.deb"
	"c6e658d8e17d885c831ad1275501ef1abdadc6c93e9ac7758cfd1e5cde2d608b"
)
fetch_debs() {	# fetch_debs DIR PACKAGE...: $suite's $arch PACKAGEs and their dependencies into DIR
	local dir=$1 apt=$work/apt uri file i listed stand_in
	shift
	mkdir -p "$apt/lists/partial" "$dir/partial"
	echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian $suite main" >"$apt/sources.list"
	: >"$apt/status"
	local opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status"
		-o Dir::Cache::Archives="$dir" -o APT::Architecture="$arch" -o APT::Architectures::="$arch"
		-o APT::Install-Recommends=0 -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
		-o Debug::NoLocking=1)
	apt-get "${opts[@]}" -q update || return 1
	# apt fetches what it can, and fails if a file is missing; then
	# --print-uris lists what is still missing, and each needs a stand-in.
	apt-get "${opts[@]}" -q -y -d install "$@" && return 0
	while read -r uri file _; do
		uri=${uri//\'/}
		for ((i = 0; i < ${#stand_ins[@]}; i += 2)); do
			read -r listed stand_in <<<"${stand_ins[$i]}"
			[ "$listed" = "$file" ] || continue
			echo "deb.debian.org does not serve $file: taking $stand_in, pinned by its checksum"
			# In the same pool directory.
			/usr/lib/apt/apt-helper download-file "$(dirname "$uri")/$stand_in" "$dir/$stand_in" \
				"SHA256:${stand_ins[$((i + 1))]}" || return 1
			continue 2
		done
		echo "error: $file could not be downloaded, and no stand-in is pinned for it"
		return 1
	done < <(apt-get "${opts[@]}" -qq -y --print-uris install "$@")
}
tools_root=$work/tools
# Busybox from trixie's source (the root holds it), statically linked:
# defconfig without tc, which needs the CBQ scheduler's definitions that
# Linux 6.8 dropped from its headers, and without the x86 SHA instructions,
# whose fallback does not compile for other architectures in 1.37 (the
# guest uses neither).
build_busybox() {
	local b=$work/busybox
	rm -rf "$b"
	mkdir -p "$b"
	"${in_root[@]}" bash -c '
		set -e
		cd "$1"
		tar -xjf /src/busybox/busybox_*.orig.tar.bz2 --strip-components=1
		make -s defconfig
		sed -i -e "s/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/" -e "s/^CONFIG_TC=y/# CONFIG_TC is not set/" \
			-e "s/^CONFIG_SHA1_HWACCEL=y/# CONFIG_SHA1_HWACCEL is not set/" \
			-e "s/^CONFIG_SHA256_HWACCEL=y/# CONFIG_SHA256_HWACCEL is not set/" .config
		yes "" | make -s oldconfig >/dev/null
		make -s -j"$2" CROSS_COMPILE="$3-" busybox
	' busybox "$b" "$JOBS" "$triple" >"$work/busybox.log" 2>&1 ||
		die "building busybox for $arch failed; see $work/busybox.log"
	mkdir -p "$tools_root/bin"
	cp "$b/busybox" "$tools_root/bin/busybox"
	rm -rf "$b"
}
if [ -z "$packages" ]; then
	if [ "$(cat "$tools_root/.complete" 2>/dev/null)" != "$suite busybox-source" ]; then
		rm -rf "$tools_root"
		build_busybox
		echo "$suite busybox-source" >"$tools_root/.complete"
	fi
elif [ "$(cat "$tools_root/.complete" 2>/dev/null)" != "$suite $packages" ]; then
	rm -rf "$work/tools-dl" "$work/tools-all" "$tools_root"
	mkdir -p "$work/tools-all" "$tools_root"
	fetch_debs "$work/tools-dl" ${packages//,/ } >"$work/tools-dl.log" 2>&1 ||
		die "downloading $suite's $arch $packages failed; see $work/tools-dl.log"
	for deb in "$work"/tools-dl/*.deb; do
		dpkg-deb -x "$deb" "$work/tools-all"
	done
	all=$work/tools-all
	# Where a library is found, as the dynamic loader looks: the multiarch
	# directories, then the top ones.
	find_lib() {
		local d
		for d in "usr/lib/$triple" "lib/$triple" usr/lib lib usr/lib64 lib64; do
			if [ -e "$all/$d/$1" ]; then
				echo "$d/$1"
				return 0
			fi
		done
		return 1
	}
	queue=(usr/bin/strace)
	case $packages in *criu*) queue+=(usr/sbin/criu) ;; esac
	for f in "${queue[@]}"; do
		[ -e "$all/$f" ] || die "$suite's $arch packages have no /$f"
	done
	kept=" "
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		case $kept in *" $f "*) continue ;; esac
		kept+="$f "
		mkdir -p "$tools_root/$(dirname "$f")"
		cp -L "$all/$f" "$tools_root/$f"
		for lib in $(readelf -d "$all/$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			path=$(find_lib "$lib") || die "$suite's $arch /$f needs $lib, which no downloaded package holds"
			queue+=("$path")
		done
	done
	# The loader, at the path the programs name (trixie keeps it under
	# /usr alone, and a /lib link to /usr/lib stands for the one usrmerge
	# makes).
	interp=$(readelf -l "$all/usr/bin/strace" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
	for f in "${interp#/}" "usr$interp" ""; do
		[ -n "$f" ] || die "$suite's $arch packages have no $interp"
		[ -e "$all/$f" ] || continue
		mkdir -p "$tools_root/$(dirname "$f")"
		cp -L "$all/$f" "$tools_root/$f"
		break
	done
	[ -e "$tools_root/lib" ] || ln -s usr/lib "$tools_root/lib"
	mkdir -p "$tools_root/bin"
	cp "$all/bin/busybox" "$tools_root/bin/busybox" 2>/dev/null || cp "$all/usr/bin/busybox" "$tools_root/bin/busybox"
	rm -rf "$work/tools-dl" "$work/tools-all"
	echo "$suite $packages" >"$tools_root/.complete"
fi

# Selftests, statically linked, against the series' headers for ARCH: the
# series' own, and mm's mseal_test, which must pass as it does without it.
src=$("$REPO/scripts/kernel-tree.sh" build-src)
hdr=$work/headers
mkdir -p "$hdr" "$work/selftests" "$work/selftests-mm"
make -s -C "$src" O="$hdr" ARCH="$karch" headers_install INSTALL_HDR_PATH="$hdr/usr" >&2
"${in_root[@]}" make -s -C "$src/tools/testing/selftests/mseal_system_mappings" OUTPUT="$work/selftests" \
	ARCH="$karch" CROSS_COMPILE="$triple-" LDFLAGS=-static \
	KHDR_INCLUDES="-isystem $hdr/usr/include" >&2
"${in_root[@]}" make -s -C "$src/tools/testing/selftests/mm" OUTPUT="$work/selftests-mm" \
	ARCH="$karch" CROSS_COMPILE="$triple-" LDFLAGS=-static \
	KHDR_INCLUDES="-isystem $hdr/usr/include" "$work/selftests-mm/mseal_test" >&2

# sysmapctl, statically linked.
ubuild=$REPO/build/$arch-userspace
"${in_root[@]}" cmake -S "$REPO/userspace" -B "$ubuild" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_CXX_COMPILER="$triple-g++" -DSYSMAP_STATIC=ON -DSYSMAP_UNIT_TESTS=OFF >/dev/null
"${in_root[@]}" cmake --build "$ubuild" -j"$JOBS" --target sysmapctl sysmap_static >"$ubuild/build.log" 2>&1 ||
	{ tail -n 20 "$ubuild/build.log" >&2; die "building the $arch sysmapctl failed"; }

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,results,tests}
cp -a "$tools_root"/. "$root"/
rm -f "$root/.complete"
ln -s busybox "$root/bin/sh"
cp "$REPO/tests/guest/cross-init.sh" "$root/init"
cp "$REPO/tests/guest/cross-suite.sh" "$root/tests/suite.sh"
cp "$REPO/tests/guest/cross-criu.sh" "$root/tests/criu.sh"
cp "$work"/selftests/sysmap_* "$work/selftests-mm/mseal_test" "$root/tests/"
# The native target of "sysmapctl seal" (known values in its registers).
"${in_root[@]}" "$triple-g++" -std=c++20 -O2 -static -Wall -Werror -pthread \
	-o "$root/tests/seal_target" "$REPO/tests/programs/seal_target.cpp" >&2
if [ "$arch" = arm64 ]; then
	# The AArch32 target, with 64K-aligned segments: the kernel has 16K
	# pages.
	arm-linux-gnueabihf-gcc -O2 -static -marm -Wall -Werror -Wl,-z,max-page-size=0x10000 \
		-o "$root/tests/seal_target32" "$REPO/tests/programs/seal_target32.c" >&2
fi
# criu's workload (tests/guest/cross-criu.sh).
"${in_root[@]}" "$triple-g++" -std=c++20 -O2 -static -Wall -Werror -I "$REPO/userspace/include" \
	-o "$root/tests/criu_workload" "$REPO/tests/programs/criu_workload.cpp" \
	"$ubuild/libsysmap.a" -pthread >&2
cp "$ubuild/sysmapctl" "$root/bin/sysmapctl"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
echo "$work/initramfs.cpio.gz"
