#!/usr/bin/env bash
# Install the userspace into a temporary prefix and use it as a C (and C++)
# program would: headers and library through pkg-config, the tool, its man
# pages, completion and examples. Prints TAP; exits non-zero on a failure.
#
#   userspace/tests/install-test.sh [BUILD_DIR]   (default: build/userspace)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/userspace}
cc=${CC:-cc}
cxx=${CXX:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
n=0 failed=0
plan=10
echo "1..$plan"
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; failed=1; }
show() { sed 's/^/# /' "$1" | tail -n 20; }
skip_rest() {
	while [ "$n" -lt "$plan" ]; do nok "not run: $*"; done
	exit 1
}

if cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
	ok "cmake --install into a temporary prefix"
else
	nok "cmake --install $build"
	show "$tmp/install.log"
	skip_rest "nothing installed"
fi

missing=()
for f in bin/sysmapctl include/sysmap/sysmap.h include/sysmap/version.h include/sysmap/policy.hpp \
	include/sysmap/procfs.hpp include/sysmap/audit.hpp share/man/man1/sysmapctl.1 share/man/man3/libsysmap.3 \
	share/bash-completion/completions/sysmapctl share/doc/sysmap-seal/examples/sysmap-unsealed-example.service \
	share/doc/sysmap-seal/examples/sysmap-locked-example.service; do
	[ -e "$prefix/$f" ] || missing+=("$f")
