#!/bin/bash
# Run the series' benchmarks in one VM boot and print their tables.
# Usage: bench.sh BZIMAGE SELFTESTS_OUT RESULTS_DIR BPFREPLAY
# Environment: SYNC_SAMPLES (samples per mode of sync-map-access, default
#   100), SYNC_SECS (how long that benchmark runs, default 90), COPY_SECS
#   (seconds per dynptr-copy run, default 5), COPY_REPS (rounds, default 6),
#   MALLOC_SECS (seconds per dynptr-malloc run, default 5), MALLOC_REPS
#   (rounds, default 3), RECORD_SECS (seconds per record run, default 4),
#   RECORD_REPS (rounds, default 12).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 st=$(realpath "$2") res=$(realpath -m "$3") replayer=$4
[ -x "$st/bench" ] || die "no bench in $st: run 'make selftests' first"
[ -x "$replayer" ] || die "no bpfreplay at $replayer: run 'make replayer' first"
mkdir -p "$res"
rm -rf "$res/record"
mkdir -p "$res/record"
log=$res/bench.log
rm -f "$log"

# -q: no per-second progress; each table comes from report_final.
# Threads are pinned (producer on CPU 0, consumer on CPU 1): under TCG a
# thread that migrates between vCPUs pays emulated IPIs and wakeups, which
# swamped the expedited wait (p50 0.3-2 ms unpinned, mostly 0.3-0.4 ms pinned).
# sync-map-access compares with a bare RCU tasks trace grace period, which
# bpf_testmod.ko waits for on a write to a sysfs file.
runs=("busybox insmod ./bpf_testmod.ko"
      "./bench -q -w1 -p1 --prod-affinity 0 -d ${SYNC_SECS:-90} sync-map-access --sync-samples ${SYNC_SAMPLES:-100}")
# dynptr-copy: the paired mode runs both paths in one process, in turns
# of a few syscalls each, so that both see the same machine at the same
# time (separate runs moved by more than the difference between the
# paths). COPY_REPS rounds, the paths' syscalls swapped every other round.
for ((rep = 0; rep < ${COPY_REPS:-6}; rep++)); do
	swap=
	[ $((rep % 2)) -eq 0 ] || swap=--dynptr-copy-swap
	for size in 64 512 4096 65536; do
		runs+=("./bench -q -w1 -p1 -c1 --prod-affinity 0 --cons-affinity 1 -d ${COPY_SECS:-5} dynptr-copy-paired --dynptr-copy-size $size $swap")
	done
done
# dynptr-malloc: the shell moves into cgroup bench-a, so that the default
# charge goes to a memory cgroup (the root is not charged), and the named
# one is bench-b. MALLOC_REPS rounds of each size.
runs+=("echo +memory > /sys/fs/cgroup/cgroup.subtree_control"
       "mkdir -p /sys/fs/cgroup/bench-a /sys/fs/cgroup/bench-b"
       "echo \$\$ > /sys/fs/cgroup/bench-a/cgroup.procs")
for ((rep = 0; rep < ${MALLOC_REPS:-3}; rep++)); do
	for size in 64 4096 65536; do
		runs+=("./bench -q -w1 -p1 --prod-affinity 0 -d ${MALLOC_SECS:-5} dynptr-malloc --dynptr-malloc-size $size --dynptr-malloc-memcg /sys/fs/cgroup/bench-b")
	done
