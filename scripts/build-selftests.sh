#!/usr/bin/env bash
# Build the selftests the guest suites run, against the series' headers.
# SYSMAP_SERIES picks the series (mainline or 6.12). Prints the output
# directory.
. "$(dirname "$0")/common.sh"

src=$("$REPO/scripts/kernel-tree.sh" build-src)
suffix=
[ "$SERIES" = 6.12 ] || suffix=-$SERIES
hdr=$CACHE/build/headers$suffix
out=$CACHE/selftests$suffix
mkdir -p "$hdr" "$out"
make -s -C "$src" O="$hdr" ARCH=x86_64 headers_install INSTALL_HDR_PATH="$hdr/usr" >&2
st=$src/tools/testing/selftests
mkdir -p "$out/mseal_system_mappings" "$out/mm" "$out/x86"
kh="-isystem $hdr/usr/include"
make -s -C "$st/mseal_system_mappings" OUTPUT="$out/mseal_system_mappings" \
	KHDR_INCLUDES="$kh" >&2
make -s -C "$st/mm" OUTPUT="$out/mm" KHDR_INCLUDES="$kh" \
	"$out/mm/mseal_test" "$out/mm/mdwe_test" >&2
make -s -C "$st/x86" OUTPUT="$out/x86" KHDR_INCLUDES="$kh" \
	"$out/x86/test_vsyscall_64" "$out/x86/test_mremap_vdso_64" >&2
# The static 32-bit target of the re-seal suite (tests/guest/reseal.sh).
mkdir -p "$out/programs"
i686-linux-gnu-gcc -O2 -static -o "$out/programs/seal_target32" \
	"$REPO/tests/programs/seal_target32.c" >&2
echo "$out"
