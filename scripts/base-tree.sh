#!/bin/bash
# Make the base work tree that BPF CI's checks compare the series with: the
# unpacked base (tag "base" of TREE) and the series' leading patches that
# touch nothing but the selftests, which the base's own selftests need to
# build. A git worktree of TREE, remade only when those patches change.
# Usage: base-tree.sh TREE BASETREE PATCHDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 btree=$(realpath -m "$2") pdir=$(realpath "$3")
[ -d "$tree/.git" ] || die "no kernel tree at $tree: run 'make tree' first"
ident=()
[ -n "$(git config user.email || true)" ] ||
	ident=(-c user.name="bpf-series workbench" -c user.email=workbench@localhost)

want=()
while read -r p; do
	case $p in '' | '#'*) continue ;; esac
	git -C "$tree" apply --numstat "$pdir/$p" | awk '{print $3}' |
		grep -qv '^tools/testing/selftests/' && break
	want+=("$pdir/$p")
done <"$pdir/series"

stamp=$btree/.base-patches
sum=$(cat "${want[@]}" /dev/null | md5sum)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
	echo "base tree: $btree matches (${#want[@]} selftests patches)"
	exit 0
fi
if [ -d "$btree" ]; then
	git -C "$tree" worktree remove --force "$btree"
fi
git -C "$tree" worktree prune
git -C "$tree" worktree add -q --detach "$btree" base
for p in "${want[@]}"; do
	git "${ident[@]}" -C "$btree" am -q --keep-cr "$p" ||
		die "$(basename "$p") does not apply to the base"
done
echo "$sum" >"$stamp"
echo "base tree: $btree at base with ${#want[@]} selftests patches"
