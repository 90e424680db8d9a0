#!/usr/bin/env bash
# Prepare kernel sources in the cache.
#
#   kernel-tree.sh dev        print the path of the developers' git tree
#                             (base + one commit per patch), creating it if needed
#   kernel-tree.sh build-src  bring the build worktree to base + the series
#                             and print its path
#
# SYSMAP_SERIES (mainline, the default, or 6.12) picks the series; its base
# comes from the Debian linux-source package named in kernel/<series>/BASE.
. "$(dirname "$0")/common.sh"

GIT_ID=(-c user.name="sysmap-seal" -c user.email="sysmap-seal@localhost")

# A base from another Debian suite (BASE names suite= and sha256=) is
# downloaded alone, with apt sources of its own, checked against the pinned
# checksum and unpacked into the cache: nothing of that suite gets installed.
foreign_root() { echo "$CACHE/debs/${BASE_PACKAGE}_${BASE_VERSION//[~:]/_}"; }

fetch_foreign_base() {
	fetch_foreign_deb "$BASE_SUITE" "$BASE_PACKAGE" "$BASE_VERSION" "$BASE_SHA256" "$(foreign_root)" ||
		die "could not fetch the base; pick the version $BASE_SUITE has," \
			"set version= and sha256= in $SERIES_DIR/BASE and rebase the series"
}

install_base_package() {
	local have
	if [ -n "$BASE_SUITE" ]; then
		fetch_foreign_base
		return
	fi
	have=$(dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null || true)
	if [ "$have" = "$BASE_VERSION" ]; then
		return
	fi
	msg "installing $BASE_PACKAGE=$BASE_VERSION"
	apt-get update -q >&2 || true
	if ! apt-get install -y --no-install-recommends "$BASE_PACKAGE=$BASE_VERSION" >&2; then
		apt-get install -y --no-install-recommends "$BASE_PACKAGE" >&2 ||
			die "cannot install $BASE_PACKAGE; run 'apt-get update' and retry"
		have=$(dpkg-query -W -f='${Version}' "$BASE_PACKAGE")
		warn "$BASE_PACKAGE $BASE_VERSION (${SERIES_DIR#"$REPO"/}/BASE) is not available;" \
			"using $have instead"
	fi
}

# When Debian's package moved past the pinned version and the series no
# longer applies, say what to do rather than only that it failed.
moved_hint() {
	local have
	have=$(base_version 2>/dev/null || true)
	[ -z "$have" ] || [ "$have" = "$BASE_VERSION" ] && return 0
	warn "$SERIES_DIR/BASE pins $BASE_PACKAGE $BASE_VERSION, which apt no longer offers;" \
		"the series was applied to $have instead. Rebase it: 'make kernel-tree'," \
		"'git rebase' the series branch onto the base-${have//[~:]/_} tag, 'make export-patches'," \
		"and set version=$have in $SERIES_DIR/BASE"
}

# The version the base repository is built from: the pinned one when it is
# installed, otherwise whatever install_base_package fell back to.
base_version() {
	if [ -n "$BASE_SUITE" ]; then
		echo "$BASE_VERSION"
	else
		dpkg-query -W -f='${Version}' "$BASE_PACKAGE"
	fi
}

ensure_base_repo() {
	local ver tag tarball tmp
	install_base_package
	ver=$(base_version)
	tag="base-$(printf '%s' "$ver" | tr '~:' '_.')"
	if git -C "$DEV_TREE" rev-parse -q --verify "refs/tags/$tag" >/dev/null 2>&1; then
		BASE_TAG=$tag
		return
	fi
	[ ! -e "$DEV_TREE" ] || die "$DEV_TREE exists but has no tag $tag; move it away"
	if [ -n "$BASE_SUITE" ]; then
		tarball=$(find "$(foreign_root)/usr/src" -maxdepth 1 -name 'linux-source-*.tar.xz' | head -n 1)
	else
		tarball=$(dpkg -L "$BASE_PACKAGE" | grep -m1 '\.tar\.xz$') || true
	fi
	[ -n "$tarball" ] || die "$BASE_PACKAGE ships no source tarball"
	msg "extracting $tarball into $DEV_TREE (a few minutes)"
	tmp="$DEV_TREE.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	# Debian's tarball ignores every top-level entry but debian/ in its
	# .gitignore, which would keep files the series adds out of git.
	sed -i -e '/^# Debian packaging: ignore everything/,/^!\/debian\/$/d' "$tmp/.gitignore"
	git -C "$tmp" init -q -b series
	git -C "$tmp" config core.abbrev 12
	git -C "$tmp" config gc.auto 0
	git -C "$tmp" add -A -f
	GIT_AUTHOR_DATE="@0 +0000" GIT_COMMITTER_DATE="@0 +0000" \
		git "${GIT_ID[@]}" -C "$tmp" commit -q -m "Linux $ver (Debian $BASE_PACKAGE)" \
		-m "Imported from $(basename "$tarball"), without Debian's top-level ignore rule."
	git -C "$tmp" tag "$tag"
	git -C "$tmp" tag -f base >/dev/null
	mv "$tmp" "$DEV_TREE"
	BASE_TAG=$tag
}

