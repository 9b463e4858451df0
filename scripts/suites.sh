#!/bin/bash
# Run BPF CI's runners in the VM, in one boot: veristat over every BPF
# object the selftests built, test_verifier, test_maps, and the whole of
# test_progs (each test in its own process, so that one that crashes or
# hangs costs only itself). The results go to RESULTS for compare.sh.
# Usage: suites.sh BZIMAGE SELFTESTS_OUT RESULTS DENYLIST
# Environment: SUITES (default: veristat test_verifier test_maps test_progs),
#   TEST_TIMEOUT (seconds per test_progs test, default 600),
#   MAPS_TIMEOUT (seconds for test_maps, default 5400: under TCG it runs
#   for more than an hour; its log is line-buffered, so that what it
#   reached is kept when the timeout ends it, with status 124).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$(realpath "$1") st=$(realpath "$2") res=$(realpath -m "$3") deny=$(realpath "$4")
vm=$(realpath "$(dirname "$0")/vm.sh")
suites=${SUITES:-veristat test_verifier test_maps test_progs}
for s in $suites; do
	case $s in
	veristat | test_verifier | test_maps | test_progs)
		[ -x "$st/$s" ] || die "no $s in $st: run 'make suites' (it builds it)" ;;
	*) die "unknown suite '$s'" ;;
	esac
done
mkdir -p "$res"
for s in $suites; do rm -f "$res/$s".*; done

# The guest's script: each suite's output and status, and its wall time.
guest=$res/guest.sh
cat >"$guest" <<GUEST
cd $st
run() { local s=\$1 t=\$(date +%s); shift; "\$@"; echo "\$? \$((\$(date +%s) - t))" >$res/\$s.status; }
verify_all() {
	insmod ./bpf_testmod.ko 2>/dev/null
	# veristat prints notes ("Using guessed program type ...") among the
	# CSV rows: keep the rows, which have commas
	./veristat -o csv -e file,prog,verdict,duration,total_insns,total_states \\
		./*.bpf.o >$res/veristat.out 2>$res/veristat.err
	local rc=\$?
	grep , $res/veristat.out >$res/veristat.csv
	rmmod bpf_testmod 2>/dev/null
	return \$rc
}
progs_all() {
	local t rc=0
	./test_progs -l >$res/test_progs.list || return
	while read -r t; do
		timeout -k 10 ${TEST_TIMEOUT:-600} ./test_progs -a "\$t" -d@$deny \\
			>>$res/test_progs.log 2>&1
		echo "\$t \$?" >>$res/test_progs.rc
	done <$res/test_progs.list
	! grep -qv ' 0\$' $res/test_progs.rc
}
for s in $suites; do
	echo "== \$s"
	case \$s in
	veristat) run veristat verify_all ;;
	test_verifier) run test_verifier sh -c './test_verifier >$res/test_verifier.log 2>&1' ;;
	test_maps) run test_maps sh -c 'timeout -k 10 ${MAPS_TIMEOUT:-5400} stdbuf -oL -eL ./test_maps >$res/test_maps.log 2>&1' ;;
	test_progs) run test_progs progs_all ;;
	esac
	cat $res/\$s.status
done
GUEST
(cd "$st" && export VM_RW=$st VM_TIMEOUT=${VM_TIMEOUT:-14400} &&
	timed "suites in VM" "$vm" "$kernel" "$res" "bash $guest") ||
	echo "suites: the VM reported a failure or a splat (console: $res/console.log)" >&2
for s in $suites; do
	[ -f "$res/$s.status" ] || die "$s did not finish (console: $res/console.log)"
	read -r rc secs <"$res/$s.status"
	printf '[time] %-22s %4ds (status %s)\n' "$s" "$secs" "$rc" >&2
done
