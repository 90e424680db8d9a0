#!/usr/bin/env bash
# Print the README's compatibility table from the last "make check" run
# (build/results/*.tap): each cell is the result of the named test, so the
# table says only what was measured.
. "$(dirname "$0")/common.sh"

# cell FILE PATTERN: "pass", "FAIL" or "not run" for the test lines matching
cell() {
	local f=$RESULTS/$1.tap lines
	[ -f "$f" ] || { echo "not run"; return; }
	lines=$(grep -E "^(not )?ok" "$f" | grep -E -- "$2" || true)
	local total skipped
	total=$(grep -c . <<<"$lines")
	skipped=$(grep -ci "# skip" <<<"$lines" || true)
	if [ -z "$lines" ]; then echo "not run"
	elif grep -q "^not ok" <<<"$lines"; then echo "FAIL"
	elif [ "$skipped" -eq "$total" ]; then echo "skipped"
	elif [ "$skipped" -gt 0 ]; then echo "pass ($((total - skipped)) tests; $skipped n/a here)"
	else echo "pass ($total tests)"; fi
}

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
echo "| scenario (sealed = default, opted out = \`sysmapctl exec --unseal\`) | x86_64 sealed | x86_64 opted out | arm64 |"
echo "|---|---|---|---|"
row "system mappings sealed in every image" "$(cell seal-selftests 'state\..*sealed_image')" \
	"$(cell seal-selftests 'state\..*opted_out_image')" "$(cell arm64-selftests 'state\.')"
row "munmap/mremap/mmap/mprotect/madvise matrix" "$(cell seal-selftests 'ops\..*\.sealed')" \
	"$(cell seal-selftests 'ops\..*\.opted_out')" "$(cell arm64-selftests 'ops\.')"
row "32-bit process (+ [sigpage], [vectors] on arm64)" "$(cell seal-selftests 'compat32\.sealed')" \
	"$(cell seal-selftests 'compat32\.opted_out')" "$(cell arm64-selftests 'AArch32')"
row "uprobes XOL page" "$(cell seal-selftests 'uprobe\.sealed\.')" \
	"$(cell seal-selftests 'uprobe\.opted_out')" "$(cell arm64-selftests 'uprobe\.')"
row "criu check (3.17.1)" "$(cell seal-criu 'criu check sealed')" \
	"$(cell seal-criu 'criu check unsealed')" "not run"
row "criu dump of a sealed process" "$(cell seal-criu 'dump of a sealed')" "(same)" "not run"
row "criu restore, workload intact" "$(cell seal-criu 'restore sealed')" \
	"$(cell seal-criu 'restore unsealed|restored workload|CRIU_FAULT|cycles')" "not run"
row "criu restore with \`sysmapctl criu\`: the tree comes back sealed, workload intact" "$(cell seal-reseal '^ok [0-9]+ - criu: after each restore|criu: [0-9]+ dump/restore cycles')" \
	"$(cell seal-reseal 'criu, opted-out workload')" "not run"
row "sysmapctl seal of a running process (ptrace)" "$(cell seal-reseal 'sealed|registers intact|restarted')" "(n/a)" "not run"
row "runsc --rootless do (ptrace platform)" "$(cell seal-runsc 'runsc sealed')" \
	"$(cell seal-runsc 'runsc unsealed')" "not run"
row "rr pattern (tracer unmaps vvar, moves vdso)" "$(cell seal-rr-pattern '(^|[^n])sealed:')" \
	"$(cell seal-rr-pattern 'unsealed:')" "not run"
echo
echo "\"pass\" in a sealed column means the tool failed for the sealing reason the test asserts."
