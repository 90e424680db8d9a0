#!/usr/bin/env bash
# Turn GoogleTest's console output (stdin) into TAP: one result per test.
# Only lines with a duration are results; the closing summary repeats the
# names of failed tests without one. A run that did not reach its closing
# summary (a crash, an abort, a kill) or that reported fewer results than
# it announced is one more failure, so a crashed binary never reads as a pass.
set -euo pipefail
awk '
	/^\[=+\] Running [0-9]+ tests? from / { planned = $3 + 0; announced = 1; next }
	/^\[=+\] [0-9]+ tests? from .* ran\./ { finished = 1; next }
	/^\[ +OK +\] .* \([0-9]+ ms\)$/      { sub(/^\[ +OK +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "ok - " $0; n++; next }
	/^\[ +FAILED +\] .* \([0-9]+ ms\)$/  { sub(/^\[ +FAILED +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "not ok - " $0; n++; next }
	/^\[ +SKIPPED +\] .* \([0-9]+ ms\)$/ { sub(/^\[ +SKIPPED +\] /, ""); sub(/ \([0-9]+ ms\)$/, ""); print "ok - " $0 " # SKIP"; n++; next }
	END {
		if (!announced)
			print "not ok - googletest: the binary never started its tests (crash or build failure?)"
		else if (!finished)
			printf "not ok - googletest: the run stopped after %d of %d tests (crash?)\n", n, planned
		else if (n != planned)
			printf "not ok - googletest: %d results for %d planned tests\n", n, planned
	}
'
