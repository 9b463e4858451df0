#!/bin/bash
# Compare what suites.sh measured on the base and on the series: no program
# the base verifies may be refused, and no test that passes on the base may
# fail; veristat's moves above 5% are listed to be explained. Writes the
# summary to OUT and prints it; fails on any regression.
# Usage: compare.sh BASE_RESULTS SERIES_RESULTS VERISTAT OUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$1 ser=$2 veristat=$3 out=$4
export LC_ALL=C	# one collation for sort, join and comm
exec > >(tee "$out")
bad=0

# "#N name:STATUS" and "#N/M name/sub:STATUS" of test_progs as
# "name<TAB>STATUS", once each.
tp_results() { sed -nE 's/^#[0-9]+(\/[0-9]+)? (.*):(OK|FAIL|SKIP)$/\2\t\3/p' "$1" | sort -u; }
# test_verifier's descriptions repeat: its number is part of the name.
tv_results() { sed -nE 's/^(#[0-9]+\/[up]) (.*) (OK|FAIL|SKIP)$/\1 \2\t\3/p' "$1" | sort -u; }
count() { awk -F'\t' -v s="$2" '$2 == s' "$1" | wc -l; }

# regressions WHAT BASE SERIES: passed on the base, not on the series.
regressions() {
	local what=$1 b=$2 s=$3 n
	echo "$what: base $(count "$b" OK) passed, $(count "$b" FAIL) failed," \
	     "$(count "$b" SKIP) skipped; series $(count "$s" OK) passed," \
	     "$(count "$s" FAIL) failed, $(count "$s" SKIP) skipped"
	n=$(join -t $'\t' <(awk -F'\t' '$2 == "OK"' "$b" | cut -f1) \
		<(awk -F'\t' '$2 != "OK"' "$s" | cut -f1 | sort) | tee /dev/stderr | wc -l)
	# a test that passed on the base and did not run on the series
	n=$((n + $(comm -23 <(awk -F'\t' '$2 == "OK"' "$b" | cut -f1) <(cut -f1 "$s" | sort) |
		sed 's/^/not run on the series: /' | tee /dev/stderr | wc -l)))
	echo "$what: $n passed on the base and not on the series"
	echo "$what: fixed by the series (failed on the base): $(join -t $'\t' \
		<(awk -F'\t' '$2 == "FAIL"' "$b" | cut -f1) \
		<(awk -F'\t' '$2 == "OK"' "$s" | cut -f1 | sort) | wc -l)"
	[ "$n" -eq 0 ] || bad=1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$base/veristat.csv" ] && [ -f "$ser/veristat.csv" ]; then
	echo "== veristat"
	"$veristat" -C -e file,prog,verdict,total_insns,total_states \
		"$base/veristat.csv" "$ser/veristat.csv" >"$(dirname "$out")/veristat-compare.txt" || true
	# file,prog,verdict,duration,total_insns,total_states
	awk -F, 'function moved(a, b) { return a > 0 && ((b - a) * 100 > 5 * a || (a - b) * 100 > 5 * a) }
	FNR == 1 { next }
	FILENAME == ARGV[1] { v[$1 "/" $2] = $3; i[$1 "/" $2] = $5; s[$1 "/" $2] = $6; next }
	{
		k = $1 "/" $2
		if (!(k in v)) { new++; next }
		both++
		if (v[k] == "success" && $3 != "success") { print "refused on the series: " k; reg++ }
		if (v[k] == "success" && $3 == "success") {
			ok++; bi += i[k]; si += $5; bs += s[k]; ss += $6
			if (moved(i[k], $5))
				printf "insns %+.1f%%: %s (%d -> %d)\n", ($5 - i[k]) * 100 / i[k], k, i[k], $5
			if (moved(s[k], $6))
				printf "states %+.1f%%: %s (%d -> %d)\n", ($6 - s[k]) * 100 / s[k], k, s[k], $6
		}
		if (v[k] != "success" && $3 == "success") fixed++
	}
	END {
		printf "veristat: %d programs in both, %d verified by both, %d refused by the series only, %d verified by the series only, %d new in the series\n", both, ok, reg, fixed, new
		printf "veristat: insns processed %d -> %d (%+.2f%%), states %d -> %d (%+.2f%%)\n", bi, si, bi ? (si - bi) * 100 / bi : 0, bs, ss, bs ? (ss - bs) * 100 / bs : 0
		exit reg > 0
	}' "$base/veristat.csv" "$ser/veristat.csv" || bad=1
fi

if [ -f "$base/test_verifier.log" ] && [ -f "$ser/test_verifier.log" ]; then
	echo "== test_verifier"
	tv_results "$base/test_verifier.log" >"$tmp/tv.base"
	tv_results "$ser/test_verifier.log" >"$tmp/tv.ser"
	grep -h '^Summary:' "$base/test_verifier.log" "$ser/test_verifier.log" | sed '1s/^/base: /;2s/^/series: /'
	regressions test_verifier "$tmp/tv.base" "$tmp/tv.ser"
fi

# test_maps has no per-test results: its steps are the "Fork N tasks to
# 'x'" lines of the stress tests and the "name:PASS" lines of map_tests.
# Under TCG it may not end within MAPS_TIMEOUT (status 124): then only
# the steps both reached compare. A failure (any other non-zero status)
# on the series where the base passed or timed out, or a timeout where
# the base passed, is a regression.
maps_steps() { grep -E "^(Fork [0-9]+ tasks to '.*'|[a-z_0-9]+:PASS)$" "$1" | sort -u; }
if [ -f "$base/test_maps.status" ] && [ -f "$ser/test_maps.status" ]; then
	echo "== test_maps"
	read -r rb tb <"$base/test_maps.status"
	read -r rs ts <"$ser/test_maps.status"
	maps_steps "$base/test_maps.log" >"$tmp/tm.base"
	maps_steps "$ser/test_maps.log" >"$tmp/tm.ser"
	echo "test_maps: base status $rb in ${tb}s, $(wc -l <"$tmp/tm.base") steps ($(tail -n1 "$base/test_maps.log"))"
	echo "test_maps: series status $rs in ${ts}s, $(wc -l <"$tmp/tm.ser") steps ($(tail -n1 "$ser/test_maps.log"))"
	comm -23 "$tmp/tm.base" "$tmp/tm.ser" | sed 's/^/test_maps: reached on the base only: /'
	if [ "$rs" -ne 0 ] && { [ "$rb" -eq 0 ] || { [ "$rb" -eq 124 ] && [ "$rs" -ne 124 ]; }; }; then
		echo "test_maps: status $rs on the series where the base has $rb"
		bad=1
	fi
	[ "$rb" -ne 124 ] && [ "$rs" -ne 124 ] ||
		echo "test_maps: a timeout (status 124): compared on the steps reached"
fi

if [ -f "$base/test_progs.log" ] && [ -f "$ser/test_progs.log" ]; then
	echo "== test_progs (all of it)"
	tp_results "$base/test_progs.log" >"$tmp/tp.base"
	tp_results "$ser/test_progs.log" >"$tmp/tp.ser"
	regressions test_progs "$tmp/tp.base" "$tmp/tp.ser"
fi
[ $bad -eq 0 ] && echo "compare: no regression" || echo "compare: regressions above"
exit $bad
