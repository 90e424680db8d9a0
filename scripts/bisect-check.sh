#!/usr/bin/env bash
# Build every prefix of the series, with sealing on and compiled out, in
# throwaway worktrees of the kernel tree. Each prefix must build.
# SYSMAP_SERIES picks the series (mainline or 6.12).
. "$(dirname "$0")/common.sh"

"$REPO/scripts/kernel-tree.sh" dev >/dev/null
mapfile -t patches < <(series_patches)
base=$(git -C "$DEV_TREE" rev-parse base)
src=$CACHE/bisect-src-$SERIES
out=$CACHE/build/bisect-$SERIES
export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$src KBUILD_BUILD_TIMESTAMP="1970-01-01"
git -C "$DEV_TREE" worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
git -C "$DEV_TREE" worktree prune
git -C "$DEV_TREE" worktree add -q --detach "$src" "$base"
status=0
for i in "${!patches[@]}"; do
	p=${patches[$i]}
	git -c user.name=bisect -c user.email=bisect@localhost -C "$src" am -q "$SERIES_DIR/$p" ||
		die "$p does not apply"
	prev=
	for cfg in sysmap-seal baseline; do
		mkdir -p "$out/$cfg"
		make -s -C "$src" O="$out/$cfg.cfg" ARCH=x86_64 CC="ccache gcc" tinyconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out/$cfg.cfg" "$out/$cfg.cfg/.config" \
			"$REPO/kernel/configs/x86_64-test.config" "$REPO/kernel/configs/$cfg.config" >/dev/null
		make -s -C "$src" O="$out/$cfg.cfg" ARCH=x86_64 CC="ccache gcc" olddefconfig >/dev/null
		# Before the architecture selects the option both configurations
		# are the same; build such a configuration once.
		if [ -n "$prev" ] && cmp -s "$out/$cfg.cfg/.config" "$prev"; then
			# Carry the build over, so that the next prefix builds
			# incrementally here too.
			rm -rf "$out/$cfg"
			cp -a "$out/sysmap-seal" "$out/$cfg"
			echo "ok $((i + 1)) $p ($cfg: same configuration as sysmap-seal here)"
			continue
		fi
		prev=$out/$cfg.cfg/.config
		cmp -s "$out/$cfg.cfg/.config" "$out/$cfg/.config" || cp "$out/$cfg.cfg/.config" "$out/$cfg/.config"
		if make -s -C "$src" O="$out/$cfg" ARCH=x86_64 CC="ccache gcc" -j"$JOBS" bzImage \
			>"$out/$cfg.log" 2>&1; then
			echo "ok $((i + 1)) $p ($cfg)"
		else
			echo "not ok $((i + 1)) $p ($cfg): see $out/$cfg.log"
			status=1
		fi
	done
done
git -C "$DEV_TREE" worktree remove --force "$src"
exit $status
