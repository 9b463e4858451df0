#!/bin/bash
# The series' libbpf must never pass for a release of upstream's: every
# version node in libbpf.map is 6.12's own (LIBBPF_0.0.1 to LIBBPF_1.5.0) or
# the series' LIBBPF_1.5.0_SERIES, and libbpf_version.h still says 1.5.
# Upstream released LIBBPF_1.6.0 to LIBBPF_1.8.0 with other symbols: a
# binary built against them would pass ld.so's version check here and
# fail at its first call.
# Usage: check-libbpf-nodes.sh TREE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lib=$1/tools/lib/bpf
[ -f "$lib/libbpf.map" ] || die "no libbpf in $1: run 'make tree'"
bad=0
while read -r node; do
	case $node in
	LIBBPF_0.*.* | LIBBPF_1.[0-5].0 | LIBBPF_1.5.0_SERIES) ;;
	*) echo "libbpf.map: node $node is not 6.12's nor the series' own" >&2; bad=1 ;;
	esac
done < <(grep -oE '^LIBBPF_[^ ]+' "$lib/libbpf.map")
ver=$(awk '/define LIBBPF_(MAJOR|MINOR)_VERSION/ {printf "%s%s", sep, $3; sep="."}' \
	"$lib/libbpf_version.h")
[ "$ver" = 1.5 ] || { echo "libbpf_version.h says $ver, not 6.12's 1.5" >&2; bad=1; }
[ $bad -eq 0 ] || die "libbpf claims a version of upstream's (above)"
echo "libbpf: version nodes and version are 6.12's, and LIBBPF_1.5.0_SERIES"
