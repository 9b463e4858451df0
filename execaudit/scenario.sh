#!/bin/bash
# The scenario of 'make run', and execaudit's end-to-end test in 'make test'.
# Runs as root on a kernel with the series and the bpf LSM (the VM).
# Usage: scenario.sh EXECAUDIT LOGDIR [quiet]
#   execaudit watches while this script execs: a few commands, an argv
#   longer than 512 bytes and one longer than 16 KiB, a denied executable,
#   rules changed at run time, and a burst of execs pinned to each CPU.
#   Then a short --json run, and the errors of bad invocations. Prints
#   "ok N - ..." / "not ok N - ..." per check and a summary; fails if any
#   check does. Without 'quiet' the tool's output streams to the terminal.
set -uo pipefail

tool=$1 logs=$2 quiet=${3:-}
[ -x "$tool" ] || { echo "scenario: no execaudit at $tool" >&2; exit 1; }
BURST=${BURST:-200}
mkdir -p "$logs"
out=$logs/execaudit.out err=$logs/execaudit.err
work=$(mktemp -d /tmp/execaudit-scenario.XXXXXX)
denied=$work/denied-true
ctl=$work/control
cp /bin/true "$denied"

n=0 failed=0
check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
		return 1
	fi
}
# wait_for FILE TEXT: until FILE holds TEXT (60 s at most).
wait_for() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "scenario: '$2' did not show in $1" >&2
	return 1
}
# has_line SUFFIX: some line of the tool's output ends with SUFFIX.
has_line() {
	S=$1 awk 'index($0, ENVIRON["S"]) && substr($0, length($0) - length(ENVIRON["S"]) + 1) == ENVIRON["S"] { f = 1 } END { exit !f }' "$out"
}
# control RULE: send a rule through the FIFO and wait until it is applied.
control() {
	echo "$1" >"$ctl"
	wait_for "$err" "rule applied: $1"
}

echo "== execaudit watches; the scenario runs"
"$tool" --interval 1 --deny "$denied" --control "$ctl" >"$out" 2>"$err" &
tool_pid=$!
# Without quiet, show the tool's output as it comes (the checks read the files).
[ -n "$quiet" ] || { tail -q -s 0.2 -n +1 -f "$out" "$err" 2>/dev/null & }
tail_pid=$!
check "execaudit starts with --deny $denied" wait_for "$err" "execaudit: watching" || {
	[ -z "$quiet" ] || cat "$err" >&2
	kill $tool_pid 2>/dev/null
	[ -n "$quiet" ] || kill $tail_pid
	echo "execaudit e2e: 0 passed, 1 failed"
	exit 1
}

/bin/true
/bin/echo hello world >/dev/null
a600=$(printf 'a%.0s' {1..600})
/bin/echo "$a600" >/dev/null
big=()
for i in $(seq -w 1 2100); do
	big+=("arg$i")
done
/bin/echo "${big[@]}" >/dev/null

"$denied" 2>"$work/denied.err"
denied_rc=$?
check "rule 'allow $denied' applied at run time" control "allow $denied"
"$denied"
allowed_rc=$?
check "rule 'max-args 512' applied at run time" control "max-args 512"
/bin/echo "$a600" >/dev/null
check "rule 'max-args 65536' applied at run time" control "max-args 65536"
/bin/echo restored "$a600" >/dev/null

pids=()
for cpu in 0 1; do
	taskset -c $cpu bash -c 'for ((i = 0; i < $2; i++)); do /bin/true burst-cpu$1-$i; done' _ $cpu "$BURST" &
	pids+=($!)
done
wait "${pids[@]}"
sleep 1
kill -INT $tool_pid
wait $tool_pid
tool_rc=$?
if [ -z "$quiet" ]; then
	sleep 1 # tail -f shows the last lines
	kill $tail_pid
	wait $tail_pid 2>/dev/null
fi

echo "== checks"
check "/bin/true recorded" has_line "/usr/bin/true [1 args, 10 bytes]: /bin/true"
check "a 2-word argv recorded" has_line "/usr/bin/echo [3 args, 22 bytes]: /bin/echo hello world"
check "an argv of 611 bytes (> 512) recorded whole" \
	has_line "/usr/bin/echo [2 args, 611 bytes]: /bin/echo $a600"
check "an argv of 2101 args, 16810 bytes (> 16 KiB) recorded whole" \
	has_line "/usr/bin/echo [2101 args, 16810 bytes]: /bin/echo ${big[*]}"
check "the exec of $denied failed with EPERM (status $denied_rc)" \
	eval '[ $denied_rc -eq 126 ] && grep -q "Operation not permitted" "$work/denied.err"'
check "the tool reported the refusal" \
	grep -Eq "^deny pid [0-9]+ ppid [0-9]+ uid 0 $denied: refused \(EPERM\)$" "$out"
allowed() {
	[ $allowed_rc -eq 0 ] && has_line "$denied [1 args, $((${#denied} + 1)) bytes]: $denied"
}
check "after 'allow' at run time the same path runs and is recorded (status $allowed_rc)" allowed
check "after 'max-args 512' at run time a longer argv is cut at 512 bytes" \
	has_line "/usr/bin/echo [2 args, 512 bytes, truncated]: /bin/echo ${a600:0:502}"
