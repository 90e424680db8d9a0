#!/usr/bin/env bash
# Build the workload of the compatibility suite (tests/programs/compat_hello.cpp)
# for every target tests/guest/compat.sh runs: the host (dynamic, for gdb,
# ltrace and valgrind; static, as init of User Mode Linux), aarch64 and armhf
# (static, for qemu-user) and Windows (for Wine, only when its cross compiler
# is installed: "scripts/deps.sh compat"), and the root of tests/guest/podman.sh's
# container: Debian's busybox-static, downloaded with apt, as a tarball for
# "podman import". Prints the output directory.
. "$(dirname "$0")/common.sh"

src=$REPO/tests/programs/compat_hello.cpp
out=$CACHE/compat
mkdir -p "$out"
flags=(-std=c++20 -O2 -Wall -Wextra -Werror)
build() {	# build COMPILER OUTPUT [FLAGS...]
	local cxx=$1 dst=$2
	shift 2
	command -v "$cxx" >/dev/null || die "$cxx is missing: run scripts/deps.sh"
	"$cxx" "${flags[@]}" "$@" -o "$out/$dst.new" "$src" >&2
	mv "$out/$dst.new" "$out/$dst"
}
build g++ compat_hello -g
build g++ compat_hello_static -static
build aarch64-linux-gnu-g++ compat_hello_aarch64 -static
build arm-linux-gnueabihf-g++ compat_hello_armhf -static
if command -v x86_64-w64-mingw32-g++ >/dev/null; then
	build x86_64-w64-mingw32-g++ compat_hello.exe -static
else
	rm -f "$out/compat_hello.exe"
fi
if [ ! -s "$out/busybox-rootfs.tar" ]; then
	rm -rf "$out/busybox-deb" "$out/busybox-root"
	mkdir -p "$out/busybox-deb" "$out/busybox-root"/{bin,share,tmp}
	(cd "$out/busybox-deb" && apt-get download -q busybox-static >&2) ||
		die "cannot download busybox-static"
	dpkg-deb -x "$out"/busybox-deb/busybox-static_*.deb "$out/busybox-deb/x"
	cp "$out/busybox-deb/x/bin/busybox" "$out/busybox-root/bin/"
	for cmd in sh sleep cat echo; do ln -s busybox "$out/busybox-root/bin/$cmd"; done
	tar -C "$out/busybox-root" -cf "$out/busybox-rootfs.tar.new" .
	mv "$out/busybox-rootfs.tar.new" "$out/busybox-rootfs.tar"
	rm -rf "$out/busybox-deb"
fi
echo "$out"
