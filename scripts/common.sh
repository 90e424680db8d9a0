# shellcheck shell=bash
# Shared settings for the sysmap-seal scripts. Source it; do not run it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SYSMAP_CACHE:-${HOME:-/root}/.cache/sysmap-seal}
RESULTS=${SYSMAP_RESULTS:-$REPO/build/results}
JOBS=${JOBS:-$(nproc)}
export DEBIAN_FRONTEND=noninteractive

# The series a script works on: "mainline" (kernel/mainline/, the one meant
# for upstream) or "6.12" (kernel/6.12/, its backport to the LTS kernel).
SERIES=${SYSMAP_SERIES:-mainline}
case $SERIES in
mainline) tree_name=linux-mainline build_name=build-src-mainline ;;
6.12) tree_name=linux build_name=build-src ;;
*) printf 'error: SYSMAP_SERIES=%s: expected mainline or 6.12\n' "$SERIES" >&2; exit 1 ;;
esac
SERIES_DIR=$REPO/kernel/$SERIES
base_field() { sed -n "s/^$1=//p" "$SERIES_DIR/BASE"; }
BASE_PACKAGE=$(base_field package)
BASE_VERSION=$(base_field version)
# Empty for a package of the system's own release; otherwise the suite the
# package alone is fetched from, and the checksum of its .deb.
BASE_SUITE=$(base_field suite)
BASE_SHA256=$(base_field sha256)

# The git tree developers edit (base commit + one commit per patch).
DEV_TREE=${SYSMAP_DEV_TREE:-$CACHE/$tree_name}
# A worktree of the same repository that always holds base + the series,
# so builds never see uncommitted edits and only changed files get new mtimes.
BUILD_SRC=$CACHE/$build_name

# Where scripts/build-kernel.sh leaves the image of test kernel NAME.
kernel_image() { echo "$CACHE/kernels/$1/image"; }

msg() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Patch file names of the series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES_DIR/series"
}

# fetch_foreign_deb SUITE PACKAGE[:ARCH] VERSION SHA256 DIR: download one
# package from another Debian suite, with apt sources of its own (nothing
# of that suite is installed), check it against the pinned checksum and
# unpack it into DIR. Done once; returns 1 with a message on failure.
fetch_foreign_deb() {
	local suite=$1 pkg=$2 ver=$3 want=$4 root=$5 apt deb opts sum
	[ ! -f "$root/.complete" ] || return 0
	apt=$CACHE/debs/apt-$suite
	mkdir -p "$apt/lists/partial" "$apt/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian $suite main" >"$apt/sources.list"
	opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache::Archives="$apt/archives"
		-o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
	# A package of another architecture (linux-config-7.3:arm64): apt
	# reads that architecture's index only when told to (dpkg need not
	# know the architecture; nothing is installed).
	case $pkg in *:*) opts+=(-o "APT::Architectures::=$(dpkg --print-architecture)" -o "APT::Architectures::=${pkg#*:}") ;; esac
	msg "fetching $pkg=$ver from $suite (that package only)"
	apt-get "${opts[@]}" -q update >&2 || { warn "apt-get update for $suite failed"; return 1; }
	(cd "$apt/archives" && apt-get "${opts[@]}" -q download "$pkg=$ver" >&2) ||
		{ warn "$suite does not offer $pkg=$ver"; return 1; }
	deb=$(ls "$apt/archives/${pkg%%:*}_${ver/:/%3a}_"*"${pkg#*:}"*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || deb=$(ls "$apt/archives/${pkg%%:*}_${ver/:/%3a}_"*.deb | head -n 1)
	sum=$(sha256sum "$deb" | cut -d' ' -f1)
	[ "$sum" = "$want" ] || { warn "$deb: sha256 $sum, but $want is pinned"; return 1; }
	rm -rf "$root"
	mkdir -p "$root"
	dpkg-deb -x "$deb" "$root"
	touch "$root/.complete"
}

# debian_root ROOT SUITE PACKAGES [HOOK]: a minimal Debian SUITE root at
# ROOT with PACKAGES (comma-separated) and what they depend on, made with
# debootstrap unless ROOT already holds one with the same packages. HOOK,
# a function, gets the new root's path and finishes it before it is put
# in place; its output and debootstrap's go to ROOT.log.
debian_root() {
	local root=$1 suite=$2 packages=$3 hook=${4:-} lock
	mkdir -p "$(dirname "$root")"
	# One maker at a time (a guest may boot from the root while a build
	# asks for it too): the second waits, then finds the root complete.
	exec {lock}>"$root.lock"
	flock "$lock"
	if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$packages" ]; then
		exec {lock}>&-
		return 0
	fi
	command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/deps.sh installs it)"
	msg "making a $suite root with $packages in $root (debootstrap, a few minutes)"
	rm -rf "$root" "$root.tmp"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase --include="$packages" "$suite" "$root.tmp" \
		http://deb.debian.org/debian >"$root.log" 2>&1 ||
		die "debootstrap $suite failed; see $root.log"
	[ -z "$hook" ] || "$hook" "$root.tmp" >>"$root.log" 2>&1 ||
		die "finishing the $suite root failed; see $root.log"
	echo "$packages" >"$root.tmp/.complete"
	mv "$root.tmp" "$root"
	exec {lock}>&-
}
