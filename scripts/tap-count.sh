#!/usr/bin/env bash
# Count the results in TAP files: prints "PASSED FAILED SKIPPED".
#
# Only top-level result lines count ("ok ..." / "not ok ..." at the start of
# a line); nested kselftest lines are indented or behind "# ". A result with
# a "# SKIP" directive is a skip, never a pass; "not ok ... # SKIP" too.
set -euo pipefail
awk '
	/^(not )?ok([ \t]|$)/ {
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skip++
		else if ($0 ~ /^not ok/) fail++
		else pass++
	}
	END { printf "%d %d %d\n", pass, fail, skip }
' "$@"
