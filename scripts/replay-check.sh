#!/bin/bash
# Replay, outside the VM, the record files that test_progs' record test
# wrote, and check that a replay that diverges says where: each file must
# replay with "bpfreplay check"; with one byte of a recorded load flipped,
# or one item dropped, "check" must fail and name the instruction; with the
# stack bytes of a call dropped (bpf_copy_from_user()'s, or what a call
# wrote through a global function's argument into its caller's stack), it
# must fail where they are read; with a
# callback's invocation dropped, at the helper call that made it, and with
# its return value changed, at its exit; with a taken tail call's item
# dropped, at the bpf_tail_call(); with an extension's R2 at entry
# changed, at its first store. Each divergence must also name its
# source line, from the file's line info and BTF.
# Prints TAP-like "ok N - ..." / "not ok N - ..." lines.
# Usage: replay-check.sh RECORD_DIR BPFREPLAY
set -uo pipefail
dir=$1 replay=$2
mutate="$(dirname "$0")/../tests/replay_mutate.py"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

files=("$dir"/*.rec)
[ -e "${files[0]}" ] || { notok "no record files in $dir"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${files[@]}"; do
	name=$(basename "$f" .rec)
	if out=$("$replay" check "$f" 2>&1); then
		ok "$name: $out"
	else
		notok "$name replays: $out"
	fi
	modes="flip drop"
	# what bpf_copy_from_user() wrote comes from the record alone
	[ "$name" != user ] || modes+=" dropmem"
	# and what a call wrote into the caller's stack through a global
	# function's argument
	[ "$name" != stack_mem ] || modes+=" droplastmem"
	# a callback invocation missed, a callback's return value changed
	[ "$name" != callbacks ] || modes+=" dropcb flipret"
	# a load in the run of a timer or bpf_wq callback, changed or missed
	[ "$name" != async ] || modes+=" flipasync dropasync"
	# an extension's second argument (R2 at entry), changed
	[ "$name" != extension ] || modes+=" flipreg2"
	# the program a tail call went on in, missed
	[ "$name" != tail_calls ] || modes+=" droptail"
	for mode in $modes; do
		got=$(python3 "$mutate" "$mode" "$f" "$tmp/$name.$mode.rec")
		case $? in
		0) ;;
		3) echo "# $name $mode: $got"; continue ;;
		*) notok "$name $mode: $got"; continue ;;
		esac
		read -r want line <<<"$got"
		out=$("$replay" check "$tmp/$name.$mode.rec" 2>&1)
		rc=$?
		pat="diverges at insn $want "
		[ "$want" != any ] || pat="diverges at insn [0-9]+ "
		# and the source line: file, line, column, function, text
		lpat="^  at [^ ]+\.c:${line:-[0-9]+}:[0-9]+ in [A-Za-z_0-9]+\(\): ."
		if [ $rc -eq 1 ] && grep -Eq "$pat" <<<"$out" && grep -Eq "$lpat" <<<"$out"; then
			ok "$name, a $mode mutation at insn $want (line ${line:-any}): $out"
		else
			notok "$name, a $mode mutation at insn $want, line ${line:-any}, not named (rc $rc): $out"
		fi
	done
done
