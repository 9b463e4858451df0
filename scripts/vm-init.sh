#!/bin/bash
# PID 1 of the test VM. The host root is the read-only 9p root; this mounts
# the pseudo filesystems, tmpfs on /run and /mnt, copy-on-write overlays
# over /tmp, /var/tmp and the VM_RW directories, and the writable run
# directory. Then it runs VM_OUT/cmd (or an interactive shell), writes its
# status to VM_OUT/status and powers off.
# The kernel passes VM_OUT, VM_CWD and VM_RW (colon-separated) as environment.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=${TERM:-linux}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# devtmpfs lacks these; bash's process substitution needs /dev/fd.
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin
ln -s fd/1 /dev/stdout
ln -s fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /mnt
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpffs /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname bpf-vm
ip link set lo up

# Writable copies-on-write of read-only host directories, their upper
# layers in the tmpfs on /mnt. /tmp and /var/tmp keep the host's files (a
# clone of the repo may live there) and take the guest's writes.
IFS=: read -ra rw <<<"/tmp:/var/tmp:${VM_RW:-}"
for d in "${rw[@]}"; do
	[ -n "$d" ] || continue
	u=/mnt/.overlay/$(echo "$d" | tr / _)
	mkdir -p "$u/upper" "$u/work"
	mount -t overlay overlay \
		-o "lowerdir=$d,upperdir=$u/upper,workdir=$u/work" "$d"
done

# The run directory, writable at its host path (after the overlays, as it
# may lie below one of them).
mkdir -p "$VM_OUT"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "$VM_OUT"

cd "${VM_CWD:-/}"
if [ -f "$VM_OUT/cmd" ]; then
	bash "$VM_OUT/cmd"
	echo $? >"$VM_OUT/status"
else
	setsid bash -c 'exec bash -i <>/dev/ttyS0 >&0 2>&1'
fi
sync
busybox reboot -f
