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
root=$CACHE/roots/$suite
# What the guest's programs are, for the logs.
versions() { chroot "$1" dpkg-query -W criu libc6 >"$1/.versions"; }
debian_root "$root" "$suite" criu,iproute2 versions
echo "$root"
