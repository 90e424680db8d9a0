#!/usr/bin/env bash
# Turn GoogleTest's console output (stdin) into TAP: one result per test.
# Only lines with a duration are results; the closing summary repeats the
# names of failed tests without one.
set -euo pipefail
awk '
	/^\[ +OK +\] .* \([0-9]+ ms\)$/      { sub(/^\[ +OK +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "ok - " $0; next }
	/^\[ +FAILED +\] .* \([0-9]+ ms\)$/  { sub(/^\[ +FAILED +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "not ok - " $0; next }
	/^\[ +SKIPPED +\] .* \([0-9]+ ms\)$/ { sub(/^\[ +SKIPPED +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "ok - " $0 " # SKIP"; next }
'
