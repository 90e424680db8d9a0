#!/usr/bin/env bash
# Configure and build the C++ userspace (library, sysmapctl, unit tests) in
# build/userspace, plus a static sysmapctl for guests without our libraries.
. "$(dirname "$0")/common.sh"
cmake -S "$REPO/userspace" -B "$REPO/build/userspace" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$REPO/build/userspace" -j"$JOBS"
