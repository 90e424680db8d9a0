#!/usr/bin/env bash
# The series' selftests as an unprivileged user (uid nobody): what needs
# CAP_CHECKPOINT_RESTORE or root must skip, never fail, and the rest must
# still pass. Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sel=${SYSMAP_SELFTESTS:?}
copy=/tmp/selftests-nobody
rm -rf "$copy"
mkdir -p "$copy"
cp "$sel"/mseal_system_mappings/sysmap_* "$copy/"
cp "$here/run-tests.sh" "$copy/"
chmod -R a+rX "$copy"
cd "$copy"
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	env SYSMAP_SELFTESTS="$copy" ./run-tests.sh "$copy"/sysmap_*_test
