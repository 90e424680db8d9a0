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
# configure FRAGMENT...: configuration $cfg of the prefix in $out/$cfg.cfg:
# tinyconfig, bisect.config, then the FRAGMENTs.
configure() {
	make -s -C "$src" O="$out/$cfg.cfg" ARCH=x86_64 CC="ccache gcc" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/$cfg.cfg" "$out/$cfg.cfg/.config" \
		"$REPO/kernel/configs/bisect.config" "$@" >/dev/null
	make -s -C "$src" O="$out/$cfg.cfg" ARCH=x86_64 CC="ccache gcc" olddefconfig >/dev/null
}
status=0
for i in "${!patches[@]}"; do
	p=${patches[$i]}
	git -c user.name=bisect -c user.email=bisect@localhost -C "$src" am -q "$SERIES_DIR/$p" ||
		die "$p does not apply"
	prev=
	for cfg in sysmap-seal baseline; do
		mkdir -p "$out/$cfg"
		configure "$REPO/kernel/configs/$cfg.config"
		note=
		# Until the series lifts upstream's "depends on !CHECKPOINT_RESTORE",
		# sealing is on only without checkpoint/restore: build that.
		if [ $cfg = sysmap-seal ] && ! grep -qx CONFIG_MSEAL_SYSTEM_MAPPINGS=y "$out/$cfg.cfg/.config"; then
			echo CONFIG_CHECKPOINT_RESTORE=n >"$out/no-checkpoint-restore.config"
			configure "$REPO/kernel/configs/$cfg.config" "$out/no-checkpoint-restore.config"
			if grep -qx CONFIG_MSEAL_SYSTEM_MAPPINGS=y "$out/$cfg.cfg/.config"; then
				note=", without CHECKPOINT_RESTORE, which the option excludes here"
			else
				# The 6.12 series before its Kconfig patch: no option yet.
				configure "$REPO/kernel/configs/$cfg.config"
			fi
		fi
		# What the series' files need to be compiled at all.
		for opt in CONFIG_UPROBES CONFIG_IA32_EMULATION CONFIG_SYSCTL; do
			grep -qx "$opt=y" "$out/$cfg.cfg/.config" ||
				die "$p: $opt did not survive olddefconfig (kernel/configs/bisect.config)"
		done
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
			echo "ok $((i + 1)) $p ($cfg$note)"
		else
			echo "not ok $((i + 1)) $p ($cfg$note): see $out/$cfg.log"
			status=1
		fi
	done
done
git -C "$DEV_TREE" worktree remove --force "$src"
exit $status