check "after 'max-args 65536' at run time the whole argv again" \
	has_line "/usr/bin/echo [3 args, 620 bytes]: /bin/echo restored $a600"
for cpu in 0 1; do
	got=$(grep -Ec "^exec pid [0-9]+ ppid [0-9]+ uid 0 /usr/bin/true \[2 args, [0-9]+ bytes\]: /bin/true burst-cpu$cpu-[0-9]+$" "$out")
	check "burst pinned to CPU $cpu: $got of $BURST execs recorded" [ "$got" -eq "$BURST" ]
done
check "execaudit exited 0 on SIGINT (status $tool_rc)" [ $tool_rc -eq 0 ]
totals=$(grep '^totals: ' "$out")
echo "$totals"
check "the totals match" grep -q ': match$' <<<"$totals"
# The totals line against the tool's own event and stats lines.
events=$(grep -c '^exec pid ' "$out")
counted=$(awk '/^stats uid / { n += $4 } END { print n + 0 }' "$out")
read -r ring drained < <(sed -E 's/^totals: ring buffer ([0-9]+) exec events .* drained statistics ([0-9]+) execs .*/\1 \2/' <<<"$totals")
check "the totals count the $events exec lines and the $counted execs of the stats lines" \
	[ "$ring" = "$events" -a "$drained" = "$counted" ]
check "no event lost" eval '! grep -q "lost" "$err"'

echo "== --json, stopped by SIGTERM"
json=$logs/execaudit.json
"$tool" --json >"$json" 2>"$logs/execaudit-json.err" &
tool_pid=$!
wait_for "$logs/execaudit-json.err" "execaudit: watching" >/dev/null
/bin/echo 'a b' 'q"uote' $'tab\there' 'back\slash' '' >/dev/null
kill -TERM $tool_pid
wait $tool_pid
check "execaudit --json exited 0 on SIGTERM" [ $? -eq 0 ]
check "every line is a JSON object; the argv and the totals are exact" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
want = ["/bin/echo", "a b", "q\"uote", "tab\there", "back\\slash", ""]
ev = [l for l in lines if l["type"] == "exec" and l["argv"] == want]
t = lines[-1]
execs = sum(1 for l in lines if l["type"] == "exec")
assert len(ev) == 1 and ev[0]["args_bytes"] == 42 and not ev[0]["truncated"], ev
assert t["type"] == "totals" and t["match"] and t["exec_events"] == execs == t["stats_execs"], t
' "$json"

echo "== errors"
# expect STATUS MESSAGE CMD...: CMD exits with STATUS and says MESSAGE.
expect() {
	local status=$1 msg=$2 rc
	shift 2
	"$@" >"$work/o" 2>"$work/e"
	rc=$?
	[ $rc -eq "$status" ] && grep -qF -- "$msg" "$work/e" ||
		{ echo "  status $rc, said: $(cat "$work/e")"; return 1; }
}
check "--deny with a relative path" expect 2 "execaudit: --deny bin/x: give an absolute path" \
	"$tool" --deny bin/x
check "--max-args above 1M" expect 2 "execaudit: --max-args 2M: at most 1M" "$tool" --max-args 2M
check "an unknown option" expect 2 "Try 'execaudit --help'." "$tool" --bogus
# A copy that user nobody can reach.
cp "$tool" "$work/execaudit"
chmod 755 "$work" "$work/execaudit"
check "not root" expect 1 "execaudit: must run as root" \
	setpriv --reuid 65534 --regid 65534 --clear-groups "$work/execaudit"
# expect_over FILE TARGET MESSAGE: with FILE bound over TARGET, execaudit
# exits with 1 and says MESSAGE.
expect_over() {
	local rc
	mount --bind "$1" "$2" || return 1
	expect 1 "$3" "$tool"
	rc=$?
	umount "$2"
	return $rc
}
# The active LSMs as a kernel booted without the bpf LSM lists them.
echo capability >"$work/lsm"
check "no bpf LSM" expect_over "$work/lsm" /sys/kernel/security/lsm \
	"execaudit: the bpf LSM is not active (active: capability): boot with lsm=capability,bpf on the kernel command line"
# A kernel without the series: its BTF lacks the series' kfuncs. A raw BTF
# holding just "int" stands in for /sys/kernel/btf/vmlinux.
python3 -c '
import struct, sys
strs = b"\0int\0"
types = struct.pack("<IIII", 1, 1 << 24, 4, 32)
hdr = struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
open(sys.argv[1], "wb").write(hdr + types + strs)
' "$work/btf"
check "a kernel without the series" expect_over "$work/btf" /sys/kernel/btf/vmlinux \
	"lacks bpf_copy_from_user_dynptr(): it was built without the BPF series this tool needs"
check "--help" eval '"$tool" --help | grep -q "^Usage: execaudit"'

rm -rf "$work"
echo "execaudit e2e: $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
