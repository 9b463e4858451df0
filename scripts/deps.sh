#!/bin/bash
# Install the toolchain and the pinned kernel source with apt-get.
# Usage: deps.sh BASE_VERSION
# If BASE_VERSION is no longer served, install the newest 6.12 that is and
# say so on stderr.
set -euo pipefail

want=$1
pkgs=(clang-19 llvm-19 lld-19 dwarves qemu-system-x86 gcc make libc6-dev
      libelf-dev libcap-dev libzstd-dev libssl-dev zlib1g-dev pkg-config
      bc bison flex openssl ccache xz-utils python3 git busybox-static
      python3-ply python3-git)

have_all() {
	dpkg-query -W -f='${Status}\n' "${pkgs[@]}" linux-source-6.12 2>/dev/null |
		grep -vc '^install ok installed$' | grep -qx 0
}

if have_all; then
	installed=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	[ "$installed" = "$want" ] ||
		echo "deps: linux-source-6.12 $installed installed, pinned $want" >&2
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
src="linux-source-6.12=$want"
if ! apt-cache madison linux-source-6.12 | awk '{print $3}' | grep -qxF "$want"; then
	newest=$(apt-cache madison linux-source-6.12 | awk '{print $3}' | sort -V | tail -n1)
	[ -n "$newest" ] || { echo "deps: no linux-source-6.12 is served" >&2; exit 1; }
	echo "deps: WARNING: linux-source-6.12 $want is no longer served;" \
	     "using the newest served, $newest" >&2
	src="linux-source-6.12=$newest"
fi
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" "$src" >/dev/null
