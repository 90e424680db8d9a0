#!/usr/bin/env bash
# Build the program "make bench" starts over and over
# (tests/programs/bench_exit.cpp): static, dynamic (against the C library
# only, so that tests/guest/bench.sh can copy what it loads into tmpfs) and
# static ia32. Prints the output directory.
. "$(dirname "$0")/common.sh"

src=$REPO/tests/programs/bench_exit.cpp
out=$CACHE/bench
mkdir -p "$out"
flags=(-std=c++20 -O2 -Wall -Wextra -Werror)
g++ "${flags[@]}" -static -o "$out/bench_exit_static" "$src" >&2
g++ "${flags[@]}" -static-libstdc++ -static-libgcc -o "$out/bench_exit_dynamic" "$src" >&2
i686-linux-gnu-g++ "${flags[@]}" -static -o "$out/bench_exit_ia32" "$src" >&2
echo "$out"
