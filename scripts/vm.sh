#!/bin/bash
# Boot a kernel under QEMU with the host root shared read-only over 9p.
# Usage: vm.sh BZIMAGE OUTDIR [COMMAND]
#   With COMMAND: run it in the guest (cwd: the caller's), exit with its
#   status. Without: an interactive shell.
#   OUTDIR is writable in the guest at the same path; the console log is
#   OUTDIR/console.log.
# Environment: VM_TIMEOUT (seconds, default 1800), VM_MEM (default 4G),
#   VM_RW (colon-separated directories that get a tmpfs overlay),
#   VM_APPEND (more kernel parameters; a later lsm= overrides lsm=bpf).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 out=$(realpath -m "$2") cmd=${3:-}
timeout=${VM_TIMEOUT:-1800}
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel' first"
mkdir -p "$out"
rm -f "$out/cmd" "$out/status" "$out/console.log"
[ -z "$cmd" ] || printf '%s\n' "$cmd" >"$out/cmd"

init=$(realpath "$(dirname "$0")/vm-init.sh")
append="console=ttyS0 root=hostroot rootfstype=9p ro panic=-1 lsm=bpf"
append+=" rootflags=trans=virtio,version=9p2000.L,cache=loose,msize=512000"
append+=" init=$init VM_OUT=$out VM_CWD=$PWD VM_RW=${VM_RW:-} ${VM_APPEND:-}"

qemu=(qemu-system-x86_64 -nodefaults -display none -no-reboot
      -accel tcg,thread=multi -cpu max -smp 2 -m "${VM_MEM:-4G}"
      -kernel "$kernel" -append "$append"
      -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=root,mount_tag=hostroot
      -fsdev local,id=out,path="$out",security_model=none,multidevs=remap
      -device virtio-9p-pci,fsdev=out,mount_tag=out
      -chardev stdio,id=con,mux=on,signal=off,logfile="$out/console.log"
      -serial chardev:con -mon chardev=con,mode=readline)

rc=0
if [ -z "$cmd" ]; then
	"${qemu[@]}" || rc=$?
	exit $rc
fi
timeout -k 10 "$timeout" "${qemu[@]}" </dev/null || rc=$?
[ $rc -ne 124 ] || die "the VM did not finish within ${timeout}s (log: $out/console.log)"
[ $rc -eq 0 ] || die "qemu failed with status $rc (log: $out/console.log)"
[ -f "$out/status" ] || die "the guest ended without a status (log: $out/console.log)"
"$(dirname "$0")/check-splats.sh" "$out/console.log"
exit "$(cat "$out/status")"
