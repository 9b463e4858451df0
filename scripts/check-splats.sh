#!/bin/bash
# Fail when a console log shows a kernel splat, as upstream BPF CI does.
# Usage: check-splats.sh CONSOLE_LOG
set -uo pipefail
pat='WARNING:|BUG:|INFO: possible|INFO: task .* blocked|rcu: INFO:|'
pat+='self-detected stall|detected stalls|possible recursive locking|'
pat+='circular locking dependency|suspicious RCU usage|inconsistent lock state|'
pat+='KASAN:|UBSAN:|sleeping function called from invalid context|'
pat+='Kernel panic|Oops|general protection fault|Call Trace:'
if grep -En "$pat" "$1" >/dev/null; then
	echo "check-splats: kernel splat in $1:" >&2
	grep -En -m 20 "$pat" "$1" >&2
	exit 1
fi
