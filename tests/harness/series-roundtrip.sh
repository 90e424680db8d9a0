#!/usr/bin/env bash
# The series round-trips: applying kernel/patches/ with git am to the base
# and exporting again gives byte-identical files (no hashes, dates or
# version trailers drift; the cover letter lists the patches as they are).
# Also checks that "make install" honours PREFIX.
# Prints TAP.
. "$(dirname "$0")/../../scripts/common.sh"
"$REPO/scripts/kernel-tree.sh" dev >/dev/null
tmp=$(mktemp -d)
wt=$tmp/tree
trap 'git -C "$DEV_TREE" worktree remove --force "$wt" 2>/dev/null; rm -rf "$tmp"' EXIT
git -C "$DEV_TREE" worktree add -q --detach "$wt" base
status=0
if git -c user.name=t -c user.email=t@localhost -C "$wt" am -q \
	$(series_patches | sed "s|^|$REPO/kernel/patches/|") 2>"$tmp/am.log"; then
	echo "ok 1 series: every patch applies to the pinned base with git am"
else
	echo "not ok 1 series: git am failed: $(head -n 3 "$tmp/am.log")"
	exit 1
fi
mkdir -p "$tmp/out"
touch "$tmp/out/series"
cp "$REPO/kernel/patches/cover-letter" "$tmp/out/"
SYSMAP_DEV_TREE=$wt SYSMAP_PATCH_OUT=$tmp/out "$REPO/scripts/export-patches.sh" 2>"$tmp/export.log" ||
	sed "s/^/# /" "$tmp/export.log"
if diff -r -x checkpatch-accepted "$REPO/kernel/patches" "$tmp/out" >"$tmp/diff"; then
	echo "ok 2 series: git am + export-patches reproduces kernel/patches/ byte for byte, the cover letter's shortlog and diffstat included"
else
	echo "not ok 2 series: re-export differs from kernel/patches/"
	sed 's/^/# /' "$tmp/diff" | head -n 20
	status=1
fi
if make -s -C "$REPO" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1 &&
	[ -x "$tmp/prefix/bin/sysmapctl" ] && [ -f "$tmp/prefix/share/man/man1/sysmapctl.1" ]; then
	echo "ok 3 make install PREFIX=...: bin/sysmapctl and share/man/man1/sysmapctl.1"
else
	echo "not ok 3 make install PREFIX=... (see below)"
	sed 's/^/# /' "$tmp/install.log" | tail -n 5
	status=1
fi
exit $status