# Apply the series to the base tree without touching any work tree and print
# the resulting commit. A patch that does not apply is named and fatal.
series_commit() {
	local idx parent tree p
	idx=$(mktemp)
	parent=$(git -C "$DEV_TREE" rev-parse "$BASE_TAG^{commit}")
	GIT_INDEX_FILE=$idx git -C "$DEV_TREE" read-tree "$parent"
	while read -r p; do
		[ -f "$SERIES_DIR/$p" ] || die "series names $p, which is missing"
		if ! GIT_INDEX_FILE=$idx git -C "$DEV_TREE" apply --cached \
			"$SERIES_DIR/$p" 2>/tmp/sysmap-apply.$$; then
			cat /tmp/sysmap-apply.$$ >&2
			rm -f "$idx" /tmp/sysmap-apply.$$
			moved_hint
			die "patch ${SERIES_DIR#"$REPO"/}/$p does not apply"
		fi
		tree=$(GIT_INDEX_FILE=$idx git -C "$DEV_TREE" write-tree)
		parent=$(GIT_AUTHOR_DATE="@0 +0000" GIT_COMMITTER_DATE="@0 +0000" \
			git "${GIT_ID[@]}" -C "$DEV_TREE" commit-tree "$tree" -p "$parent" -m "$p")
	done < <(series_patches)
	rm -f "$idx" /tmp/sysmap-apply.$$
	echo "$parent"
}

cmd_dev() {
	ensure_base_repo
	if ! git -C "$DEV_TREE" rev-parse -q --verify refs/heads/series >/dev/null ||
		[ "$(git -C "$DEV_TREE" rev-parse series)" = "$(git -C "$DEV_TREE" rev-parse "$BASE_TAG^{commit}")" ]; then
		if [ -n "$(series_patches)" ]; then
			msg "applying ${SERIES_DIR#"$REPO"/}/ with git am"
			git -C "$DEV_TREE" checkout -q -B series "$BASE_TAG"
			local p
			while read -r p; do
				git "${GIT_ID[@]}" -C "$DEV_TREE" am -q --keep-cr "$SERIES_DIR/$p" ||
					{ git -C "$DEV_TREE" am --abort || true; moved_hint; die "patch ${SERIES_DIR#"$REPO"/}/$p does not apply"; }
			done < <(series_patches)
		fi
	else
		local want have
		want=$(git -C "$DEV_TREE" rev-parse "$(series_commit)^{tree}")
		have=$(git -C "$DEV_TREE" rev-parse "series^{tree}")
		[ "$want" = "$have" ] ||
			warn "$DEV_TREE (branch series) differs from ${SERIES_DIR#"$REPO"/}/;" \
				"run 'make export-patches' to keep your commits, or" \
				"'git -C $DEV_TREE branch -m series old && make kernel-tree' to start again"
	fi
	echo "$DEV_TREE"
}

cmd_build_src() {
	local want
	ensure_base_repo
	want=$(series_commit)
	if [ ! -e "$BUILD_SRC/.git" ]; then
		msg "creating build worktree $BUILD_SRC"
		git -C "$DEV_TREE" worktree prune
		git -C "$DEV_TREE" worktree add -q --detach "$BUILD_SRC" "$want" >&2
	elif [ "$(git -C "$BUILD_SRC" rev-parse 'HEAD^{tree}')" != "$(git -C "$DEV_TREE" rev-parse "$want^{tree}")" ]; then
		# Only files that differ are rewritten, so a warm build stays warm.
		git -C "$BUILD_SRC" checkout -q -f --detach "$want"
	fi
	echo "$BUILD_SRC"
}

case "${1:-}" in
dev) cmd_dev ;;
build-src) cmd_build_src ;;
*) die "usage: $0 dev|build-src" ;;
esac
