#!/bin/bash
# Configure and build the kernel: tinyconfig plus the fragments, then
# bzImage and modules, out of tree and through ccache.
# Usage: build-kernel.sh TREE OUT FRAGMENT...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 out=$2
shift 2
mkdir -p "$out"
# LOCALVERSION= keeps setlocalversion from appending "+" for the git tree.
kmake() { make -s -C "$tree" O="$out" LOCALVERSION= CC="ccache gcc" HOSTCC="ccache gcc" "$@"; }

# Every option a fragment asks for must survive olddefconfig: a missing
# dependency would otherwise silently drop a feature the tests need.
verify_config() {
	local line missing=0
	while read -r line; do
		grep -qxF "$line" "$out/.config" || {
			echo "config: requested '$line', got" \
			     "'$(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo unset)'" >&2
			missing=1
		}
	done < <(cat "$@" | grep -E '^CONFIG_')
	return $missing
}

configure() {
	rm -f "$out/.fragments.md5"
	kmake tinyconfig >/dev/null || return
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" >/dev/null || return
	kmake olddefconfig >/dev/null || return
	verify_config "$@" || return
	cat "$@" | md5sum >"$out/.fragments.md5"
}

if ! cat "$@" | md5sum | cmp -s - "$out/.fragments.md5" 2>/dev/null; then
	timed "kernel config" configure "$@"
fi
timed "kernel build" kmake -j"$(nproc)" bzImage modules
echo "kernel: $out/arch/x86/boot/bzImage ($(kmake -s kernelrelease))"
