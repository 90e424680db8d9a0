#!/usr/bin/env bash
# Debian's criu must find everything it needs in the test kernel. On the
# kernel without sealing, "criu check" must say "Looks good.".
set -uo pipefail
rm -f /run/criu.kdat
out=$(criu check 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -eq 0 ] && grep -q "Looks good." <<<"$out"; then
	echo "ok criu check: Looks good."
else
	echo "not ok criu check (exit $rc)"
fi
