#!/bin/bash
# Build test_progs, bench and bpf_testmod.ko (test_progs' extra files)
# against the built kernel, with Debian's clang-19, through ccache.
# Usage: build-selftests.sh TREE KERNEL_OUT OUT [TARGET...]
#   TARGETs default to test_progs and bench; 'make suites' adds BPF CI's
#   other runners (veristat, test_verifier, test_maps).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kout=$(realpath "$2") out=$(realpath -m "$3")
shift 3
targets=("${@:-test_progs}")
[ $# -gt 0 ] || targets+=(bench)
[ -f "$kout/vmlinux" ] || die "no vmlinux in $kout: run 'make kernel' first"
command -v clang-19 >/dev/null || die "clang-19 is missing: run 'make deps'"
export PATH=/usr/lib/llvm-19/bin:$PATH
mkdir -p "$out"
# bpf_testmod builds inside the source tree whatever OUTPUT says, so a build
# for another kernel (make bench, KASAN=1) leaves a module that this kernel
# refuses. Rebuild it when the last build was for another kernel.
tm=$tree/tools/testing/selftests/bpf/bpf_testmod
stamp=$(git -C "$tree" rev-parse --absolute-git-dir)/bpf_testmod.kdir
if [ "$(cat "$stamp" 2>/dev/null)" != "$kout" ]; then
	make -s -C "$tm" KDIR="$kout" clean >/dev/null 2>&1 || true
	rm -f "$out/bpf_testmod.ko"
fi
echo "$kout" >"$stamp"
timed "selftests build" make -s -C "$tree/tools/testing/selftests/bpf" \
	-j"$(nproc)" OUTPUT="$out" VMLINUX_BTF="$kout/vmlinux" KDIR="$kout" \
	CC="ccache gcc" HOSTCC="ccache gcc" CLANG="ccache clang" \
	"${targets[@]}"
echo "selftests: ${targets[*]/#/$out/}"
