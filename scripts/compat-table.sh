#!/usr/bin/env bash
# Print the README's compatibility table from the last "make check" run
# (build/results/*.tap): each cell is the result of the named test, so the
# table says only what was measured.
. "$(dirname "$0")/common.sh"

# Results of "make compat" (Wine), kept apart from make check's.
COMPAT_RESULTS=${SYSMAP_COMPAT_RESULTS:-$REPO/build/results-compat}

# cell SUITE PATTERN: "pass", "FAIL" or "not run" for the test lines matching
# (SUITE's TAP from make check on the 7.3 kernels, mainline-SUITE; else on
# 6.12; else from make compat)
cell() {
	local f=$RESULTS/mainline-$1.tap lines
	[ -f "$f" ] || f=$RESULTS/$1.tap
	[ -f "$f" ] || f=$COMPAT_RESULTS/$1.tap
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

# row SCENARIO X86_SEALED X86_OPTED_OUT ARM64 [PATTERN [CRIU-PATTERN]]: with
# PATTERN, the riscv64, s390x and loongarch64 cells are that pattern's
# result in their guests (which run the arm64 guest's suite), else "not
# run"; with CRIU-PATTERN (PATTERN empty), the s390x cell is its result in
# the s390x guest's criu part, and riscv64 and loongarch64 have none
# (Debian builds no criu for them).
row() {
	local rv="not run" sx="not run" la="not run"
	if [ -n "${5:-}" ]; then
		rv=$(cell riscv64-selftests "$5")
		sx=$(cell s390x-selftests "$5")
		la=$(cell loongarch64-selftests "$5")
	elif [ -n "${6:-}" ]; then
		rv="(no criu in Debian)"
		sx=$(cell s390x-selftests "$6")
		la="(no criu in Debian)"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$rv" "$sx" "$la"
}
echo "| scenario (sealed = default, opted out = \`sysmapctl exec --unseal\`) | x86_64 sealed (7.3) | x86_64 opted out (7.3) | arm64 (7.3) | riscv64 (7.3) | s390x (7.3) | loongarch64 (7.3) |"
echo "|---|---|---|---|---|---|---|"
row "system mappings sealed in every image" "$(cell seal-selftests 'state\..*sealed_image')" \
	"$(cell seal-selftests 'state\..*opted_out_image')" "$(cell arm64-selftests 'state\.')" 'state\.'
row "munmap/mremap/mmap/mprotect/madvise matrix" "$(cell seal-selftests 'ops\..*\.sealed')" \
	"$(cell seal-selftests 'ops\..*\.opted_out')" "$(cell arm64-selftests 'ops\.')" 'ops\.'
row "32-bit process: state and operations (+ [sigpage], [vectors] on arm64)" \
	"$(cell seal-selftests 'compat32\.sealed|ops\.compat_.*\.sealed')" \
	"$(cell seal-selftests 'compat32\.opted_out|ops\.compat_.*\.opted_out')" \
	"$(cell arm64-selftests 'ok [0-9]+ AArch32|ops\.compat_')"
row "uprobes XOL page: state and operations" "$(cell seal-selftests 'uprobe\.sealed\.|ops\.uprobes_.*\.sealed')" \
	"$(cell seal-selftests 'uprobe\.opted_out|ops\.uprobes_.*\.opted_out')" \
	"$(cell arm64-selftests 'uprobe\.|ops\.uprobes_')" 'uprobe\.|ops\.uprobes_'
row "criu check" "$(cell seal-criu 'criu check sealed')" \
	"$(cell seal-criu 'criu check unsealed')" "$(cell arm64-selftests 'criu check, arm64')" \
	"" 'criu check, s390x'
row "criu dump of a sealed process" "$(cell seal-criu 'dump of a sealed')" "(same)" \
	"$(cell arm64-selftests 'criu dump, arm64|workload runs sealed')" \
	"" 'criu dump, s390x|workload runs sealed'
row "criu restore, workload intact" "$(cell seal-criu 'restore sealed')" \
	"$(cell seal-criu 'restore unsealed|restored workload|CRIU_FAULT|cycles')" \
	"$(cell arm64-selftests 'criu restore, arm64|arm64: the restored workload')" \
	"" 'criu restore, s390x|s390x: the restored workload'
row "criu restore, then sealed again (\`sysmapctl criu\`, or \`sysmapctl seal --tree\` after criu's own restore), workload intact" "$(cell seal-reseal '^ok [0-9]+ - criu: after each restore|criu: [0-9]+ dump/restore cycles')" \
	"$(cell seal-reseal 'criu, opted-out workload')" \
	"$(cell arm64-selftests 'criu, arm64: (sysmapctl seal|the re-sealed|in the re-sealed)|sysmapctl criu (dump|restore), arm64')" \
	"" 'criu, s390x: (sysmapctl seal|the re-sealed|in the re-sealed)|sysmapctl criu (dump|restore), s390x'
row "sysmapctl seal of a running process (ptrace)" "$(cell seal-reseal 'sealed|registers intact|restarted')" "(n/a)" \
	"$(cell arm64-selftests 'sysmapctl seal, ')" 'sysmapctl seal, '
row "runsc --rootless do (ptrace platform)" "$(cell seal-runsc 'runsc sealed')" \
	"$(cell seal-runsc 'runsc unsealed')" "not run"
row "rr pattern (tracer unmaps vvar, moves vdso)" "$(cell seal-rr-pattern '(^|[^n])sealed:')" \
	"$(cell seal-rr-pattern 'unsealed:')" "not run"
echo
echo "\"pass\" in a sealed column means the tool failed for the sealing reason the test asserts."

# Debian's programs on a real workload (tests/guest/compat.sh), three ways.
prog() {	# prog NAME WORKLOAD SEAL-SUITE BASE-SUITE REGEX
	local name=$1 workload=$2 seal=$3 base=$4 re=$5
	printf '| %s | %s | %s | %s | %s |\n' "$name" "$workload" \
		"$(cell "$seal" "ok [0-9]+ sealed: $re")" "$(cell "$seal" "ok [0-9]+ unsealed: $re")" \
		"$(cell "$base" "ok [0-9]+ baseline: $re")"
}
echo
echo "| program (Debian bookworm) | workload | sealed (7.3) | opted out (7.3) | baseline kernel (7.3) |"
echo "|---|---|---|---|---|"
prog "gdb 13.1" "break in the vDSO's \`clock_gettime\`, \`stepi\`, continue" seal-compat base-compat \
	"(gdb|programs start|kernel without)"
prog "strace 6.1" "\`strace -f\` through \`fork()\` and the child's \`execve()\`" seal-compat base-compat \
	"strace"
prog "ltrace 0.7.3" "\`ltrace -f\` of the clock calls, through \`execve()\`" seal-compat base-compat \
	"ltrace"
prog "Valgrind 3.19" "memcheck of a program reading the clocks: a clean report" seal-compat base-compat \
	"valgrind"
prog "qemu-user 7.2" "static aarch64 and armhf programs" seal-compat base-compat \
	"qemu-"
prog "User Mode Linux 6.1" "boot with hostfs root, the workload as init, power off" seal-compat base-compat \
	"uml"
prog "Wine 8.0 (\`make compat\`, on 6.12)" "a Windows console program from an empty prefix" seal-wine base-wine \
	"wine64"
# podman (tests/guest/podman.sh): its own TAP wording, logs in podman-logs.
printf '| %s | %s | %s | %s | %s |\n' "podman 4.3 + runc 1.1 + criu 3.17 (\`make compat\`, on 6.12)" \
	"\`podman container checkpoint\` and \`restore\` of a counting busybox container; then \`sysmapctl seal --tree\`" \
	"$(cell seal-podman ', sealed:|process is sealed|after the failed')" \
	"$(cell seal-podman 'import|podman run|opted out|stopped|counts on|inherits|seal --tree|re-sealed')" \
	"$(cell base-podman '.')"
