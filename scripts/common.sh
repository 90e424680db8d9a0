# shellcheck shell=bash
# Shared settings for the sysmap-seal scripts. Source it; do not run it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SYSMAP_CACHE:-${HOME:-/root}/.cache/sysmap-seal}
RESULTS=${SYSMAP_RESULTS:-$REPO/build/results}
JOBS=${JOBS:-$(nproc)}
export DEBIAN_FRONTEND=noninteractive

base_field() { sed -n "s/^$1=//p" "$REPO/kernel/BASE"; }
BASE_PACKAGE=$(base_field package)
BASE_VERSION=$(base_field version)

# The git tree developers edit (base commit + one commit per patch).
DEV_TREE=${SYSMAP_DEV_TREE:-$CACHE/linux}
# A worktree of the same repository that always holds base + kernel/patches,
# so builds never see uncommitted edits and only changed files get new mtimes.
BUILD_SRC=$CACHE/build-src

# Where scripts/build-kernel.sh leaves the image of test kernel NAME.
kernel_image() { echo "$CACHE/kernels/$1/image"; }

msg() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Patch file names of the series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$REPO/kernel/patches/series"
}
