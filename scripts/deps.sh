#!/usr/bin/env bash
# Install what building and testing need, from Debian's archive only.
. "$(dirname "$0")/common.sh"

packages=(
	# kernel builds
	build-essential flex bison bc libelf-dev libssl-dev ccache cpio xz-utils kmod
	# selftests: the ia32 helper is built with the i686 cross compiler
	# (gcc-multilib would conflict with every cross compiler below)
	gcc-i686-linux-gnu libc6-dev-i386-cross
	# guests
	qemu-system-x86 qemu-system-arm iproute2 python3
	# arm64: cross compilers (AArch64, and AArch32 for the compat vDSO and
	# helper) with their static C libraries
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-arm-linux-gnueabihf
	libc6-dev-arm64-cross libc6-dev-armhf-cross
	# real tools run in the guest
	criu runsc
	# userspace
	cmake g++ googletest libgtest-dev clang libclang-rt-14-dev clang-format man-db
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	msg "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
