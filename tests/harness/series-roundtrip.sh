#!/usr/bin/env bash
# Each series round-trips: applying kernel/<series>/ with git am to its base
# and exporting again gives byte-identical files (no hashes, dates or
# version trailers drift; the cover letter lists the patches as they are).
# Also checks that "make install" honours PREFIX.
# Prints TAP.
here=$(cd "$(dirname "$0")" && pwd)
status=0
n=0

roundtrip() {	# roundtrip SERIES: two results, in a subshell of its own
	export SYSMAP_SERIES=$1
	. "$here/../../scripts/common.sh"
	"$REPO/scripts/kernel-tree.sh" dev >/dev/null
	tmp=$(mktemp -d)
	wt=$tmp/tree
	trap 'git -C "$DEV_TREE" worktree remove --force "$wt" 2>/dev/null; rm -rf "$tmp"' EXIT
	# A sparse worktree: the files the series touches, the top-level files
	# and scripts/ (get_maintainer.pl) are all git am and export-patches
	# need, and checking out the whole tree took 40 s per series.
	git -C "$DEV_TREE" worktree add -q --no-checkout --detach "$wt" base
	{
		printf '/*\n!/*/\n/scripts/\n'
		series_patches | sed "s|^|$SERIES_DIR/|" | xargs sed -n 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' | sort -u
	} | git -C "$wt" sparse-checkout set --no-cone --stdin
	git -C "$wt" checkout -q --detach base
	# get_maintainer.pl recognises a kernel tree by its top-level directories.
	(cd "$wt" && mkdir -p Documentation arch drivers fs include init ipc kernel lib)
	if git -c user.name=t -c user.email=t@localhost -C "$wt" am -q \
		$(series_patches | sed "s|^|$SERIES_DIR/|") 2>"$tmp/am.log"; then
		echo "ok $((n + 1)) $SERIES series: every patch applies to the pinned base with git am"
	else
		echo "not ok $((n + 1)) $SERIES series: git am failed: $(head -n 3 "$tmp/am.log")"
		echo "not ok $((n + 2)) $SERIES series: not exported again, git am failed"
		return 1
	fi
	mkdir -p "$tmp/out"
	touch "$tmp/out/series"
	cp "$SERIES_DIR/cover-letter" "$tmp/out/"
	SYSMAP_DEV_TREE=$wt SYSMAP_PATCH_OUT=$tmp/out "$REPO/scripts/export-patches.sh" 2>"$tmp/export.log" ||
		sed "s/^/# /" "$tmp/export.log"
	if diff -r -x checkpatch-accepted -x BASE "$SERIES_DIR" "$tmp/out" >"$tmp/diff"; then
		echo "ok $((n + 2)) $SERIES series: git am + export-patches reproduces kernel/$SERIES/ byte for byte, the cover letter's shortlog and diffstat included"
	else
		echo "not ok $((n + 2)) $SERIES series: re-export differs from kernel/$SERIES/"
		sed 's/^/# /' "$tmp/diff" | head -n 20
		return 1
	fi
}

for s in mainline 6.12; do
	(roundtrip "$s") || status=1
	n=$((n + 2))
done

. "$here/../../scripts/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if make -s -C "$REPO" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1 &&
	[ -x "$tmp/prefix/bin/sysmapctl" ] && [ -f "$tmp/prefix/share/man/man1/sysmapctl.1" ]; then
	echo "ok $((n + 1)) make install PREFIX=...: bin/sysmapctl and share/man/man1/sysmapctl.1"
else
	echo "not ok $((n + 1)) make install PREFIX=... (see below)"
	sed 's/^/# /' "$tmp/install.log" | tail -n 5
	status=1
fi
exit $status
