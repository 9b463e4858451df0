#!/bin/bash
# Build test_progs, bench and bpf_testmod.ko (test_progs' extra files)
# against the built kernel, with Debian's clang-19, through ccache.
# Usage: build-selftests.sh TREE KERNEL_OUT OUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kout=$(realpath "$2") out=$(realpath -m "$3")
[ -f "$kout/vmlinux" ] || die "no vmlinux in $kout: run 'make kernel' first"
command -v clang-19 >/dev/null || die "clang-19 is missing: run 'make deps'"
export PATH=/usr/lib/llvm-19/bin:$PATH
mkdir -p "$out"
timed "selftests build" make -s -C "$tree/tools/testing/selftests/bpf" \
	-j"$(nproc)" OUTPUT="$out" VMLINUX_BTF="$kout/vmlinux" KDIR="$kout" \
	CC="ccache gcc" HOSTCC="ccache gcc" CLANG="ccache clang" \
	test_progs bench
echo "selftests: $out/test_progs, $out/bench"
