#!/bin/bash
# A guest suite that passes only when the guest sees the checkout it was
# started from and the cache, wherever they are on the host.
n=0 status=0
see() {	# see WHAT PATH
	n=$((n + 1))
	if [ -f "$2" ]; then
		echo "ok $n guest sees the $1 ($2)"
	else
		echo "not ok $n guest does not see the $1 ($2)"
		status=1
	fi
}
see checkout "$PWD/tests/harness/guest-paths.sh"
see cache "${SYSMAP_CACHE:?}/harness-marker"
exit $status
