#!/bin/bash
# Run the series' benchmarks in one VM boot and print their tables.
# Usage: bench.sh BZIMAGE SELFTESTS_OUT RESULTS_DIR
# Environment: SYNC_SAMPLES (samples per mode of sync-map-access, default
#   100), SYNC_SECS (how long that benchmark runs, default 90), COPY_SECS
#   (seconds per dynptr-copy run, default 5), COPY_REPS (rounds, default 5).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 st=$(realpath "$2") res=$(realpath -m "$3")
[ -x "$st/bench" ] || die "no bench in $st: run 'make selftests' first"
mkdir -p "$res"
log=$res/bench.log
rm -f "$log"

# -q: no per-second progress; each table comes from report_final.
# Threads are pinned (producer on CPU 0, consumer on CPU 1): under TCG a
# thread that migrates between vCPUs pays emulated IPIs and wakeups, which
# swamped the expedited wait (p50 0.3-2 ms unpinned, mostly 0.3-0.4 ms pinned).
runs=("./bench -q -w1 -p1 --prod-affinity 0 -d ${SYNC_SECS:-90} sync-map-access --sync-samples ${SYNC_SAMPLES:-100}")
# dynptr-copy: COPY_REPS rounds; in each, the two paths run back to back
# at each size, in alternating order, so that both see the same machine.
# The table shows the median of the rounds.
for ((rep = 0; rep < ${COPY_REPS:-5}; rep++)); do
	for size in 64 512 4096 65536; do
		paths="dynptr fixed"
		[ $((rep % 2)) -eq 0 ] || paths="fixed dynptr"
		for path in $paths; do
			runs+=("./bench -q -w1 -p1 -c1 --prod-affinity 0 --cons-affinity 1 -d ${COPY_SECS:-5} dynptr-copy-$path --dynptr-copy-size $size")
		done
	done
done
# &&: a benchmark that fails fails the run; with ";" only the last status counted.
cmd="set -o pipefail"
for r in "${runs[@]}"; do
	cmd+=" && $r 2>&1 | tee -a $log"
done

rc=0
vm=$(realpath "$(dirname "$0")/vm.sh")
(cd "$st" && timed "bench in VM" "$vm" "$kernel" "$res" "$cmd") || rc=$?

echo "== sync-map-access (µs, QEMU TCG, 2 vCPUs)"
awk '/^mode /,/^normal, sleepable blocked \/ normal/' "$log" 2>/dev/null || true
echo
echo "== dynptr-copy: user memory into a ring buffer (records/s, median of rounds, QEMU TCG, 2 vCPUs)"
awk '/^Summary: dynptr-copy-/ {
	size = $4; sub(":", "", size); k = $2 SUBSEP size
	rate[k, ++cnt[k]] = $5
	if (!(size in seen)) { seen[size] = 1; order[n++] = size }
}
function median(k,    i, j, t, c, v) {
	c = cnt[k]
	for (i = 1; i <= c; i++) v[i] = rate[k, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
}
END {
	printf "%8s %14s %14s %9s %6s\n", "bytes", "dynptr", "fixed", "ratio", "runs"
	for (i = 0; i < n; i++) {
		s = order[i]; d = median("dynptr-copy-dynptr" SUBSEP s); f = median("dynptr-copy-fixed" SUBSEP s)
		printf "%8s %14.1f %14.1f %9s %6d\n", s, d, f, (f > 0 ? sprintf("%.3f", d / f) : "-"), cnt["dynptr-copy-dynptr" SUBSEP s]
	}
}' "$log" 2>/dev/null || true
echo "results: $log (console: $res/console.log)"
[ $rc -eq 0 ] || die "bench failed (status $rc): see $log and $res/console.log"
