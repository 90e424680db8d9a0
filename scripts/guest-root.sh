#!/usr/bin/env bash
# Make a root directory for x86_64 guests that need programs newer than
# bookworm's (scripts/vm-run.sh --root): Debian trixie, minimal, with its
# criu. Bookworm's criu 3.17 stops on Linux 7.3 before it dumps anything,
# on the stock kernel as well ("vdso: Failed to fill self vdso symtable":
# it predates the [vvar_vclock] mapping of Linux 6.13); trixie's criu
# knows it (iproute2: the guest brings its loopback up, which criu probes).
# Nothing of trixie is installed on the host: the root lives in
# the cache. Prints its path.
#
#   guest-root.sh [SUITE]    (default trixie)
. "$(dirname "$0")/common.sh"

suite=${1:-trixie}
packages=criu,iproute2
root=$CACHE/roots/$suite
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$packages" ]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/deps.sh installs it)"
msg "making a $suite root with $packages in $root (debootstrap, a few minutes)"
rm -rf "$root" "$root.tmp"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase --include="$packages" "$suite" "$root.tmp" \
	http://deb.debian.org/debian >"$CACHE/roots/$suite.log" 2>&1 ||
	die "debootstrap $suite failed; see $CACHE/roots/$suite.log"
# What the guest's programs are, for the logs.
chroot "$root.tmp" dpkg-query -W criu libc6 >"$root.tmp/.versions"
echo "$packages" >"$root.tmp/.complete"
mv "$root.tmp" "$root"
echo "$root"
