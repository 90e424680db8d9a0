#!/usr/bin/env bash
# Build one test kernel out of tree, with ccache, in the cache directory.
#
#   build-kernel.sh NAME     NAME is x86_64-seal, x86_64-base (the debug
#                            test kernels), the same with -kasan, x86_64-bench,
#                            x86_64-bench-base (without debugging), arm64-seal
#                            (arm64-seal-lockdep with lockdep),
#                            riscv64-seal or s390x-seal (cross-built, booted
#                            from an initramfs: scripts/build-cross-guest.sh):
#                            kernels of the 6.12 series; with the prefix
#                            "mainline-" (mainline-x86_64-seal, ...), the same
#                            kernel of the mainline series
#
# Prints the path of the built image (kernel_image in common.sh). The
# configuration is tinyconfig plus the fragments below; every option a
# fragment sets must survive olddefconfig, otherwise the build stops and
# names the options that did not. An option the kernel does not know at all
# is left out of that check: the fragments serve both bases, and some
# options exist only in one (each such line says so).
name=${1:?usage: build-kernel.sh [mainline-]x86_64-seal|x86_64-base|x86_64-bench|x86_64-bench-base|arm64-seal|arm64-seal-lockdep|riscv64-seal|s390x-seal|loongarch64-seal}
case $name in
mainline-*) export SYSMAP_SERIES=mainline ;;
*) export SYSMAP_SERIES=6.12 ;;
esac
. "$(dirname "$0")/common.sh"

image=arch/x86/boot/bzImage
cross=()
in_root=()	# a command prefix: run the compilers in a toolchain root
case "${name#mainline-}" in
x86_64-seal) arch=x86_64 frags=(x86_64-test x86_64-debug sysmap-seal) ;;
x86_64-base) arch=x86_64 frags=(x86_64-test x86_64-debug baseline) ;;
x86_64-seal-kasan) arch=x86_64 frags=(x86_64-test x86_64-debug x86_64-kasan sysmap-seal) ;;
x86_64-base-kasan) arch=x86_64 frags=(x86_64-test x86_64-debug x86_64-kasan baseline) ;;
# "make bench" measures kernels without the debugging options.
x86_64-bench) arch=x86_64 frags=(x86_64-test sysmap-seal) ;;
x86_64-bench-base) arch=x86_64 frags=(x86_64-test baseline) ;;
arm64-seal | arm64-seal-lockdep)
	# Cross-built with Debian's compilers; the compat vDSO needs the
	# AArch32 one too.
	arch=arm64 frags=(guest-initramfs guest-criu-net arm64-test sysmap-seal) image=arch/arm64/boot/Image
	[ "${name#mainline-}" = arm64-seal ] || frags+=(arm64-lockdep)
	cross=(CROSS_COMPILE=aarch64-linux-gnu- CROSS_COMPILE_COMPAT=arm-linux-gnueabihf-)
	;;
riscv64-seal)
	arch=riscv frags=(guest-initramfs riscv64-test sysmap-seal) image=arch/riscv/boot/Image
	cross=(CROSS_COMPILE=riscv64-linux-gnu-)
	;;
s390x-seal)
	arch=s390 frags=(guest-initramfs guest-criu-net s390x-test sysmap-seal) image=arch/s390/boot/bzImage
	cross=(CROSS_COMPILE=s390x-linux-gnu-)
	;;
loongarch64-seal)
	# Bookworm has no loongarch64 compiler: trixie's, in a root of its own.
	arch=loongarch frags=(guest-initramfs loongarch64-test sysmap-seal) image=arch/loongarch/boot/vmlinux.elf
	cross=(CROSS_COMPILE=loongarch64-linux-gnu-)
	in_root=("$REPO/scripts/in-root.sh" "$("$REPO/scripts/toolchain-root.sh" loongarch64)")
	;;
*) die "unknown kernel '$name'" ;;
esac
# podman runs on the 6.12 x86_64 kernels only (make compat).
[ "$SYSMAP_SERIES" != 6.12 ] || [ "$arch" != x86_64 ] || frags+=(guest-podman)

