#!/bin/bash
# Export the kernel tree's commits into patches/, or compare the two.
# Usage: series.sh export|status TREE PATCHDIR
#
# The tree's first commit (tag "base") is the unpacked base; every commit
# after it is one patch. The cover letter, patches/0000-cover-letter.patch,
# is written by hand and kept; only its template is generated if missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=$1 tree=$2 pdir=$(realpath -m "$3")
fp_opts=(--zero-commit --no-signature --numbered --subject-prefix=PATCH)

[ -d "$tree/.git" ] || die "no kernel tree at $tree: run 'make tree' first"
g() { git -C "$tree" "$@"; }

# format_patches DIR: write base..HEAD as patches into DIR.
format_patches() {
	g format-patch -q "${fp_opts[@]}" -o "$1" base..HEAD >/dev/null
}

case $cmd in
export)
	[ -z "$(g status --porcelain)" ] ||
		die "the tree has uncommitted changes: commit them in $tree first"
	mkdir -p "$pdir"
	find "$pdir" -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' -delete
	format_patches "$pdir"
	if [ ! -f "$pdir/0000-cover-letter.patch" ]; then
		g format-patch -q "${fp_opts[@]}" --cover-letter -o "$pdir" \
			base..HEAD >/dev/null
	fi
	(cd "$pdir" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null |
		grep -v '^0000-cover-letter.patch$' || true) >"$pdir/series"
	g update-ref refs/series/synced HEAD
	echo "exported $(wc -l <"$pdir/series") patches to $pdir"
	;;
status)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	format_patches "$tmp"
	diffs=0
	if [ -n "$(g status --porcelain)" ]; then
		echo "uncommitted changes in $tree:"
		g status --short | sed 's/^/  /'
		diffs=1
	fi
	want=$(cd "$tmp" && ls | grep -v '^0000-cover-letter.patch$' || true)
	listed=$(grep -v '^#' "$pdir/series" 2>/dev/null || true)
	if [ "$want" != "$listed" ]; then
		echo "patches/series differs from the tree's commits:"
		diff <(echo "$listed") <(echo "$want") | grep '^[<>]' |
			sed 's/^</  only in patches\/series:/; s/^>/  only in the tree:      /'
		diffs=1
	fi
	for p in $want; do
		if [ -f "$pdir/$p" ] && ! cmp -s "$tmp/$p" "$pdir/$p"; then
			echo "  differs: $p"
			diffs=1
		fi
	done
	[ -f "$pdir/0000-cover-letter.patch" ] ||
		{ echo "  missing: 0000-cover-letter.patch"; diffs=1; }
	if [ $diffs -ne 0 ]; then
		echo "not in sync: run 'make series' to export the tree into patches/"
		exit 1
	fi
	echo "in sync"
	;;
*)
	die "usage: series.sh export|status TREE PATCHDIR"
	;;
esac
