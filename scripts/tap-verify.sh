#!/usr/bin/env bash
# Hold a suite's TAP to what tests/expectations declares for it: how many
# results it reports, and which skips it may report, each with its reason.
# Prints TAP (one result for the count, one failure per unexpected skip).
#
#   tap-verify.sh SUITE TAPFILE [EXPECTATIONS]
#
# tests/expectations has one line per fact, "#" comments allowed:
#   SUITE results N                  the stream reports N results
#   SUITE results-host N             ... in "check.sh --host-only" runs
#   SUITE skip REGEX -- REASON       a skip whose line matches REGEX is allowed
#   SUITE optional                   runs only when asked for (make compat):
#                                    a full "make check" does not miss it
#   SUITE aggregate                  the stream sums up every suite (builds,
#                                    vm-runs): in a SUITES run (mode subset)
#                                    its count depends on the selection and
#                                    is not held; its own results still count
#
# A suite that declares nothing, a count that differs (a test that vanished
# or never ran counts as much as one that failed) and a skip that matches no
# declared reason are failures.
set -euo pipefail
suite=${1:?usage: tap-verify.sh SUITE TAPFILE [EXPECTATIONS]}
tap=${2:?usage: tap-verify.sh SUITE TAPFILE [EXPECTATIONS]}
exp=${3:-$(cd "$(dirname "$0")/.." && pwd)/tests/expectations}

declared=
declared_host=
aggregate=0
skips=()
while read -r name kind rest; do
	[ "$name" = "$suite" ] || continue
	case $kind in
	results) declared=$rest ;;
	results-host) declared_host=$rest ;;
	skip) skips+=("${rest%% -- *}") ;;
	optional) ;;
	aggregate) aggregate=1 ;;
	*) echo "not ok - $suite: unknown expectation '$kind' in $exp"; exit 0 ;;
	esac
done < <(sed -e 's/^[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$exp")

# "check.sh --host-only" runs fewer builds and no guests: a stream may
# declare its count for that mode apart.
if [ "${SYSMAP_EXPECT_MODE:-}" = host ] && [ -n "$declared_host" ]; then
	declared=$declared_host
fi
if [ -z "$declared" ]; then
	echo "not ok - $suite: no expected result count in tests/expectations"
	exit 0
fi
results=$(grep -cE '^(not )?ok([ \t]|$)' "$tap" || true)
if [ "${SYSMAP_EXPECT_MODE:-}" = subset ] && [ "$aggregate" -eq 1 ]; then
	:	# its count depends on the selection; check.sh checks each named suite ran
elif [ "$results" -eq "$declared" ]; then
	echo "ok - $suite: $results results, as declared"
else
	echo "not ok - $suite: $results results, $declared declared in tests/expectations"
fi
{ grep -E '^(not )?ok([ \t]|$).*#[ \t]*[Ss][Kk][Ii][Pp]' "$tap" || true; } | while IFS= read -r line; do
	allowed=0
	for re in "${skips[@]}"; do
		if grep -qE -- "$re" <<<"$line"; then
			allowed=1
			break
		fi
	done
	[ "$allowed" -eq 1 ] || echo "not ok - $suite: unexpected skip: ${line//#/}"
done
exit 0
