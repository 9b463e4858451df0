#!/bin/bash
# checkpatch.pl --strict on every patch of the series; any error, warning
# or check fails.
# Usage: checkpatch.sh TREE PATCHDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 pdir=$(realpath "$2")
[ -x "$tree/scripts/checkpatch.pl" ] || die "no kernel tree at $tree: run 'make tree'"
bad=0 n=0
while read -r p; do
	case $p in '' | '#'*) continue ;; esac
	n=$((n + 1))
	if ! out=$(cd "$tree" && scripts/checkpatch.pl --strict --quiet \
			--no-summary --show-types "$pdir/$p" 2>&1); then
		printf '%s:\n%s\n\n' "$p" "$out"
		bad=1
	fi
done <"$pdir/series"
[ $bad -eq 0 ] || die "checkpatch found problems (above)"
echo "checkpatch: $n patches clean"
