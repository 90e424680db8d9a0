#!/usr/bin/env bash
# Install what "make check", "make demo" and "make bench" use, from Debian's
# archive only. tests/harness/fresh-root.sh proves the list complete by
# running this script and the host part of "make check" in a debootstrap root.
#
#   deps.sh            what make check, make demo and make bench need
#   deps.sh compat     that and what only "make compat" needs (Wine and the
#                      Windows cross compiler, podman and runc: 350 MB more)
# The base of the 6.12 series is a package of this release (bookworm), which
# apt installs; the mainline series' base is fetched alone, from another
# suite, when its kernel tree is first made (scripts/kernel-tree.sh).
export SYSMAP_SERIES=6.12
. "$(dirname "$0")/common.sh"

packages=(
	# kernel builds (rsync: headers_install)
	build-essential flex bison bc libelf-dev libssl-dev ccache cpio xz-utils kmod rsync
	git ca-certificates
	# selftests and make bench: ia32 programs are built with the i686 cross
	# compilers (gcc-multilib would conflict with every cross compiler below)
	gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross
	# and the selftests' x32 helper with the x32 one
	gcc-x86-64-linux-gnux32 libc6-dev-x32-cross
	# guests
	qemu-system-x86 qemu-system-arm iproute2 python3 libcap2-bin
	# arm64: cross compilers (AArch64, and AArch32 for the compat vDSO and
	# helper) with their static C libraries
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-arm-linux-gnueabihf
	libc6-dev-arm64-cross libc6-dev-armhf-cross
	# riscv64 and s390x: cross compilers, their C libraries, and QEMU's
	# virt and s390-ccw-virtio machines (OpenSBI is riscv64's firmware)
	gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross
	gcc-s390x-linux-gnu g++-s390x-linux-gnu libc6-dev-s390x-cross
	qemu-system-misc opensbi
	# real tools run in the guest (tests/guest/compat.sh: the workload is
	# cross-built for qemu-user with the compilers above and armhf's g++)
	criu runsc gdb strace ltrace valgrind qemu-user-static user-mode-linux
	g++-arm-linux-gnueabihf
	# userspace
	cmake g++ googletest libgtest-dev clang libclang-rt-14-dev clang-format man-db
	pkg-config
	# sysmapctl's tables through libsmartcols; systemd-analyze checks the
	# example units (without them the unit tests skip)
	libsmartcols-dev systemd
	# the harness's own fresh-machine test
	debootstrap
)

# linux-source-6.12 is in bookworm only through the security archive.
# A sources list without it (a debootstrap root has just "bookworm main")
# would fail much later, at the first kernel build.
security_archive_enabled() {
	apt-cache policy 2>/dev/null | grep -q 'bookworm-security'
}

if [ "${1:-}" = compat ]; then
	packages+=(wine64 g++-mingw-w64-x86-64 podman runc)
elif [ $# -gt 0 ]; then
	die "usage: deps.sh [compat]"
fi

missing=()
for p in "${packages[@]}" "$BASE_PACKAGE"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

apt-get update -q >&2
if ! security_archive_enabled; then
	if [ "${SYSMAP_ADD_SECURITY_ARCHIVE:-1}" = 1 ] &&
		grep -qs 'bookworm' /etc/os-release /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null; then
		msg "enabling Debian's security archive (bookworm-security), which has $BASE_PACKAGE"
		mirror=$(grep -hoE '^deb +(\[[^]]*\] +)?https?://[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null |
			awk '{print $NF}' | head -n1)
		case $mirror in */debian | */debian/) mirror=${mirror%/}-security ;; *) mirror=http://deb.debian.org/debian-security ;; esac
		echo "deb $mirror bookworm-security main" >/etc/apt/sources.list.d/sysmap-seal-security.list
		apt-get update -q >&2
	fi
	security_archive_enabled ||
		die "$BASE_PACKAGE comes from Debian's security archive, which apt does not know:" \
			"add 'deb http://deb.debian.org/debian-security bookworm-security main'" \
			"to /etc/apt/sources.list and run 'apt-get update'"
fi
msg "installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
