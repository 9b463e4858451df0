#!/bin/bash
# Run the series' benchmarks in one VM boot and print their tables.
# Usage: bench.sh BZIMAGE SELFTESTS_OUT RESULTS_DIR
# Environment: SYNC_SAMPLES (samples per mode of sync-map-access, default
#   100), SYNC_SECS (how long that benchmark runs, default 90).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 st=$(realpath "$2") res=$(realpath -m "$3")
[ -x "$st/bench" ] || die "no bench in $st: run 'make selftests' first"
mkdir -p "$res"
log=$res/bench.log
rm -f "$log"

# -q: no per-second progress; the table comes from report_final.
run="./bench -q -w1 -p1 -d ${SYNC_SECS:-90} sync-map-access --sync-samples ${SYNC_SAMPLES:-100}"

rc=0
vm=$(realpath "$(dirname "$0")/vm.sh")
(cd "$st" && timed "bench in VM" "$vm" "$kernel" "$res" \
	"set -o pipefail; $run 2>&1 | tee -a $log") || rc=$?

echo "== sync-map-access (µs, QEMU TCG, 2 vCPUs)"
awk '/^mode /,0' "$log" 2>/dev/null || true
echo "results: $log (console: $res/console.log)"
[ $rc -eq 0 ] || die "bench failed (status $rc): see $log and $res/console.log"
