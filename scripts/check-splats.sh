#!/bin/bash
# Fail when a console log shows a kernel splat, as upstream BPF CI does.
# Usage: check-splats.sh CONSOLE_LOG
set -uo pipefail
pat='WARNING:|BUG:|INFO: possible|INFO: task .* blocked|rcu: INFO:|'
pat+='self-detected stall|detected stalls|possible recursive locking|'
pat+='circular locking dependency|suspicious RCU usage|inconsistent lock state|'
pat+='KASAN:|UBSAN:|sleeping function called from invalid context|'
pat+='Kernel panic|Oops|general protection fault|Call Trace:'
# dynptr_malloc/nmi and record/concurrency ask for the backtraces of all
# CPUs (sysrq-l) between two markers, "TEST: backtraces begin" and "TEST:
# backtraces end": a "Call Trace:" is expected there, any other splat is
# not.
begin=': backtraces begin'
end=': backtraces end'
hits=$(awk -v b="$begin" -v e="$end" '
	index($0, b) { wanted = 1 }
	index($0, e) { wanted = 0 }
	!(wanted && /Call Trace:/) { print NR ":" $0 }' "$1" | grep -E -m 20 "$pat")
if [ -n "$hits" ]; then
	echo "check-splats: kernel splat in $1:" >&2
	echo "$hits" >&2
	exit 1
fi
