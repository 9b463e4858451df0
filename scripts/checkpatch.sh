#!/bin/bash
# checkpatch.pl --strict on every patch of the series; any error, warning
# or check fails.
# checkpatch warns about every added file (FILE_PATH_CHANGES) whether or
# not MAINTAINERS covers it; instead, each added file must be covered by
# an entry other than THE REST, with the tree's MAINTAINERS.
# RCU_TASKS_TRACE flags RCU tasks trace outside kernel/bpf and kernel/rcu.
# It is ignored only in patches that touch nothing but selftests: the
# benchmark's bpf_testmod.ko waits for a bare synchronize_rcu_tasks_trace()
# to compare BPF_SYNC_MAP_ACCESS with. BIT_MACRO is ignored in patches
# that touch nothing but the tools/ mirror of the uapi headers (below).
# Usage: checkpatch.sh TREE PATCHDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 pdir=$(realpath "$2")
# checkpatch's SPDX check runs python3 with ply from Debian (deps.sh); a
# python3 earlier in PATH (pyenv, venv) would lack it.
export PATH=/usr/bin:$PATH
[ -x "$tree/scripts/checkpatch.pl" ] || die "no kernel tree at $tree: run 'make tree'"
bad=0 n=0
while read -r p; do
	case $p in '' | '#'*) continue ;; esac
	n=$((n + 1))
	ignore=FILE_PATH_CHANGES
	awk '/^diff --git/ {print substr($4, 3)}' "$pdir/$p" |
		grep -qv '^tools/testing/selftests/' || ignore+=,RCU_TASKS_TRACE
	# The tools/ copy of the uapi header must match include/uapi byte for
	# byte, and uapi headers have no BIT(); checkpatch exempts include/uapi
	# from BIT_MACRO but not its mirror.
	awk '/^diff --git/ {print substr($4, 3)}' "$pdir/$p" |
		grep -qv '^tools/include/uapi/' || ignore+=,BIT_MACRO
	if ! out=$(cd "$tree" && scripts/checkpatch.pl --strict --quiet \
			--no-summary --show-types --ignore "$ignore" \
			"$pdir/$p" 2>&1); then
		printf '%s:\n%s\n\n' "$p" "$out"
		bad=1
	fi
	for f in $(awk '/^diff --git/ {f=substr($4, 3)} /^new file mode/ {print f}' "$pdir/$p"); do
		(cd "$tree" && scripts/get_maintainer.pl --no-git --no-git-fallback \
			--no-l --no-rolestats -f "$f" 2>/dev/null) |
			grep -qv 'torvalds@linux-foundation.org' || {
			echo "$p: $f is in no MAINTAINERS entry"
			bad=1
		}
	done
done <"$pdir/series"
# The uapi documentation must parse, as 'make htmldocs' and bpftool's man
# pages parse it: every command of enum bpf_cmd documented, every helper.
for hdr in include/uapi/linux/bpf.h tools/include/uapi/linux/bpf.h; do
	for target in syscall helpers; do
		(cd "$tree" && python3 scripts/bpf_doc.py --filename "$hdr" "$target" >/dev/null) ||
			{ echo "scripts/bpf_doc.py $target fails on $hdr (above)"; bad=1; }
	done
done
[ $bad -eq 0 ] || die "checkpatch found problems (above)"
echo "checkpatch: $n patches clean"
