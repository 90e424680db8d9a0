#!/usr/bin/env bash
# Build the program "make bench" starts over and over
# (tests/programs/bench_exit.cpp): static, dynamic (against the C library
# only, so that tests/guest/bench.sh can copy what it loads into tmpfs) and
# static ia32), and the QEMU plugin that counts the guest's instructions
# (tests/programs/icount_plugin.cpp). Prints the output directory.
. "$(dirname "$0")/common.sh"

src=$REPO/tests/programs/bench_exit.cpp
out=$CACHE/bench
mkdir -p "$out"
flags=(-std=c++20 -O2 -Wall -Wextra -Werror)
g++ "${flags[@]}" -static -o "$out/bench_exit_static" "$src" >&2
g++ "${flags[@]}" -static-libstdc++ -static-libgcc -o "$out/bench_exit_dynamic" "$src" >&2
i686-linux-gnu-g++ "${flags[@]}" -static -o "$out/bench_exit_ia32" "$src" >&2
g++ "${flags[@]}" -shared -fPIC -fvisibility=hidden -o "$out/icount_plugin.so" \
	"$REPO/tests/programs/icount_plugin.cpp" >&2
echo "$out"
