#!/bin/bash
# make run: boot the series' kernel and run execaudit's scenario in it
# (execaudit/scenario.sh), the tool's output streaming to the terminal.
# Fails if any check of the scenario fails.
# Usage: run.sh BZIMAGE EXECAUDIT OUTDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 tool=$(realpath -m "$2") out=$(realpath -m "$3")
[ -x "$tool" ] || die "no execaudit at $tool: run 'make tool' first"
scenario=$(realpath "$(dirname "$0")/../execaudit/scenario.sh")
timed "scenario in VM" "$(dirname "$0")/vm.sh" "$kernel" "$out" \
	"bash $scenario $tool $out"
echo "logs: $out (execaudit.out, execaudit.err, execaudit.json, execaudit-flood.out, execaudit-pin.out, console.log)"
