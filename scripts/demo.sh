#!/usr/bin/env bash
# "make demo": build what is missing (cached), boot the sealing kernel and
# show, narrated, what the project does.
. "$(dirname "$0")/common.sh"
"$REPO/scripts/deps.sh"
msg "building what is missing (cached after the first run)"
"$REPO/scripts/build-userspace.sh" >/dev/null
kernel=$("$REPO/scripts/build-kernel.sh" x86_64-seal)
msg "booting the sealing kernel under QEMU (software emulation, about a minute)"
set +e
"$REPO/scripts/vm-run.sh" --name demo --timeout 900 "$kernel" -- tests/guest/demo.sh
rc=$?
set -e
cat "$RESULTS/demo/output.log"
exit $rc
