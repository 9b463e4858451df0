#!/bin/bash
# Install the toolchain and the pinned kernel source with apt-get.
# Usage: deps.sh BASE_VERSION
# If BASE_VERSION is no longer served, install the newest 6.12 that is and
# say so on stderr.
set -euo pipefail

want=$1
# Everything the build, the VM and the tests use, including what a fresh
# Debian image already has: a package that disappears from the image must
# not break the workbench silently.
pkgs=(
	# kernel build
	gcc make libc6-dev bc bison flex libelf-dev libssl-dev openssl perl
	python3 xz-utils tar dwarves git ccache
	# selftests, libbpf, bpftool, execaudit (rsync: test_progs-extras)
	clang-19 llvm-19 lld-19 libcap-dev libzstd-dev zlib1g-dev pkg-config
	python3-ply python3-git rsync
	# the VM: QEMU, the guest's init (mount, setsid, ip, insmod via busybox)
	qemu-system-x86 busybox-static util-linux iproute2 procps mawk
	# execaudit's end-to-end test (strace counts the syncs at exit)
	strace
)

# dpkg-query prints nothing for a package it has never seen: count the
# installed ones.
have_all() {
	local n
	n=$(dpkg-query -W -f='${Status}\n' "${pkgs[@]}" linux-source-6.12 2>/dev/null |
		grep -c '^install ok installed$')
	[ "$n" -eq $((${#pkgs[@]} + 1)) ]
}

if have_all && [ "$(dpkg-query -W -f='${Version}' linux-source-6.12)" = "$want" ]; then
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
apt-get install -y -qq --no-install-recommends --allow-downgrades \
	"${pkgs[@]}" "$src" >/dev/null
