#!/bin/bash
# Run test_progs in the VM with the allow/deny lists and JSON output, and
# execaudit's end-to-end test (execaudit/scenario.sh) in the same boot;
# replay on the host the runs that the record test recorded there
# (scripts/replay-check.sh); check that every allowlisted test ran, that
# nothing was skipped, and print 'N passed, N failed' (tests, subtests, the
# e2e checks and the replay checks).
# The upstream tests of tests/RECORD_UPSTREAM run once more, recorded, and
# their runs are replayed too (scripts/replay-upstream.sh).
# Usage: test.sh BZIMAGE SELFTESTS_OUT RESULTS_DIR ALLOWLIST DENYLIST EXECAUDIT BPFREPLAY
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 st=$(realpath "$2") res=$(realpath -m "$3")
allow=$(realpath "$4") deny=$(realpath "$5") tool=$(realpath -m "$6") replay=$(realpath -m "$7")
scenario=$(realpath "$(dirname "$0")/../execaudit/scenario.sh")
uplist=$(realpath "$(dirname "$0")/../tests/RECORD_UPSTREAM")
[ -x "$st/test_progs" ] || die "no test_progs in $st: run 'make selftests' first"
[ -x "$tool" ] || die "no execaudit at $tool: run 'make tool' first"
mkdir -p "$res"
rm -rf "$res/test_progs.json" "$res/test_progs.log" "$res/execaudit.log" "$res/execaudit" \
	"$res/replay.log" "$res/record-out" "$res/upstream-rec" "$res/upstream.log"

rc=0
vm=$(realpath "$(dirname "$0")/vm.sh")
# test_progs runs from its build directory, made writable by an overlay.
# The record test writes its record files where the host can read them.
cmd="BPF_RECORD_OUT=$res/record-out ./test_progs -a@$allow -d@$deny -J $res/test_progs.json 2>&1 | tee $res/test_progs.log; tp=\${PIPESTATUS[0]}"
cmd+="; echo; echo '== execaudit end-to-end'"
cmd+="; bash $scenario $tool $res/execaudit quiet 2>&1 | tee $res/execaudit.log; e2e=\${PIPESTATUS[0]}"
cmd+="; echo; echo '== upstream tests, recorded'; up=0"
cmd+="; for t in \$(sed 's/#.*//' $uplist); do mkdir -p $res/upstream-rec/\$t"
cmd+="; LIBBPF_RECORD_DIR=$res/upstream-rec/\$t ./test_progs -a \$t > $res/upstream-rec/\$t.log 2>&1 || up=1"
cmd+="; grep -E '^Summary:' $res/upstream-rec/\$t.log | sed \"s|^|\$t: |\"; done"
cmd+="; [ \$tp -eq 0 ] && [ \$e2e -eq 0 ] && [ \$up -eq 0 ]"
(cd "$st" && export VM_RW=$st && timed "tests in VM" "$vm" "$kernel" "$res" "$cmd") || rc=$?

log=$res/test_progs.log
[ -f "$log" ] || die "test_progs did not run (console: $res/console.log)"
echo
echo "== test_progs summary"
grep -E '^Summary:|^#[0-9]+(/[0-9]+)? .*:(FAIL|SKIP)' "$log" | awk '!seen[$0]++' || true

# Each allowlist entry must have run: a test line '#N name:OK|FAIL'.
missing=0
while read -r t; do
	grep -Eq "^#[0-9]+(/[0-9]+)? +${t//\*/.*}(/.*)?:(OK|FAIL|SKIP)" "$log" || {
		echo "not run: allowlisted '$t'" >&2
		missing=1
	}
done < <(sed 's/#.*//' "$allow" | awk 'NF {print $1}')

# test_progs prints failed tests, subtests included, once more at the end:
# count each '#N' or '#N/M' line once.
count() { { grep -E "^#[0-9]+(/[0-9]+)? .*:$1\$" "$log" || true; } | sort -u | wc -l; }
passed=$(count OK)
failed=$(count FAIL)
skipped=$(count SKIP)
json_ok=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["success"]+j["success_subtest"])' \
	"$res/test_progs.json" 2>/dev/null || echo none)
# A test with skipped subtests counts as passed in the JSON, not in the log.
[ "$json_ok" = "$passed" ] || [ "$skipped" -ne 0 ] || {
	echo "test_progs.json counts $json_ok passed, the log $passed" >&2
	missing=1
}
[ "$skipped" -eq 0 ] || echo "$skipped skipped: deny them in tests/DENYLIST with a reason, or fix them" >&2
# The end-to-end checks of execaudit: "ok N - ..." / "not ok N - ...".
e2e=$res/execaudit.log
grep -q '^execaudit e2e: ' "$e2e" 2>/dev/null || {
	echo "execaudit's end-to-end test did not finish (see $e2e)" >&2
	missing=1
}
e2e_ok=$({ grep -E '^ok [0-9]+ - ' "$e2e" 2>/dev/null || true; } | wc -l)
e2e_failed=$({ grep -E '^not ok [0-9]+ - ' "$e2e" 2>/dev/null || true; } | wc -l)
# The runs the record test recorded, replayed here, outside the VM
echo
echo "== replay of the recorded runs (bpfreplay)"
timed "replay checks" "$(dirname "$0")/replay-check.sh" "$res/record-out" "$replay" \
	2>&1 | tee "$res/replay.log" || true
timed "upstream replays" "$(dirname "$0")/replay-upstream.sh" "$res/upstream-rec" "$replay" \
	"$uplist" 2>&1 | tee "$res/upstream.log" || true
rp_ok=$({ grep -E '^ok [0-9]+ - ' "$res/replay.log" "$res/upstream.log" || true; } | wc -l)
rp_failed=$({ grep -E '^not ok [0-9]+ - ' "$res/replay.log" "$res/upstream.log" || true; } | wc -l)
echo "test_progs: $passed passed, $failed failed; execaudit e2e: $e2e_ok passed, $e2e_failed failed;" \
	"replay: $rp_ok passed, $rp_failed failed"
echo "results: $res (console.log, test_progs.log, test_progs.json, execaudit.log, execaudit/, replay.log)"
passed=$((passed + e2e_ok + rp_ok))
failed=$((failed + e2e_failed + rp_failed))
echo "$passed passed, $failed failed"
[ $rc -eq 0 ] && [ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] && [ $missing -eq 0 ]
