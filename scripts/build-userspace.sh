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
cmake -S "$REPO/tests/programs" -B "$REPO/build/userspace" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	"${strict[@]}" >/dev/null
cmake --build "$REPO/build/userspace" -j"$JOBS" >&2