mkdir -p "$CACHE/build"
# One kernel build at a time: they share the source worktree, and a second
# build in the same directory would corrupt it.
exec 9>"$CACHE/build/.lock"
flock 9
src=$("$REPO/scripts/kernel-tree.sh" build-src)
# A kernel and its baseline differ only by the feature's options: they share
# one object directory, and ccache keeps the objects of both.
prefix=${name%%x86_64-*}
[ "$prefix" != "$name" ] || prefix=${name%%arm64-*}
case ${name#"$prefix"} in
x86_64-seal | x86_64-base) objdir=${prefix}x86_64-seal ;;
x86_64-seal-kasan | x86_64-base-kasan) objdir=${prefix}x86_64-seal-kasan ;;
x86_64-bench | x86_64-bench-base) objdir=${prefix}x86_64-bench ;;
*) objdir=$name ;;
esac
out=$CACHE/build/$objdir
cfg=$CACHE/build/$name.config-work
mkdir -p "$out" "$cfg" "$CACHE/ccache"
export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$src CCACHE_COMPILERCHECK=content
ccache -M 8G >/dev/null
export KBUILD_BUILD_TIMESTAMP="1970-01-01" KBUILD_BUILD_USER=sysmap KBUILD_BUILD_HOST=seal
cc=gcc
[ ${#cross[@]} -eq 0 ] || cc=${cross[0]#CROSS_COMPILE=}gcc
kmake=("${in_root[@]}" make -C "$src" ARCH="$arch" "${cross[@]}" CC="ccache $cc")

# Generate the configuration in a scratch directory, and install it only when
# it changed, so that an unchanged configuration costs no rebuild.
fragfiles=()
for f in "${frags[@]}"; do fragfiles+=("$REPO/kernel/configs/$f.config"); done
# The cached image is current when it was built from the same source tree,
# compilers and configuration (key) or fragments (inputs): a warm run skips
# make (the kernel and its baseline share an object directory, so make
# alone would recompile every file each time it switches between them),
# and with unchanged fragments it skips generating the configuration too.
dest=$(kernel_image "$name")
stamp() {	# stamp FILE...: a hash of the build's sources, compilers and FILEs
	{
		echo "$name"
		git -C "$src" rev-parse 'HEAD^{tree}'
		"${in_root[@]}" "$cc" --version | head -n 1
		echo "${cross[*]}"
		cat "$@"
	} | sha256sum | cut -d' ' -f1
}
current() {	# current NAME VALUE: the image's stamp NAME holds VALUE
	[ -f "$dest" ] && [ "$(cat "$(dirname "$dest")/$1" 2>/dev/null)" = "$2" ]
}
inputs=$(stamp "${fragfiles[@]}")
if current inputs "$inputs"; then
	msg "$name kernel is up to date ($dest)"
	echo "$dest"
	exit 0
fi
"${kmake[@]}" -s O="$cfg" tinyconfig >/dev/null
KCONFIG_CONFIG="$cfg/.config" "$src/scripts/kconfig/merge_config.sh" -m -O "$cfg" \
	"$cfg/.config" "${fragfiles[@]}" >/dev/null
"${kmake[@]}" -s O="$cfg" olddefconfig >/dev/null
known=$cfg/known-symbols
find "$src" -name 'Kconfig*' -not -path '*/Documentation/*' -print0 |
	xargs -0 sed -nE 's/^[[:space:]]*(menu)?config[[:space:]]+([A-Z0-9_]+).*/CONFIG_\2/p' |
	sort -u >"$known"
missing=()
for f in "${fragfiles[@]}"; do
	while IFS= read -r line; do
		sym=${line%%=*}
		val=${line#*=}
		grep -qx "$sym" "$known" || continue
		if [ "$val" = n ]; then
			grep -qx "$sym=.*" "$cfg/.config" && missing+=("$line")
		else
			grep -qx "$line" "$cfg/.config" || missing+=("$line")
		fi
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	die "$name: these fragment options did not survive olddefconfig" \
		"(missing dependency?): ${missing[*]}"
fi
key=$(stamp "$cfg/.config")
if current key "$key"; then
	echo "$inputs" >"$(dirname "$dest")/inputs"
	msg "$name kernel is up to date ($dest)"
	echo "$dest"
	exit 0
fi
if ! cmp -s "$cfg/.config" "$out/.config"; then
	cp "$cfg/.config" "$out/.config"
fi

msg "building $name kernel in $out"
start=$SECONDS
"${kmake[@]}" -s O="$out" olddefconfig >/dev/null
log=$out/build.log
"${kmake[@]}" O="$out" -j"$JOBS" "$(basename "$image")" >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	for _ in 1 2 3 4 5 6; do
		sleep 5
		kill -0 "$pid" 2>/dev/null || break 2
	done
	msg "  $name: $(grep -c '^  CC' "$log" || true) files compiled so far"
done
if ! wait "$pid"; then
	tail -n 40 "$log" >&2
	die "building the $name kernel failed; full log: $log"
fi
msg "$name kernel built in $((SECONDS - start)) s"
# The image is copied out of the shared directory, which the next build of
# the other configuration changes.
mkdir -p "$(dirname "$dest")"
rm -f "$(dirname "$dest")/key" "$(dirname "$dest")/inputs"
cp "$out/$image" "$dest.tmp"
cp "$out/.config" "$(dirname "$dest")/config"
mv "$dest.tmp" "$dest"
echo "$key" >"$(dirname "$dest")/key"
echo "$inputs" >"$(dirname "$dest")/inputs"
echo "$dest"
