#!/bin/bash
# Replay on the host the runs of upstream tests that test.sh recorded in
# the VM with LIBBPF_RECORD_DIR: RECORD_DIR/TEST/*.rec, one directory per
# test of LIST. Each test must have passed (TEST.log there), recorded at
# least one run, and every run of every file must replay.
# Prints TAP-like "ok N - ..." / "not ok N - ..." lines.
# Usage: replay-upstream.sh RECORD_DIR BPFREPLAY LIST
set -uo pipefail
dir=$1 replay=$2 list=$3
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

while read -r t; do
	log=$dir/$t.log
	# TEST or TEST/SUBTEST
	if grep -Eq "^#[0-9]+(/[0-9]+)? +$t:OK" "$log" 2>/dev/null; then
		ok "$t passes recorded"
	else
		notok "$t passes recorded (see $log)"
	fi
	runs=0 files=0 bad=0
	for f in "$dir/$t"/*.rec; do
		[ -e "$f" ] || continue
		files=$((files + 1))
		if out=$("$replay" check "$f" 2>&1); then
			r=$(sed -n 's/.*: \([0-9]*\) runs replayed.*/\1/p' <<<"$out")
			runs=$((runs + ${r:-0}))
		else
			bad=$((bad + 1))
			notok "$t: $out"
		fi
	done
	if [ $bad -eq 0 ] && [ $runs -gt 0 ]; then
		ok "$t: $runs runs of $files programs replayed"
	elif [ $bad -eq 0 ]; then
		notok "$t: no run recorded ($files programs)"
	fi
done < <(sed 's/#.*//' "$list" | awk 'NF {print $1}')
