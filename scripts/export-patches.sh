#!/usr/bin/env bash
# Rewrite kernel/<series>/ (SYSMAP_SERIES: mainline or 6.12) from the
# commits on top of the base in the developers' tree. The output is stable: no commit hashes, no version
# trailer, so re-exporting unchanged commits changes nothing.
. "$(dirname "$0")/common.sh"

tree=$DEV_TREE
[ -e "$tree/.git" ] || die "no kernel tree at $tree; run 'make kernel-tree' first"
base=$(git -C "$tree" describe --tags --abbrev=0 --match 'base-*' HEAD 2>/dev/null) ||
	die "$tree: no base-* tag below HEAD"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them (git commit --amend or a new commit) first"

out=${SYSMAP_PATCH_OUT:-$SERIES_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q --zero-commit --no-signature --no-numbered \
	--subject-prefix=PATCH -o "$tmp" "$base..HEAD"
rm -f "$out"/*.patch
: >"$out/series"
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || continue
	cp "$p" "$out/"
	basename "$p" >>"$out/series"
done
# The cover letter, 0000-cover-letter.patch (not in series: it is no
# patch): format-patch's shortlog and diffstat around the subject (first
# line) and text (after one blank line) of kernel/<series>/cover-letter.
# Its To: and Cc: are what the tree's scripts/get_maintainer.pl says for
# the patches: maintainers and reviewers, then the mailing lists, each
# sorted (get_maintainer.pl orders people of equal standing at random).
if [ -f "$out/cover-letter" ]; then
	mkdir "$tmp/cover"
	recipients=()
	gm=(perl scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats)
	while IFS= read -r a; do recipients+=("--to=$a"); done < <(cd "$tree" && "${gm[@]}" --no-l "$tmp"/*.patch | LC_ALL=C sort -u)
	while IFS= read -r a; do recipients+=("--cc=$a"); done < <(cd "$tree" && "${gm[@]}" --no-m --no-r "$tmp"/*.patch | LC_ALL=C sort -u)
	git -C "$tree" -c user.name="sysmap-seal maintainers" -c user.email=maintainers@sysmap-seal.dev \
		format-patch -q --cover-letter --numbered --zero-commit --no-signature \
		--subject-prefix=PATCH "${recipients[@]}" -o "$tmp/cover" "$base..HEAD"
	awk -v text="$out/cover-letter" '
		BEGIN {
			getline subject <text
			getline blank <text
			while ((getline line <text) > 0)
				blurb = blurb line "\n"
		}
		/^Date: / { next }	# the date it is sent, not exported
		{ sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ { printf "%s", blurb; next }
		{ print }
	' "$tmp/cover/0000-cover-letter.patch" >"$out/0000-cover-letter.patch"
fi
msg "exported $(wc -l <"$out/series") patches to ${out#"$REPO"/}/"
