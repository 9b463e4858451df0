#!/bin/bash
# Make the kernel work tree: the unpacked base as the first commit (tag
# "base"), then patches/ applied with git am, one commit per patch.
# Usage: tree.sh TREE PATCHDIR
#
# An existing tree that already matches patches/ is left alone. A tree is
# rebuilt only when nothing in it is unexported: no uncommitted edits, and
# HEAD is where the last export or apply left it (refs/series/synced).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 pdir=$2
tarball=/usr/src/linux-source-6.12.tar.xz
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# A fresh machine has no git identity: commit as the workbench then (git am
# keeps each patch's author).
ident=()
[ -n "$(git config user.email || true)" ] ||
	ident=(-c user.name="bpf-series workbench" -c user.email=workbench@localhost)
g() { git "${ident[@]}" -C "$tree" "$@"; }

apply_series() {
	local p
	while read -r p; do
		case $p in '' | '#'*) continue ;; esac
		g am -q --keep-cr "$(realpath "$pdir/$p")" ||
			die "patch $p does not apply: fix it in $tree (git am --show-current-patch)"
	done <"$pdir/series"
	g update-ref refs/series/synced HEAD
}

if [ -d "$tree/.git" ]; then
	base_msg=$(g log -1 --format=%s base 2>/dev/null || true)
	if [[ $base_msg == *"$pkgver"* ]] &&
		"$(dirname "$0")/series.sh" status "$tree" "$pdir" >/dev/null; then
		echo "tree: $tree matches patches/ (base $pkgver)"
		exit 0
	fi
	[ -z "$(g status --porcelain)" ] ||
		die "$tree has uncommitted edits that patches/ lacks. Commit them" \
		    "and run 'make series' to export, or discard them, then retry."
	[ "$(g rev-parse HEAD)" = "$(g rev-parse -q --verify refs/series/synced || true)" ] ||
		die "$tree has commits that patches/ lacks. Run 'make series' to" \
		    "export them (or 'git -C $tree reset --hard refs/series/synced'" \
		    "to drop them), then retry."
	if [[ $base_msg == *"$pkgver"* ]]; then
		echo "tree: patches/ changed; re-applying the series on base"
		g reset -q --hard base
		apply_series
		exit 0
	fi
	echo "tree: base changed to $pkgver; unpacking it anew"
	rm -rf "$tree"
fi

mkdir -p "$tree"
tar -xJf "$tarball" -C "$tree" --strip-components=1
upstream=$(make -s -C "$tree" kernelversion)
# Debian's .gitignore ends with a block that ignores every top-level entry;
# drop it so that files new to the tree show in git status.
sed -i '/^# Debian packaging: ignore everything/,$d' "$tree/.gitignore"
g init -q
g add -A -f
g commit -q -m "Linux $upstream (Debian linux-source-6.12 $pkgver)" \
	-m "Unpacked from /usr/src/linux-source-6.12.tar.xz, Debian package
linux-source-6.12 version $pkgver. The only change is to .gitignore: its
Debian block, which ignores every top-level entry, is dropped so that new
files show in git status."
g tag base
apply_series
echo "tree: $tree at base $pkgver with $(g rev-list --count base..HEAD) patches"
