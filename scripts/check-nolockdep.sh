#!/bin/bash
# Build the series' BPF programs once more against a vmlinux.h without
# lockdep's members, as a kernel without CONFIG_LOCKDEP has it (make bench's,
# BPF CI's release builds, users' kernels): struct lockdep_map and struct
# lock_class_key are empty there. A program that reads lock->name compiles
# against the test kernel's vmlinux.h and nowhere else.
# Usage: check-nolockdep.sh TREE SELFTESTS_OUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$(realpath "$1") st=$(realpath "$2")
src=$tree/tools/testing/selftests/bpf
inc=$st/tools/include
[ -f "$inc/vmlinux.h" ] || die "no vmlinux.h in $inc: run 'make selftests' first"
export PATH=/usr/lib/llvm-19/bin:$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Empty the two structs, as include/linux/lockdep_types.h does without
# CONFIG_LOCKDEP.
awk '
	/^struct (lockdep_map|lock_class_key) \{$/ { print $1 " " $2 " {};"; skip = 1; next }
	skip && /^\};$/ { skip = 0; next }
	!skip
' "$inc/vmlinux.h" >"$tmp/vmlinux.h"
grep -q '^struct lockdep_map {};$' "$tmp/vmlinux.h" ||
	die "no struct lockdep_map in $inc/vmlinux.h: is it a lockdep kernel's?"

sys=$(clang -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
# The programs that the series adds or changes.
mapfile -t progs < <(git -C "$tree" diff --name-only --diff-filter=AM base HEAD -- \
	tools/testing/selftests/bpf/progs/ | grep '\.c$')
[ ${#progs[@]} -gt 0 ] || die "the series changes no BPF program in $tree"
bad=0
for p in "${progs[@]}"; do
	# shellcheck disable=SC2086
	clang -g -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian \
		-I"$tmp" -I"$inc" -I"$src" -I"$tree/tools/include/uapi" \
		-I"$st/../usr/include" -Wno-compare-distinct-pointer-types $sys \
		-O2 --target=bpf -mcpu=v3 -c "$tree/$p" -o "$tmp/prog.o" 2>"$tmp/err" || {
		echo "$p does not build without lockdep:" >&2
		cat "$tmp/err" >&2
		bad=1
	}
done
[ $bad -eq 0 ] || die "series' BPF programs that need lockdep (above)"
echo "nolockdep: ${#progs[@]} BPF programs of the series build without lockdep"