done
pc=$(find "$prefix" -name sysmap.pc -path '*/pkgconfig/*' | head -n 1)
lib=$(find "$prefix" -name 'libsysmap.so.*' -type f | head -n 1)
[ -n "$pc" ] || missing+=("lib.../pkgconfig/sysmap.pc")
[ -n "$lib" ] || missing+=("lib.../libsysmap.so.*")
if [ ${#missing[@]} -eq 0 ]; then
	ok "installed: sysmapctl, libsysmap.so, headers, sysmap.pc, man pages, completion, examples"
else
	nok "missing after install: ${missing[*]}"
fi
if [ -z "$pc" ] || [ -z "$lib" ]; then
	skip_rest "no library or no sysmap.pc"
fi

PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
if flags=$(pkg-config --cflags --libs sysmap 2>"$tmp/pc.log") && version=$(pkg-config --modversion sysmap) &&
	[[ $flags == *"-I$prefix/include"* ]] && [[ $flags == *"-L$(dirname "$lib")"* ]]; then
	ok "pkg-config --cflags --libs sysmap points into the prefix (version $version)"
else
	nok "pkg-config --cflags --libs sysmap: '${flags:-}'"
	show "$tmp/pc.log"
	skip_rest "no usable pkg-config flags"
fi

cat >"$tmp/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysmap/sysmap.h>

int main(void)
{
	struct sysmap_state st;
	int supported = sysmap_supported();

	if (strcmp(sysmap_version(), SYSMAP_VERSION) != 0) {
		printf("library %s, headers %s\n", sysmap_version(), SYSMAP_VERSION);
		return 1;
	}
	if (supported < 0)
		return 2;
	if (sysmap_read_state(0, &st) == 0)
		printf("%s supported=%d image=%d policy=%d\n", sysmap_version(), supported, st.image_sealed,
		       st.policy_seal);
	else if (errno == ENODATA && !supported)
		printf("%s supported=0\n", sysmap_version());
	else
		return 3;
	return 0;
}
C
# shellcheck disable=SC2086 # the flags are words
if "$cc" -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/prog" "$tmp/prog.c" $flags >"$tmp/cc.log" 2>&1; then
	ok "a C program builds against the installed header and library (-std=c99 -pedantic -Werror)"
else
	nok "a C program builds against the installed files"
	show "$tmp/cc.log"
fi
if [ -x "$tmp/prog" ] && readelf -d "$tmp/prog" | grep -q 'NEEDED.*libsysmap\.so\.' &&
	out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/prog") && [[ $out == "$version supported="* ]]; then
	ok "it runs with the installed libsysmap.so: $out"
else
	nok "the C program runs with the installed library (output '${out:-}', status $?)"
fi

cat >"$tmp/prog.cpp" <<'CPP'
#include <iostream>
#include <sysmap/policy.hpp>
#include <sysmap/procfs.hpp>
#include <unistd.h>

int main()
{
	auto self = sysmap::read_process(getpid(), true);
	if (!self.mappings || self.mappings->empty())
		return 1;
	// An exception of the library's, caught by its type here: its type
	// information crosses the library's boundary.
	try {
		sysmap::read_process(0x3fffffff, false);
		return 2;
	} catch (const sysmap::ProcError &e) {
		if (e.kind() != sysmap::ProcError::Kind::Gone)
			return 3;
	}
	std::cout << self.mappings->size() << " system mappings, supported " << sysmap::kernel_supports_sealing()
	          << "\n";
	return 0;
}
CPP
# shellcheck disable=SC2086
if "$cxx" -std=c++20 -Wall -Wextra -Werror -o "$tmp/progxx" "$tmp/prog.cpp" $flags >"$tmp/cxx.log" 2>&1 &&
	out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/progxx"); then
	ok "a C++20 program builds and runs against the installed library: $out"
else
	nok "a C++20 program builds and runs against the installed library"
	show "$tmp/cxx.log"
fi

# The library exports its documented API only: the C functions of
# sysmap.h and the sysmap:: namespace (no standard-library instances).
others=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | grep -v '^LIBSYSMAP_0$' | c++filt |
	grep -Ev '^(sysmap_[a-z_]+|sysmap::.*|(typeinfo|typeinfo name|vtable) for sysmap::.*)(@@LIBSYSMAP_0)?$' || true)
if [ -z "$others" ] && nm -D --defined-only "$lib" | grep -q ' sysmap_read_state@@LIBSYSMAP_0$'; then
	ok "libsysmap.so exports only the documented API, versioned LIBSYSMAP_0 ($(nm -D --defined-only "$lib" | wc -l) symbols)"
else
	nok "libsysmap.so exports more than its API: $(head -n 5 <<<"$others" | tr '\n' ' ')"
fi

# The static library: pkg-config --static, and a program that runs without
# libsysmap.so.
# shellcheck disable=SC2046
if [ -f "$(dirname "$lib")/libsysmap.a" ] &&
	"$cxx" -std=c++20 -o "$tmp/progxx-static" "$tmp/prog.cpp" $(pkg-config --cflags sysmap) \
		"$(dirname "$lib")/libsysmap.a" $(pkg-config --static --libs-only-l sysmap | sed 's/-lsysmap//') \
		>"$tmp/static.log" 2>&1 &&
	! ldd "$tmp/progxx-static" | grep -q libsysmap && out=$("$tmp/progxx-static"); then
	ok "libsysmap.a and pkg-config --static: a C++20 program without libsysmap.so runs: $out"
else
	nok "libsysmap.a and pkg-config --static"
	show "$tmp/static.log"
fi

if out=$("$prefix/bin/sysmapctl" --version) && [[ $out == "sysmapctl from sysmap-seal $version"* ]]; then
	ok "installed sysmapctl --version: $out"
else
	nok "installed sysmapctl --version: '${out:-}'"
fi

if command -v man >/dev/null; then
	# Every C function of sysmap.h has a page name (a link to libsysmap(3)).
	fns=$(sed -nE 's/^(SYSMAP_INLINE )?(int |const char \*)(sysmap_[a-z_]+)\(.*/\3/p' "$prefix/include/sysmap/sysmap.h")
	missing=()
	for page in sysmapctl "3 libsysmap" $(printf '3 %s\n' $fns | tr ' ' '~'); do
		# shellcheck disable=SC2086
		MANPATH=$prefix/share/man man -w ${page//\~/ } >/dev/null 2>&1 || missing+=("${page//\~/ }")
	done
	if [ -n "$fns" ] && [ ${#missing[@]} -eq 0 ]; then
		ok "man finds sysmapctl(1), libsysmap(3) and a page for each C function: $(echo $fns)"
	else
		nok "man finds no page for: ${missing[*]} (functions: $(echo $fns))"
	fi
else
	ok "man finds the pages # SKIP man is not installed"
fi
exit $failed
