#!/usr/bin/env bash
# Run checkpatch.pl --strict over every patch of the series. Warnings that
# are accepted on purpose are listed, with the reason, in
# kernel/<series>/checkpatch-accepted (patch names without their number);
# anything else fails. SYSMAP_SERIES picks the series (mainline or 6.12).
. "$(dirname "$0")/common.sh"

tree=$("$REPO/scripts/kernel-tree.sh" build-src)
accepted=$SERIES_DIR/checkpatch-accepted
status=0
while read -r p; do
	out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --no-signoff --terse --show-types \
		"$SERIES_DIR/$p" 2>&1) || true
	problems=$(printf '%s\n' "$out" | grep -E ': (ERROR|WARNING|CHECK):' || true)
	if [ -n "$problems" ] && [ -f "$accepted" ]; then
		problems=$(printf '%s\n' "$problems" | while IFS= read -r line; do
			type=$(sed -n 's/.*: \(ERROR\|WARNING\|CHECK\):\([A-Z_]*\):.*/\2/p' <<<"$line")
			grep -qE "^${p#[0-9][0-9][0-9][0-9]-}[[:space:]]+$type[[:space:]]" "$accepted" ||
				printf '%s\n' "$line"
		done)
	fi
	if [ -n "$problems" ]; then
		printf 'checkpatch: %s/%s\n%s\n' "$SERIES" "$p" "$problems"
		status=1
	else
		printf 'checkpatch: %s/%s: clean\n' "$SERIES" "$p"
	fi
done < <(series_patches)
exit $status