done
# record: plain, recordable and recording copies of three programs in
# turns. Under TCG two equal copies differ by where they were loaded, by up
# to 5% in a round for test runs and 20% for the trampoline's programs:
# each round loads them anew, each copy first in turn (--record-first), and
# the table gives the medians over the rounds. The last round leaves its
# first recorded runs in $res/record for bpfreplay.
for ((rep = 0; rep < ${RECORD_REPS:-12}; rep++)); do
	runs+=("./bench -q -w1 -p1 -c1 --prod-affinity 0 --cons-affinity 1 -d ${RECORD_SECS:-4} record --record-first $((rep % 4)) --record-out $res/record")
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
awk '/^mode /,/^normal, sleepable blocked \/ normal/' "$log" || true
echo
echo "== dynptr-copy: user memory into a ring buffer (records/s, paired runs, medians of rounds, QEMU TCG, 2 vCPUs)"
# Summary: dynptr-copy-paired size 64, dynptr path on getpgid: dynptr R
#   records/s, fixed R records/s, ratio R (per second M ± S), drops D/s
awk '/^Summary: dynptr-copy-paired / {
	size = $4; sub(",", "", size); n = ++cnt[size]
	d[size, n] = $10; f[size, n] = $13; r[size, n] = $16
	if ($(NF) + 0 > maxdrops[size]) maxdrops[size] = $(NF) + 0
	if (!(size in seen)) { seen[size] = 1; order[m++] = size }
}
# median() also leaves the smallest and largest value in lo and hi
function median(a, s, c,    i, j, t, v) {
	for (i = 1; i <= c; i++) v[i] = a[s, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	lo = v[1]; hi = v[c]
	return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
}
END {
	printf "%8s %12s %12s %7s %13s %6s %7s\n", "bytes", "dynptr", "fixed", "ratio", "ratio range", "runs", "drops/s"
	for (i = 0; i < m; i++) {
		s = order[i]; c = cnt[s]
		dm = median(d, s, c); fm = median(f, s, c); rm = median(r, s, c)  # lo, hi: ratio
		printf "%8s %12.1f %12.1f %7.3f %6.3f-%.3f %6d %7.1f\n", s, dm, fm, rm, lo, hi, c, maxdrops[s]
	}
}' "$log" || true
echo
echo "== dynptr-malloc: bpf_dynptr_alloc() + bpf_dynptr_put() (allocations/s, medians of rounds, QEMU TCG, 2 vCPUs)"
# Summary: dynptr-malloc size 64: atomic R/s atomic-memcg R/s sleepable R/s
#   sleepable-memcg R/s obj_new R/s, atomic/obj_new X, ..., failed N
awk '/^Summary: dynptr-malloc size / {
	size = $4; sub(":", "", size); n = ++cnt[size]
	if (!(size in seen)) { seen[size] = 1; order[m++] = size }
	for (i = 5; i < NF; i++) {
		if ($(i + 1) ~ /\/s,?$/ && $i !~ /\//) { v = $(i + 1); sub("/s,?", "", v); val[size, $i, n] = v; names[$i] = 1 }
		if ($i == "atomic/obj_new") { v = $(i + 1); sub(",", "", v); val[size, "atomic/obj_new", n] = v }
		if ($i == "memcg/default") { v = $(i + 1); sub(",", "", v); val[size, $(i - 1) " memcg/default", n] = v }
	}
}
function median(size, key, c,    i, j, t, v) {
	for (i = 1; i <= c; i++) v[i] = val[size, key, i]
	if (v[1] == "") return "-"
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
}
END {
	split("atomic atomic-memcg sleepable sleepable-memcg obj_new atomic/obj_new", cols, " ")
	cols[7] = "atomic memcg/default"; cols[8] = "sleepable memcg/default"
	printf "%6s %10s %12s %10s %15s %10s %14s %13s %16s %5s\n", "bytes", "atomic", "atomic-memcg", "sleepable", "sleepable-memcg", "obj_new", "atomic/obj_new", "atomic memcg/", "sleepable memcg/", "runs"
	for (i = 0; i < m; i++) {
		s = order[i]
		printf "%6s", s
		for (k = 1; k <= 8; k++) printf " %*s", (k == 1 ? 10 : k == 2 ? 12 : k == 3 ? 10 : k == 4 ? 15 : k == 5 ? 10 : k == 6 ? 14 : k == 7 ? 13 : 16), median(s, cols[k], cnt[s])
		printf " %5d\n", cnt[s]
	}
}' "$log" || true
echo
echo "== record: time per run of copies loaded normally (plain, plain2), recordable and not recording, and recording (ns, medians of rounds, QEMU TCG, 2 vCPUs)"
# Summary: record small: plain X ns/run, plain2 X ns/run, recordable X ns/run,
#   recording X ns/run, plain2/plain A, recordable/plain B, recording/recordable C,
#   runs N, recorded M, lost L
awk '/^Summary: record / {
	p = $3; sub(":", "", p); n = ++cnt[p]
	if (!(p in seen)) { seen[p] = 1; order[m++] = p }
	v[p, "plain", n] = $5; v[p, "plain2", n] = $8; v[p, "recordable", n] = $11
	v[p, "recording", n] = $14
	for (k = 17; k <= 21; k += 2) { x = $k; sub(",", "", x); v[p, k, n] = x }
	if ($27 + 0 > lost[p]) lost[p] = $27 + 0
}
function median(p, k, c,    i, j, t, x) {
	for (i = 1; i <= c; i++) x[i] = v[p, k, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
	lo = x[1]; hi = x[c]
	return c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
}
END {
	printf "%-9s %7s %7s %10s %9s %19s %22s %22s %4s %5s\n", "program", "plain", "plain2", "recordable", "recording", "plain2/plain", "recordable/plain", "recording/recordable", "runs", "lost"
	for (i = 0; i < m; i++) {
		p = order[i]; c = cnt[p]
		printf "%-9s %7.1f %7.1f %10.1f %9.1f", p, median(p, "plain", c), median(p, "plain2", c), median(p, "recordable", c), median(p, "recording", c)
		for (k = 17; k <= 21; k += 2) { r = median(p, k, c); printf " %7.3f (%.3f-%.3f)", r, lo, hi }
		printf " %4d %5d\n", c, lost[p]
	}
}' "$log" || true
echo
echo "== bpfreplay: instructions replayed per second (host, runs recorded by the last record round)"
for f in "$res"/record/*.rec; do
	[ -e "$f" ] || { rc=1; echo "no record files in $res/record"; break; }
	"$replayer" check -t -n "${REPLAY_TIMES:-200}" "$f" | tail -1 || rc=1
done
echo "results: $log (console: $res/console.log)"
[ $rc -eq 0 ] || die "bench failed (status $rc): see $log and $res/console.log"
