#!/usr/bin/env bash
# Configure and build the C++ userspace (libsysmap, sysmapctl, unit tests)
# and the helper programs of the guest suites, in build/userspace.
# SYSMAP_STRICT=1 (set by "make check") turns warnings into errors and
# requires libsmartcols; a user's build tolerates a newer compiler's
# warnings and falls back to the built-in table renderer.
. "$(dirname "$0")/common.sh"
strict=()
if [ "${SYSMAP_STRICT:-0}" = 1 ]; then
	strict=(-DSYSMAP_WERROR=ON -DSYSMAP_SMARTCOLS=ON)
fi
# Through ccache, in the cache directory: a new clone (or a second one)
# compiles only what differs from an earlier build. Paths are hashed
# relative to the checkout, so a clone elsewhere hits the same entries
# (its debug information then names the first clone's directory).
launch=()
if command -v ccache >/dev/null; then
	mkdir -p "$CACHE/ccache"
	export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$REPO CCACHE_NOHASHDIR=1
	launch=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$REPO/tests/programs" -B "$REPO/build/userspace" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	"${launch[@]}" "${strict[@]}" >/dev/null
cmake --build "$REPO/build/userspace" -j"$JOBS" >&2
