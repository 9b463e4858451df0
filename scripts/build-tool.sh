#!/bin/bash
# Build execaudit against the series: libbpf and a bootstrap bpftool from
# the kernel tree (for vmlinux.h and the skeleton), vmlinux.h from the
# built kernel's BTF.
# Usage: build-tool.sh TREE KERNEL_OUT OUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kout=$(realpath "$2") out=$(realpath -m "$3")
src=$(realpath "$(dirname "$0")/../execaudit")
[ -f "$kout/vmlinux" ] || die "no vmlinux in $kout: run 'make kernel' first"
mkdir -p "$out/libbpf" "$out/bpftool"
# One chain: timed runs the function where set -e does not stop it.
build() {
	make -s -C "$tree/tools/lib/bpf" -j"$(nproc)" CC="ccache gcc" \
		OUTPUT="$out/libbpf/" DESTDIR="$out/libbpf" prefix= \
		"$out/libbpf/libbpf.a" install_headers >/dev/null &&
	make -s -C "$tree/tools/bpf/bpftool" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc" \
		OUTPUT="$out/bpftool/" bootstrap >/dev/null &&
	make -s -C "$src" OUT="$out" LIBBPF="$out/libbpf" CLANG=clang-19 \
		BPFTOOL="$out/bpftool/bootstrap/bpftool" VMLINUX="$kout/vmlinux"
}
timed "tool build" build
echo "tool: $out/execaudit"
