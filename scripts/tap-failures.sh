#!/usr/bin/env bash
# List the failed results of TAP files, for the end of a run's log: each
# "not ok" line behind its file's name (without .tap), then, indented, the
# diagnostics around it: up to 3 comment lines just before it and up to 3
# just after it. A "not ok" with a SKIP directive is a skip, as
# tap-count.sh counts it, and is not listed. A CI log may be all that is
# left of a run, and the suites print what they saw next to each check.
set -euo pipefail
for f in "$@"; do
	awk -v name="$(basename "$f" .tap)" '
		/^#/ {
			if (after > 0) {
				print "    " $0
				after--
			} else {
				before[++k] = $0
			}
			next
		}
		/^not ok([ \t]|$)/ && !/#[ \t]*[Ss][Kk][Ii][Pp]/ {
			print name " " $0
			for (i = k - 2; i <= k; i++)
				if (i > 0)
					print "    " before[i]
			after = 3
			k = 0
			next
		}
		{ after = 0; k = 0 }
	' "$f"
done
