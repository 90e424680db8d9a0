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
