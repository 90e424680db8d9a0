#!/usr/bin/env bash
# Configure and build the C++ userspace (libsysmap, sysmapctl, unit tests)
# and the helper programs of the guest suites, in build/userspace.
. "$(dirname "$0")/common.sh"
cmake -S "$REPO/tests/programs" -B "$REPO/build/userspace" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$REPO/build/userspace" -j"$JOBS" >&2
