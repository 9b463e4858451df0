#!/bin/bash
# The scenario of 'make run', and execaudit's end-to-end test in 'make test'.
# Runs as root on a kernel with the series and the bpf LSM (the VM); the
# hash rules need a kernel with IMA as well.
# Usage: scenario.sh EXECAUDIT LOGDIR [quiet]
#   execaudit watches while this script execs: a few commands, an argv
#   longer than 512 bytes and one longer than 16 KiB, a denied file and
#   the ways around a rule an unprivileged user has (hard link, rename,
#   the loader, mmap and mprotect with PROT_EXEC, a bind mount in a user
#   namespace, a long path, a copy, memfd + fexecve, a file rewritten
#   through a shared mapping after its verdict was cached), failed execs,
#   rules changed at run time, and a burst of execs pinned to each CPU.
#   Then a --json run (the record's fields, non-ASCII argv), a flood that
#   fills the ring buffer, a run under load (the control FIFO served
#   between batches, execs read while a sync waits for a long hash),
#   --pin, and the errors of bad invocations. Prints
#   "ok N - ..." / "not ok N - ..." per check and a summary; fails if any
#   check does. Without 'quiet' the tool's output streams to the terminal.
set -uo pipefail

tool=$1 logs=$2 quiet=${3:-}
[ -x "$tool" ] || { echo "scenario: no execaudit at $tool" >&2; exit 1; }
man=$(dirname "$(realpath "$0")")/execaudit.8
BURST=${BURST:-200}
FLOOD=${FLOOD:-150}
mkdir -p "$logs"
out=$logs/execaudit.out err=$logs/execaudit.err
# A tmpfs of its own: files whose identity nothing else shares.
work=$(mktemp -d /tmp/execaudit-scenario.XXXXXX)
mount -t tmpfs -o mode=755 tmpfs "$work"
u=$work/u	# the unprivileged user's directory
mkdir "$u" "$work/bind"
chown 65534:65534 "$u" "$work/bind"
ctl=$work/control
denied=$u/denied
cp /bin/true "$denied"
chown 65534:65534 "$denied"
# Content of its own for the hash rule: /bin/true with bytes after its end.
hashed=$work/hashed
{ cat /bin/true; echo "execaudit: content denied by hash"; } >"$hashed"
chmod 755 "$hashed"
# Content allowed, of the same size.
passes=$work/passes
{ cat /bin/true; echo "execaudit: content passes by hash"; } >"$passes"
chmod 755 "$passes"
sha=$(sha256sum "$hashed" | cut -d' ' -f1)

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
# has_line SUFFIX [FILE]: some line of the tool's output ends with SUFFIX.
has_line() {
	S=$1 awk 'index($0, ENVIRON["S"]) && substr($0, length($0) - length(ENVIRON["S"]) + 1) == ENVIRON["S"] { f = 1 } END { exit !f }' "${2:-$out}"
}
# control RULE: send a rule through the FIFO as a plain writer does, and
# wait until it is applied.
control() {
	echo "$1" >"$ctl"
	wait_for "$err" "rule applied: $1"
}
nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
# nobody with CAP_SYS_TIME, to set the clock back (see probe.py).
nobody_time() {
	setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps +sys_time \
		--ambient-caps +sys_time "$@"
}
# pause SECS: sleep without an exec.
mkfifo "$work/pause"
pause() { read -rt "$1" <>"$work/pause"; }
# try NAME CMD...: run CMD, keep its status and stderr as $NAME_rc, $work/NAME.err.
try() {
	local name=$1
	shift
	"$@" >"$work/$name.out" 2>"$work/$name.err"
	printf -v "${name}_rc" '%d' $?
}
# failed_with NAME STATUS MESSAGE: try NAME ended with STATUS, saying MESSAGE.
failed_with() {
	local rc=${1}_rc
	[ "${!rc}" -eq "$2" ] && grep -qF -- "$3" "$work/$1.err" ||
		{ echo "  status ${!rc}, said: $(cat "$work/$1.err")"; return 1; }
}
# printed NAME WORD: try NAME printed WORD (the helper's errno name).
printed() { [ "$(cat "$work/$1.out")" = "$2" ] || { echo "  printed: $(cat "$work/$1.out" "$work/$1.err")"; return 1; }; }
# refused PATH ERRNO HOOK REASON: the tool recorded that refusal.
# Only refusal records count: an exec record's argv may hold the same text
# (this very grep's, when the tool still watches).
refused() { grep -F -- " $1: refused ($2) at $3, $4" "$out" | grep -q '^deny ' || { echo "  no refusal of $1 ($2 at $3, $4) in $out"; return 1; }; }
# What an unprivileged user does with a file it may read: map it with
# PROT_EXEC, map it and mprotect it to PROT_EXEC, or load it into a memfd
# and fexecve or map that; or, with a file it may write, write another
# file's content into it through a shared mapping. Prints ok or the
# errno's name.
cat >"$work/probe.py" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
READ, EXEC, PRIVATE, FAILED = 1, 4, 2, ctypes.c_void_p(-1).value
op, path = sys.argv[1], sys.argv[2]
def err(e=None):
    print(errno.errorcode[e if e is not None else ctypes.get_errno()])
    sys.exit()
def same_ctime_write(fd, data):
    # Write data through a shared mapping of fd with the clock set back to
    # the file's ctime: the write leaves ctime as it was, as any write does
    # within the clock tick of the file's last change. A tick between the
    # clock's setting and a write fault moves ctime: map and write again,
    # which sets it back. Needs CAP_SYS_TIME.
    import mmap, time
    before = os.fstat(fd).st_ctime_ns
    for attempt in range(100):
        m = mmap.mmap(fd, len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        now = time.clock_gettime_ns(time.CLOCK_REALTIME)
        time.clock_settime_ns(time.CLOCK_REALTIME, before)
        m[:] = data
        time.clock_settime_ns(time.CLOCK_REALTIME,
                              now + time.clock_gettime_ns(time.CLOCK_REALTIME) - before)
        m.close()
        if os.fstat(fd).st_ctime_ns == before:
            return
    print("ctime moved")
    sys.exit()
if op == "memfd-rewrite":
    # A memfd of allowed content mapped executable (hashed, allowed), then
    # given the content of argv[3] (ctime kept), and run.
    new = open(sys.argv[3], "rb").read()
    fd = os.memfd_create("rewritten", 0)
    os.write(fd, open(path, "rb").read())
    if libc.mmap(None, 4096, READ | EXEC, PRIVATE, fd, 0) == FAILED:
        err()
    same_ctime_write(fd, new)
    try:
        os.execve(fd, ["rewritten"], {})
    except OSError as e:
        err(e.errno)
if op == "write-shared":
    # Give the file the content of argv[3], ctime and size kept.
    fd = os.open(path, os.O_RDWR)
    same_ctime_write(fd, open(sys.argv[3], "rb").read())
    os.close(fd)
    print("ok")
    sys.exit()
if op == "truncate-back":
    # truncate(2) to 8 bytes less and back to the size, with the clock set
    # back to the file's ctime: ctime and size kept, the last 8 bytes now
    # zeros, and no open for writing. Needs CAP_SYS_TIME.
    import time
    size, before = os.stat(path).st_size, os.stat(path).st_ctime_ns
    for attempt in range(100):
        now = time.clock_gettime_ns(time.CLOCK_REALTIME)
        time.clock_settime_ns(time.CLOCK_REALTIME, before)
        os.truncate(path, size - 8)
        os.truncate(path, size)
        time.clock_settime_ns(time.CLOCK_REALTIME,
                              now + time.clock_gettime_ns(time.CLOCK_REALTIME) - before)
        if os.stat(path).st_ctime_ns == before:
            print("ok")
            sys.exit()
    print("ctime moved")
    sys.exit()
if op == "copyup-mmap":
    # Open an overlay file, copy it up through another open for writing,
    # then map the first open executable: its mapping goes to the lower
    # file, while its reads now go to the upper one.
    fd = os.open(path, os.O_RDONLY)
    os.close(os.open(path, os.O_WRONLY))
    if libc.mmap(None, 4096, READ | EXEC, PRIVATE, fd, 0) == FAILED:
        err()
    print("ok")
    sys.exit()
if op == "flood":
    # Refusals (mmap with PROT_EXEC of a denied file) and failed execs.
    fd = os.open(path, os.O_RDONLY)
    for i in range(3000):
        libc.mmap(None, 4096, READ | EXEC, PRIVATE, fd, 0)
        try:
            os.execv("/nonexistent/flood", ["flood"])
        except OSError:
            pass
    print("ok")
    sys.exit()
if op == "uids":
    # Failed execs of int(path) uids, one each (root: the saved uid stays 0).
    for u in range(10000, 10000 + int(path)):
        os.setresuid(u, u, 0)
        try:
            os.execv("/nonexistent/uid", ["uid"])
        except OSError:
            pass
        os.setresuid(0, 0, 0)
    print("ok")
    sys.exit()
if op == "uffd-exec":
    # execve(path) whose argv copy userfaultfd holds: meanwhile another
    # thread writes another name where path was. The exec then fails
    # (path is no executable): its record must name path. Needs root.
    import fcntl, struct, threading
    name = ctypes.create_string_buffer(path.encode(), 4096)
    changed = b"/changed/after-the-entry\0"
    libc.syscall.restype = ctypes.c_long
    uffd = libc.syscall(323, os.O_CLOEXEC)
    if uffd < 0:
        err()
    fcntl.ioctl(uffd, 0xc018aa3f, bytearray(struct.pack("QQQ", 0xAA, 0, 0)))
    page = libc.mmap(None, 4096, 3, 0x22, -1, 0)
    fcntl.ioctl(uffd, 0xc020aa00, bytearray(struct.pack("QQQQ", page, 4096, 1, 0)))
    src = ctypes.create_string_buffer(b"held", 4096)
    def handler():
        os.read(uffd, 32)
        ctypes.memmove(name, changed, len(changed))
        fcntl.ioctl(uffd, 0xc028aa03, bytearray(struct.pack("QQQQq", page, ctypes.addressof(src),
                                                            4096, 0, 0)))
    t = threading.Thread(target=handler)
    t.start()
    arg0 = ctypes.create_string_buffer(b"uffd")
    argv = (ctypes.c_void_p * 3)(ctypes.addressof(arg0), page, None)
    envp = (ctypes.c_void_p * 1)(None)
    libc.execve.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    libc.execve(ctypes.addressof(name), argv, envp)
    e = ctypes.get_errno()
    t.join()
    err(e)
if op in ("fexecve", "memfd-mmap"):
    fd = os.memfd_create("innocent", 0)
    os.write(fd, open(path, "rb").read())
else:
    fd = os.open(path, os.O_RDONLY)
if op == "fexecve":
    try:
        os.execve(fd, ["innocent"], {})
    except OSError as e:
        err(e.errno)
a = libc.mmap(None, 4096, READ | (EXEC if op != "mprotect" else 0), PRIVATE, fd, 0)
if a == FAILED:
    err()
if op == "mprotect" and libc.mprotect(a, 4096, READ | EXEC):
    err()
print("ok")
PY
# fuse.py MOUNTPOINT FILE: a FUSE file system, served over /dev/fuse with
# no library, of one file, "prog", with FILE's content, opened with direct
# I/O (every read asks the server), that answers the first READ and never
# another: what a hostile server does to a hook that hashes the file.
# What it does to a tool that resolves a rule's path: "slow" is a name
# whose LOOKUP is never answered, and "d" a directory (holding a "prog")
# that is another directory at each LOOKUP after the first, as if renamed
# between two resolutions of a path; its entries are never cached.
cat >"$work/fuse.py" <<'PY'
import ctypes, errno, os, stat, struct, sys
mnt, data = sys.argv[1], open(sys.argv[2], "rb").read()
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/dev/fuse", os.O_RDWR)
opts = "fd=%d,rootmode=40755,user_id=0,group_id=0,allow_other" % fd
if libc.mount(b"execaudit-fuse", mnt.encode(), b"fuse", 6, opts.encode()):
    sys.exit("fuse.py: mount: " + os.strerror(ctypes.get_errno()))
print("mounted", flush=True)
ROOT, PROG, D1, F1, D2, F2 = 1, 2, 3, 4, 5, 6
def attr(node):
    if node in (ROOT, D1, D2):
        return struct.pack("6Q10I", node, 0, 0, 0, 0, 0, 0, 0, 0,
                           stat.S_IFDIR | 0o755, 2, 0, 0, 0, 4096, 0)
    return struct.pack("6Q10I", node, len(data), (len(data) + 511) // 512, 0, 0, 0,
                       0, 0, 0, stat.S_IFREG | 0o755, 1, 0, 0, 0, 4096, 0)
def entry(node, valid):
    return struct.pack("4Q2I", node, 0, valid, valid, 0, 0) + attr(node)
reads = d_lookups = 0
while True:
    try:
        req = os.read(fd, (1 << 20) + 4096)
    except OSError as e:
        if e.errno == errno.ENODEV:
            break
        continue
    op, unique, node = struct.unpack_from("4xIQQ", req)
    body = req[40:]
    def reply(payload=b"", err=0):
        os.write(fd, struct.pack("IiQ", 16 + len(payload), -err, unique) + payload)
    if op == 26:    # INIT: protocol 7.31, nothing more
        reply(struct.pack("4I2H2I2H2I", 7, 31, 65536, 0, 16, 12, 65536, 1, 0, 0, 0, 0) + bytes(24))
    elif op == 1:   # LOOKUP
        name = body.split(b"\0")[0]
        if node == ROOT and name == b"prog":
            reply(entry(PROG, 1))
        elif node == ROOT and name == b"d":
            d_lookups += 1
            reply(entry(D1 if d_lookups == 1 else D2, 0))
        elif node in (D1, D2) and name == b"prog":
            reply(entry(F1 if node == D1 else F2, 0))
        elif node != ROOT or name != b"slow":
            reply(err=errno.ENOENT)
    elif op == 3:   # GETATTR
        reply(struct.pack("Q2I", 1, 0, 0) + attr(node))
    elif op == 14:  # OPEN, with FOPEN_DIRECT_IO
        reply(struct.pack("QIi", 0, 1, 0))
    elif op == 15:  # READ: the first one only
        reads += 1
        off, size = struct.unpack_from("8xQI", body)
        if reads == 1:
            reply(data[off:off + size])
    elif op == 17:  # STATFS, which overlayfs asks of its layers
        reply(struct.pack("5Q4I", 0, 0, 0, 0, 0, 4096, 255, 4096, 0) + bytes(24))
    elif op in (18, 25):    # RELEASE, FLUSH
        reply()
    elif op not in (2, 36, 42):     # FORGET, INTERRUPT, BATCH_FORGET: no reply
        reply(err=errno.ENOSYS)
PY
ima=false
grep -qw ima /sys/kernel/security/lsm && ima=true
# A hash rule first hashes execaudit itself, which takes more than the
# default 5 s on an emulated KASAN kernel: wait longer than that.
slow=(--resolve-timeout 300)

echo "== execaudit watches; the scenario runs"
"$tool" --interval 1 "${slow[@]}" --deny "$denied" --control "$ctl" >"$out" 2>"$err" &
tool_pid=$!
# Without quiet, show the tool's output as it comes (the checks read the files).
[ -n "$quiet" ] || { tail -q -s 0.2 -n +1 -f "$out" "$err" 2>/dev/null & }
tail_pid=$!
check "execaudit starts with --deny $denied" wait_for "$err" "execaudit: watching" || {
	[ -z "$quiet" ] || cat "$err" >&2
	kill $tool_pid 2>/dev/null
	[ -n "$quiet" ] || kill $tail_pid
	umount "$work"
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

echo "== the ways around a file rule, tried by user nobody"
try denied nobody "$denied"
check "exec of the denied file: EPERM" failed_with denied 126 "$denied: Operation not permitted"
nobody ln "$denied" "$u/link"
try link nobody "$u/link"
check "exec of a hard link to it: EPERM" failed_with link 126 "$u/link: Operation not permitted"
nobody mv "$denied" "$u/renamed"
try renamed nobody "$u/renamed"
nobody mv "$u/renamed" "$denied"
check "exec of it renamed: EPERM" failed_with renamed 126 "$u/renamed: Operation not permitted"
try loader nobody /lib64/ld-linux-x86-64.so.2 "$denied"
check "the loader running it (ld.so $denied): cannot map it" \
	failed_with loader 127 "$denied: failed to map segment from shared object"
try mmap nobody python3 "$work/probe.py" mmap $denied
check "mmap of it with PROT_EXEC: EPERM" printed mmap EPERM
try mprotect nobody python3 "$work/probe.py" mprotect $denied
check "mprotect of a mapping of it to PROT_EXEC: EPERM" printed mprotect EPERM
try bind nobody unshare -rm sh -c "mount --bind $u $work/bind && exec $work/bind/denied"
check "exec through a bind mount in a user namespace (unshare -rm): EPERM" \
	failed_with bind 126 "$work/bind/denied: Operation not permitted"
long=$u/$(printf 'd%.0s' {1..120})/$(printf 'e%.0s' {1..120})
nobody mkdir -p "$long"
nobody ln "$denied" "$long/denied"
try long nobody "$long/denied"
check "exec through a path of ${#long} + 7 bytes (>= 256): EPERM" \
	failed_with long 126 "$long/denied: Operation not permitted"
nobody cp /bin/true "$u/other"
try other nobody "$u/other"
check "a copy of the same content runs: a file rule is not a hash rule (status $other_rc)" \
	[ "$other_rc" -eq 0 ]

echo "== hash rules (IMA: $ima)"
try hashrule "$tool" ctl "$ctl" deny-hash "$sha"
check "'execaudit ctl deny-hash' applied (status $hashrule_rc)" \
	eval '[ $hashrule_rc -eq 0 ] && grep -qx "ok deny-hash $sha" "$work/hashrule.out" ||
	      { echo "  said: $(cat "$work/hashrule.out" "$work/hashrule.err")"; false; }'
nobody cp "$hashed" "$u/copy"
try copy nobody "$u/copy"
check "exec of a copy of the hash-denied file: EPERM" failed_with copy 126 "$u/copy: Operation not permitted"
try fexecve nobody python3 "$work/probe.py" fexecve $hashed
check "memfd_create + fexecve of its content: EPERM" printed fexecve EPERM
try memfd nobody python3 "$work/probe.py" memfd-mmap $hashed
check "mmap of a memfd holding its content with PROT_EXEC: EPERM" printed memfd EPERM
# A file no sleepable hook has hashed: file_mprotect cannot hash it.
nobody cp /bin/true "$u/fresh"
try undecided nobody python3 "$work/probe.py" mprotect $u/fresh
check "mprotect to PROT_EXEC of a file never hashed: EACCES (fail closed)" printed undecided EACCES
try decided nobody bash -c "python3 $work/probe.py mmap $u/fresh; python3 $work/probe.py mprotect $u/fresh"
check "once mapped with PROT_EXEC (hashed, allowed), the same mprotect works" \
	eval '[ "$(cat "$work/decided.out")" = "$(printf "ok\nok")" ]'
# A verdict is cached per file, with the file's ctime and size. A write
# in the clock tick of the file's last change keeps both (probe.py sets
# the clock back to make that happen at will): only the open for writing,
# which check_open counts, stops the cache from letting the new content run.
nobody cp "$passes" "$u/rewritten"
try rw_before nobody "$u/rewritten"
try rw_write nobody_time python3 "$work/probe.py" write-shared "$u/rewritten" "$hashed"
try rw_after nobody "$u/rewritten"
check "a file run (its verdict cached), then given the denied content, ctime and size kept: EPERM" \
	eval '[ $rw_before_rc -eq 0 ] && printed rw_write ok &&
	      failed_with rw_after 126 "$u/rewritten: Operation not permitted"'
# A memfd's writable fd never goes through an open: its verdict is never
# cached, and the exec hashes what it runs.
try memfd_rw nobody_time python3 "$work/probe.py" memfd-rewrite "$passes" "$hashed"
check "a memfd mapped executable with allowed content, then rewritten and run: EPERM" \
	printed memfd_rw EPERM
# A change of size opens nothing for writing: truncate(2) to 8 bytes less
# and back, in the clock tick of the file's last change, keeps ctime and
# size and zeroes the last 8 bytes; check_setattr counts it as a write.
{ head -c -8 "$passes"; head -c 8 /dev/zero; } >"$work/zeroed"
try zrule "$tool" ctl "$ctl" deny-hash "$(sha256sum "$work/zeroed" | cut -d' ' -f1)"
nobody cp "$passes" "$u/truncated"
try tr_before nobody "$u/truncated"
try tr_cut nobody_time python3 "$work/probe.py" truncate-back "$u/truncated"
try tr_after nobody "$u/truncated"
check "a file run (its verdict cached), then truncated by 8 bytes and back, ctime and size kept: EPERM" \
	eval '[ $zrule_rc -eq 0 ] && [ $tr_before_rc -eq 0 ] && printed tr_cut ok &&
	      cmp -s "$u/truncated" "$work/zeroed" &&
	      failed_with tr_after 126 "$u/truncated: Operation not permitted"'
# Overlays: each decision is made on the real file, the one that the
# overlay's reads and mappings go to (v3 refused every file of an overlay
# in a user namespace while hash rules existed, and cached the verdicts of
# root's overlays on the overlay's inode, which sees no write made to its
# lower file outside the overlay). First nobody's overlay in a user
# namespace: a file runs, then its lower file gets the denied content from
# outside the overlay and is refused; a hard link of the file-denied file
# is refused by its file rule; a mapping made through the overlay (whose
# vm_file is the real file) may become executable.
nobody mkdir "$u/lower" "$u/lower2" "$u/merged"
nobody cp "$passes" "$u/lower/prog"
nobody cp "$passes" "$u/lower/mapped"
nobody ln "$denied" "$u/lower/denied"
try ovl nobody unshare -rm sh -c "mount -t overlay overlay -o lowerdir=$u/lower:$u/lower2 $u/merged &&
	{ $u/merged/prog; echo \$? >$u/ovl-first; } &&
	{ python3 $work/probe.py mmap $u/merged/mapped; python3 $work/probe.py mprotect $u/merged/mapped; } >$u/ovl-mapped &&
	{ $u/merged/denied 2>$u/ovl-denied; echo \$? >>$u/ovl-denied; } &&
	cat $hashed >$u/lower/prog && exec $u/merged/prog"
check "a file of nobody's overlay in a user namespace runs ($(cat "$u/ovl-first" 2>/dev/null)), then, its lower file given the denied content outside the overlay: EPERM" \
	eval '[ "$(cat "$u/ovl-first")" = 0 ] && failed_with ovl 126 "$u/merged/prog: Operation not permitted"'
check "... a mapping of an overlay file, mapped executable once, made executable by mprotect" \
	eval '[ "$(cat "$u/ovl-mapped")" = "$(printf "ok\nok")" ] || { cat "$u/ovl-mapped"; false; }'
check "... a hard link of the denied file in the overlay's lower layer: EPERM by the file rule" \
	eval 'grep -qF "$u/merged/denied: Operation not permitted" "$u/ovl-denied" &&
	      refused "$u/merged/denied" EPERM exec "file rule"'
# An overlay that root mounted, over a lower directory nobody may write:
# a file runs (its verdict cached), then nobody gives the lower file the
# denied content outside the overlay, and it is refused.
nobody mkdir "$u/rlower" "$u/rlower2"
mkdir "$work/rmerged"
nobody cp "$passes" "$u/rlower/prog"
nobody cp "$passes" "$u/rlower/copied"
mount -t overlay overlay -o "lowerdir=$u/rlower:$u/rlower2" "$work/rmerged"
try rovl_first nobody "$work/rmerged/prog"
nobody sh -c "cat $hashed >$u/rlower/prog"
try rovl nobody "$work/rmerged/prog"
check "a file of root's overlay runs ($rovl_first_rc), then, its lower file given the denied content outside the overlay: EPERM" \
	eval '[ $rovl_first_rc -eq 0 ] && failed_with rovl 126 "$work/rmerged/prog: Operation not permitted"'
# Overlays stacked: nobody's writable overlay over root's. A file runs
# through both; one opened before it was copied up (its mapping goes to
# the lower file, its reads to the upper one) cannot be decided: EACCES.
nobody mkdir "$u/merged2" "$u/upper" "$u/owork"
try sovl nobody unshare -rm sh -c "mount -t overlay overlay -o lowerdir=$work/rmerged,upperdir=$u/upper,workdir=$u/owork,userxattr $u/merged2 &&
	{ $u/merged2/copied; echo \$? >$u/sovl-first; } && exec python3 $work/probe.py copyup-mmap $u/merged2/copied"
check "a file of two overlays stacked runs ($(cat "$u/sovl-first" 2>/dev/null)); one mapped executable after it was copied up since its open: EACCES" \
	eval '[ "$(cat "$u/sovl-first")" = 0 ] && printed sovl EACCES && [ -f "$u/upper/copied" ]'
umount "$work/rmerged"
# An overlay that root mounted over a FUSE server that answers the first
# READ and no other: the hash would wait for the server for ever, holding
# the exec (and every RCU tasks trace grace period). The real file is on
# FUSE: undecided at once, EACCES, and no READ asked.
mkdir "$work/fuse" "$work/fmerged"
python3 "$work/fuse.py" "$work/fuse" "$passes" >"$work/fuse.out" 2>"$work/fuse.err" &
fuse_pid=$!
if wait_for "$work/fuse.out" mounted &&
   mount -t overlay overlay -o "lowerdir=$work/fuse:$u/rlower2" "$work/fmerged"; then
	try fovl nobody timeout -k 5 60 "$work/fmerged/prog"
	umount "$work/fmerged"
else
	fovl_rc=-1
fi
umount -l "$work/fuse"
kill $fuse_pid 2>/dev/null
wait $fuse_pid 2>/dev/null
check "a file of root's overlay over a FUSE server that answers one READ and no other: EACCES, not held" \
	eval 'failed_with fovl 126 "Permission denied" &&
	      refused "$work/fmerged/prog" EACCES exec "hash unknown"'
# A rule's path is resolved once, by a worker the tool gives up on, on a
# FUSE server (fuse.py) of root's here; nobody's in a user namespace is
# seen the same. Its "d", another directory at each lookup after the
# first, as if renamed while the rule is given: the rule binds no file
# (v3 bound the second one, inode 6, and listed it by the first one's
# path), as the file's own path, resolved again with no link, leads to
# another file than the one opened. Its "slow", never answered:
# refused after --resolve-timeout (5 s by default), the tool answering
# all along and refusing another resolution while that one is blocked,
# and, told to stop, printing its totals and releasing its programs. Its
# last thread, blocked in the request that the server has read, ends only
# with the server (the kernel waits such a request out, even on SIGKILL).
mkdir "$work/fuse2"
python3 "$work/fuse.py" "$work/fuse2" "$passes" >"$work/fuse2.out" 2>"$work/fuse2.err" &
fuse_pid=$!
fuse_tool_out=$logs/execaudit-fuse.out
"$tool" --interval 1 --control "$work/ctl2" >"$fuse_tool_out" 2>"$logs/execaudit-fuse.err" &
fuse_tool=$!
fslow_secs=-1 fuse_tool_stopped=false
if wait_for "$work/fuse2.out" mounted && wait_for "$logs/execaudit-fuse.err" "execaudit: watching"; then
	try fswap timeout -k 5 60 "$tool" ctl "$work/ctl2" deny "$work/fuse2/d/prog"
	try fswaplist timeout -k 5 60 "$tool" ctl "$work/ctl2" list
	t0=$(date +%s)
	try fslow timeout -k 5 60 "$tool" ctl "$work/ctl2" deny "$work/fuse2/slow"
	fslow_secs=$(($(date +%s) - t0))
	try fagain timeout -k 5 60 "$tool" ctl "$work/ctl2" deny "$work/fuse2/slow"
	try flist timeout -k 5 60 "$tool" ctl "$work/ctl2" list
	kill -TERM $fuse_tool
	for ((i = 0; i < 100; i++)); do
		grep -q '^totals: ' "$fuse_tool_out" && { fuse_tool_stopped=true; break; }
		pause 0.2
	done
fi
# The server's end aborts its requests: then the tool can be reaped.
umount -l "$work/fuse2"
kill $fuse_pid 2>/dev/null
wait $fuse_pid 2>/dev/null
$fuse_tool_stopped || kill -KILL $fuse_tool 2>/dev/null
wait $fuse_tool
fuse_tool_rc=$?
check "a rule on a path whose directory changes between lookups (FUSE): refused, no file bound" \
	eval '[ "$fswap_rc" -eq 1 ] &&
	      grep -qx "error: $work/fuse2/d/prog: the file changed while it was resolved ($work/fuse2/d/prog is another file now): no rule" "$work/fswap.out" &&
	      grep -qx "ok list" "$work/fswaplist.out" && ! grep -q fuse2 "$work/fswaplist.out" ||
	      { cat "$work/fswap.out" "$work/fswap.err" "$work/fswaplist.out"; false; }'
check "a rule on a FUSE path never answered: refused after the 5 s timeout (in $fslow_secs s), and again while still blocked" \
	eval '[ "$fslow_rc" -eq 1 ] && [ "$fslow_secs" -ge 5 ] &&
	      grep -qx "error: $work/fuse2/slow: no answer within 5 s (a FUSE file system?): no rule" "$work/fslow.out" &&
	      [ "$fagain_rc" -eq 1 ] &&
	      grep -qx "error: $work/fuse2/slow: an earlier resolution is still blocked (on FUSE?); try again later" "$work/fagain.out" ||
	      { cat "$work/fslow.out" "$work/fslow.err" "$work/fagain.out" "$work/fagain.err"; false; }'
check "... the tool answers meanwhile, and stops on SIGTERM with its totals (stopped: $fuse_tool_stopped, status $fuse_tool_rc)" \
	eval '[ "$flist_rc" -eq 0 ] && grep -qx "ok list" "$work/flist.out" &&
	      $fuse_tool_stopped && [ "$fuse_tool_rc" -eq 0 ] ||
	      { cat "$work/flist.out" "$work/flist.err"; tail -3 "$logs/execaudit-fuse.err"; false; }'
# Hashing is bounded: a larger file is not hashed but refused.
nobody truncate -s 600M "$u/huge"
try huge nobody python3 "$work/probe.py" mmap "$u/huge"
check "mmap with PROT_EXEC of a file above --hash-max (600M > 512M): EACCES" printed huge EACCES

echo "== failed execs"
try noent /nonexistent/execaudit-test
echo 'not an executable' >"$work/notexec"
chmod 644 "$work/notexec"
try notexec "$work/notexec"
echo 'no format execve knows' >"$work/noexec-uffd"
chmod 755 "$work/noexec-uffd"
try uffd python3 "$work/probe.py" uffd-exec "$work/noexec-uffd"

echo "== rules at run time"
try list "$tool" ctl "$ctl" list
check "'execaudit ctl list' prints the rules in force" \
	eval '[ $list_rc -eq 0 ] && grep -q "^deny $denied (dev [0-9]*:[0-9]* ino [0-9]* gen [0-9]*)$" "$work/list.out" &&
	      { ! $ima || grep -qx "deny-hash $sha" "$work/list.out"; } && grep -qx "max-args 65536" "$work/list.out"'
try badrule "$tool" ctl "$ctl" deny /nonexistent/file
check "a failed control write tells the writer (status $badrule_rc)" \
	eval '[ $badrule_rc -eq 1 ] && grep -qx "error: /nonexistent/file: No such file or directory: a file rule needs the file" "$work/badrule.out"'
try badhash "$tool" ctl "$ctl" allow-hash "$(printf '0%.0s' {1..64})"
check "removing a hash rule that does not exist fails (status $badhash_rc)" \
	eval '[ $badhash_rc -eq 1 ] && grep -qx "error: allow-hash: no such hash rule" "$work/badhash.out"'
# A rule on a path that user nobody controls opens nothing but a regular
# file: here a FIFO (through a symbolic link), whose writer an open for
# reading would let go, as one would arm a watchdog device.
# The writer must be blocked in its open (openat, syscall 257) before the
# rule is given, or a reader's open and close would come and go unseen.
nobody mkfifo "$u/fifo"
nobody ln -s "$u/fifo" "$u/fifolink"
nobody sh -c 'echo $$ >"$2"; exec 3>"$1"' _ "$u/fifo" "$u/writer.pid" 2>/dev/null &
writer_job=$! writer_open=false
for ((i = 0; i < 100; i++)); do
	writer=$(cat "$u/writer.pid" 2>/dev/null)
	[ -n "$writer" ] && read -r nr _ <"/proc/$writer/syscall" 2>/dev/null && [ "$nr" = 257 ] &&
		{ writer_open=true; break; }
	pause 0.1
done
try fifolink "$tool" ctl "$ctl" deny "$u/fifolink"
pause 0.5
writer_waits=false
kill -0 $writer 2>/dev/null && writer_waits=true
# A reader of our own lets the writer go.
: <>"$u/fifo"
wait $writer_job
check "a rule on nobody's symbolic link to a FIFO is refused, the FIFO not opened (its writer, blocked in open: $writer_open, still waits: $writer_waits)" \
	eval '[ $fifolink_rc -eq 1 ] && grep -qx "error: $u/fifo: not a regular file" "$work/fifolink.out" && $writer_open && $writer_waits'
# A name is anyone's: nobody's directory named with a newline and a line
# of the answer, reached through a link, cannot end a line of the
# listing or forge its last one (v3 printed it raw: a line of its own,
# "ok list/prog ...", at which 'ctl' takes the answer as ended and
# drops what a later read brings).
nl=$u/x$'\n'"ok list"
nobody mkdir "$nl"
nobody cp /bin/true "$nl/prog"
nobody ln -s "$nl/prog" "$u/nllink"
try nlrule "$tool" ctl "$ctl" deny "$u/nllink"
try nllist "$tool" ctl "$ctl" list
try nlallow "$tool" ctl "$ctl" allow "$u/nllink"
check "a rule on a path with a newline in nobody's name: listed escaped, the lines after it kept" \
	eval '[ $nlrule_rc -eq 0 ] && grep -qx "ok deny $u/x\\\\x0aok list/prog" "$work/nlrule.out" &&
	      grep -q "^deny $u/x\\\\x0aok list/prog (dev " "$work/nllist.out" &&
	      [ "$(grep -c "^ok list$" "$work/nllist.out")" -eq 1 ] && grep -qx "max-args 65536" "$work/nllist.out" &&
	      [ $nlallow_rc -eq 0 ] || { cat "$work/nlrule.out" "$work/nllist.out"; false; }'
try allow "$tool" ctl "$ctl" allow "$denied"
try allowed nobody "$denied"
check "after 'ctl allow' the file runs again (status $allowed_rc)" [ "$allowed_rc" -eq 0 ]
check "rule 'max-args 512' applied at run time by a plain writer" control "max-args 512"
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
try gone nobody "$denied"
check "without --pin the rules end with the process: the file runs again (status $gone_rc)" \
	eval '[ $gone_rc -eq 0 ] && try after nobody "$u/link" && [ $after_rc -eq 0 ]'

echo "== execaudit in a pid namespace of its own"
# probe_file answers the tool's tgid as the tool's pid namespace sees it.
unshare -pf "$tool" --deny "$denied" --duration 4 >"$work/pidns.out" 2>"$work/pidns.err" &
pidns_pid=$!
wait_for "$work/pidns.err" "execaudit: watching" >/dev/null
try pidns_denied nobody "$denied"
wait $pidns_pid
pidns_rc=$?
check "execaudit in a pid namespace resolves --deny and enforces it: EPERM (status $pidns_rc)" \
	eval '[ $pidns_rc -eq 0 ] && failed_with pidns_denied 126 "$denied: Operation not permitted" ||
	      { cat "$work/pidns.err"; false; }'

echo "== checks"
check "/bin/true recorded" has_line "/usr/bin/true [1 args, 10 bytes]: /bin/true"
check "a 2-word argv recorded" has_line "/usr/bin/echo [3 args, 22 bytes]: /bin/echo hello world"
check "an argv of 611 bytes (> 512) recorded whole" \
	has_line "/usr/bin/echo [2 args, 611 bytes]: /bin/echo $a600"
check "an argv of 2101 args, 16810 bytes (> 16 KiB) recorded whole" \
	has_line "/usr/bin/echo [2101 args, 16810 bytes]: /bin/echo ${big[*]}"
check "the refusal of the exec recorded (EPERM, file rule)" refused "$denied" EPERM exec "file rule"
check "... of the hard link" refused "$u/link" EPERM exec "file rule"
check "... of the renamed file" refused "$u/renamed" EPERM exec "file rule"
check "... of the loader's mapping" refused "$denied" EPERM mmap "file rule"
check "... of the mprotect (the file's name only: no d_path() there)" \
	refused ".../denied" EPERM mprotect "file rule"
check "... of the bind mount" refused "$work/bind/denied" EPERM exec "file rule"
check "... of the long path (its last component, marked .../)" refused ".../denied" EPERM exec "file rule"
check "... of the copy (EPERM, hash rule, with its SHA-256)" \
	grep -qF " $u/copy: refused (EPERM) at exec, hash rule (dev" "$out"
check "... of the memfd (/memfd:innocent (deleted))" \
	grep -qF " '/memfd:innocent (deleted)': refused (EPERM) at exec, hash rule" "$out"
check "... of the undecided mprotect (EACCES)" refused ".../fresh" EACCES mprotect "hash unknown"
check "... of the rewritten file and of the rewritten memfd (EPERM, hash rule)" \
	eval 'grep -qF " $u/rewritten: refused (EPERM) at exec, hash rule (dev" "$out" &&
	      grep -qF " '"'"'/memfd:rewritten (deleted)'"'"': refused (EPERM) at exec, hash rule" "$out"'
check "... of the file above --hash-max (EACCES)" refused "$u/huge" EACCES mmap "hash unknown"
check "the refusals were user nobody's" \
	eval '! grep "^deny " "$out" | grep -qv " uid 65534 euid 65534 "'
check "a failed exec recorded with its errno (ENOENT)" \
	has_line " /nonexistent/execaudit-test: failed (ENOENT)"
check "a failed exec recorded with its errno (EACCES)" has_line " $work/notexec: failed (EACCES)"
check "a failed exec's name as the kernel took it, though another thread changed it before the exit" \
	eval 'printed uffd ENOEXEC && has_line " $work/noexec-uffd: failed (ENOEXEC)" &&
	      ! grep -q "/changed/after-the-entry" "$out"'
check "exec lines show the file's dev:ino" \
	has_line " dev $(stat -L -c '%Hd:%Ld ino %i' /usr/bin/true) /usr/bin/true [1 args, 10 bytes]: /bin/true"
check "after 'allow' at run time the same file runs and is recorded" \
	has_line "$denied [1 args, $((${#denied} + 1)) bytes]: $denied"
check "after 'max-args 512' at run time a longer argv is cut at 512 bytes" \
	has_line "/usr/bin/echo [2 args, 512 bytes, truncated]: /bin/echo ${a600:0:502}"
check "after 'max-args 65536' at run time the whole argv again" \
	has_line "/usr/bin/echo [3 args, 620 bytes]: /bin/echo restored $a600"
for cpu in 0 1; do
	got=$(grep -Ec "^exec pid [0-9]+ tid [0-9]+ ppid [0-9]+ uid 0 .* /usr/bin/true \[2 args, [0-9]+ bytes\]: /bin/true burst-cpu$cpu-[0-9]+$" "$out")
	check "burst pinned to CPU $cpu: $got of $BURST execs recorded" [ "$got" -eq "$BURST" ]
done
check "execaudit exited 0 on SIGINT (status $tool_rc)" [ $tool_rc -eq 0 ]
totals=$(grep '^totals: ' "$out")
echo "$totals"
check "the totals match" grep -q ': match$' <<<"$totals"
# The totals line against the tool's own event and stats lines.
events=$(grep -c '^exec pid ' "$out")
refusals=$(grep -c '^deny pid ' "$out")
fails=$(grep -c '^fail pid ' "$out")
read -r counted crefused cfailed < <(awk '/^stats uid / { e += $4; r += $10; f += $8 } END { print e + 0, r + 0, f + 0 }' "$out")
read -r ring rrefused rfailed drained < <(sed -E 's/^totals: ring buffer ([0-9]+) exec events .*\), ([0-9]+) refused, ([0-9]+) failed, .* drained statistics ([0-9]+) execs .*/\1 \2 \3 \4/' <<<"$totals")
check "the totals count the $events exec, $refusals refusal and $fails failure lines and the $counted execs of the stats lines" \
	[ "$ring" = "$events" -a "$rrefused" = "$refusals" -a "$rfailed" = "$fails" -a "$drained" = "$counted" \
	  -a "$crefused" = "$refusals" -a "$cfailed" = "$fails" ]
check "a drop report every interval, with every lost counter's change" \
	eval '[ $(grep -c "^drops: 0 records in the last 1 s (none), 0 in all; lost: execs 0, other 0, budget 0, exits 0, stats 0, inflight 0$" "$out") -ge 2 ]'
check "no record dropped" eval '! grep -q "dropped (" "$err"'

echo "== --json: the record's fields, non-ASCII argv, stopped by SIGTERM"
json=$logs/execaudit.json
cg=/sys/fs/cgroup/execaudit-test
mkdir -p "$cg"
hrule=()
$ima && hrule=("${slow[@]}" --deny-hash "$sha")
"$tool" --json --deny "$denied" "${hrule[@]}" >"$json" 2>"$logs/execaudit-json.err" &
tool_pid=$!
wait_for "$logs/execaudit-json.err" "execaudit: watching" >/dev/null
# A refusal by each kind of rule, and a failed exec.
nobody "$denied" 2>/dev/null
nobody "$u/copy" 2>/dev/null
/nonexistent/json-test 2>/dev/null
/bin/echo 'a b' 'q"uote' $'tab\there' 'back\slash' '' >/dev/null
/bin/echo 'héllo' '日本語' $'\xff\xfe bad' $'\xc3' $'\x7f' >/dev/null
# A login uid, a cgroup, a setuid executable, other namespaces.
bash -c 'echo 4242 >/proc/self/loginuid && cat /proc/self/sessionid >'"$work/ses"' &&
	 echo $$ >'"$cg"'/cgroup.procs && exec /bin/true fields-test'
# Exit records: a code, and a signal.
sh -c 'exit 7'
sleep 30 &
killed=$!
pause 0.5
kill -KILL $killed
wait $killed 2>/dev/null
nobody /usr/bin/mount --version >/dev/null
unshare -m /bin/true mntns-test
unshare -pf /bin/true pidns-test
sleep 0.5 & sleeper=$!
wait $sleeper
kill -TERM $tool_pid
wait $tool_pid
check "execaudit --json exited 0 on SIGTERM" [ $? -eq 0 ]
check "every line is a JSON object of version 3; the argv, the refusals and the totals are exact" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert all(l["version"] == 3 for l in lines)
want = ["/bin/echo", "a b", "q\"uote", "tab\there", "back\\slash", ""]
ev = [l for l in lines if l["type"] == "exec" and l["argv"] == want]
t = lines[-1]
execs = sum(1 for l in lines if l["type"] == "exec")
assert len(ev) == 1 and ev[0]["args_bytes"] == 42 and not ev[0]["truncated"], ev
assert t["type"] == "totals" and t["match"] and t["exec_events"] == execs == t["stats_execs"], t
lost = {"execs", "other", "budget", "exits", "stats", "inflight"}
drops = [l for l in lines if l["type"] == "drops"]
assert drops and all(set(l["lost"]) == lost for l in drops), drops
assert set(t["lost"]) == lost == set(t["lost_since_load"]) and t["unwritten"] == 0, t
d = [l for l in lines if l["type"] == "deny"]
assert [(l["path"], l["errno"], l["error"], l["hook"], l["reason"]) for l in d] == [
    (sys.argv[2], 1, "EPERM", "exec", "file"), (sys.argv[3], 1, "EPERM", "exec", "hash")], d
assert d[1]["sha256"] == sys.argv[4], d[1]
f = [l for l in lines if l["type"] == "exec_failed" and l["path"] == "/nonexistent/json-test"]
assert len(f) == 1 and f[0]["errno"] == 2 and f[0]["error"] == "ENOENT", f
' "$json" "$denied" "$u/copy" "$sha"
check "non-ASCII argv: valid UTF-8 JSON, as is; invalid bytes as U+FFFD, marked lossy" python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")             # the whole output is valid UTF-8
assert "héllo".encode() in raw and "日本語".encode() in raw   # not escaped
ev = [l for l in map(json.loads, raw.decode().splitlines()) if l.get("argv", [])[1:2] == ["héllo"]]
assert len(ev) == 1, ev
assert ev[0]["argv"] == ["/bin/echo", "héllo", "日本語", "\ufffd\ufffd bad", "\ufffd", "\x7f"], ev[0]["argv"]
sent = [b"/bin/echo", "héllo".encode(), "日本語".encode(), b"\xff\xfe bad", b"\xc3", b"\x7f"]
assert ev[0]["lossy"] is True and ev[0]["args_bytes"] == sum(len(a) + 1 for a in sent), ev[0]
' "$json"
check "exit records: exit code or signal, run time, the exec id of the exec record" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
def exec_of(argv):
    e = [l for l in lines if l["type"] == "exec" and l["argv"] == argv]
    assert len(e) == 1, (argv, e)
    x = [l for l in lines if l["type"] == "exit" and l["exec_id"] == e[0]["exec_id"]]
    assert len(x) == 1 and x[0]["pid"] == e[0]["pid"], (e, x)
    assert x[0]["run_ns"] == x[0]["boot_ns"] - e[0]["boot_ns"] > 0, (e, x)
    return x[0]
x = exec_of(["sh", "-c", "exit 7"])
assert x["exit_code"] == 7 and x["signal"] is None and not x["core_dumped"], x
x = exec_of(["sleep", "30"])
assert x["exit_code"] is None and x["signal"] == "KILL" and 0.4e9 < x["run_ns"] < 30e9, x
ids = [l["exec_id"] for l in lines if l["type"] == "exec"]
assert len(ids) == len(set(ids)), ids
' "$json"
check "the fields: time, tid, comm, euid, loginuid, session id, cgroup, namespaces, parent start" python3 -c '
import calendar, json, os, sys, time
lines = [json.loads(l) for l in open(sys.argv[1])]
ex = {l["argv"][1]: l for l in lines if l["type"] == "exec" and len(l["argv"]) > 1}
f = ex["fields-test"]
assert f["loginuid"] == 4242 and f["comm"] == "true" and f["tid"] == f["pid"], f
assert f["sessionid"] == int(open(sys.argv[4]).read()) and f["sessionid"] is not None, f
assert not f["other_mntns"] and not f["other_root"], f
assert f["cgroup_id"] == os.stat(sys.argv[2]).st_ino, (f, os.stat(sys.argv[2]).st_ino)
me = os.stat("/proc/self/ns/mnt").st_ino, os.stat("/proc/self/ns/pid").st_ino
m, p = ex["mntns-test"], ex["pidns-test"]
assert (f["mntns"], f["pidns"]) == me, (f, me)
assert m["mntns"] != me[0] and m["pidns"] == me[1] and m["other_mntns"], m
assert p["pidns"] != me[1] and p["mntns"] == me[0], p
v = ex["--version"]
assert v["uid"] == 65534 and v["euid"] == 0 and v["path"] == "/usr/bin/mount", v
s = [l for l in lines if l["type"] == "exec" and l["argv"] == ["sleep", "0.5"]][0]
# The parent (this shell) started at /proc/PPID/stat field 22, in ticks.
ticks = int(open("/proc/%d/stat" % int(sys.argv[3])).read().rsplit(")", 1)[1].split()[19])
hz = os.sysconf("SC_CLK_TCK")
assert abs(s["parent_start_ns"] / 1e9 - ticks / hz) <= 1.0 / hz + 0.01, (s, ticks)
wall = time.time()
assert all(abs(calendar.timegm(time.strptime(l["time"][:19], "%Y-%m-%dT%H:%M:%S")) - wall) < 600
           for l in lines if "time" in l)
assert all(0 < l["boot_ns"] < time.clock_gettime_ns(time.CLOCK_BOOTTIME) for l in lines if "boot_ns" in l)
' "$json" "$cg" $$ "$work/ses"
rmdir "$cg" 2>/dev/null

echo "== a flood from user nobody while execaudit cannot read (SIGSTOP)"
flood=$logs/execaudit-flood.out
"$tool" --ring-size 64K --interval 1 >"$flood" 2>"$logs/execaudit-flood.err" &
tool_pid=$!
wait_for "$logs/execaudit-flood.err" "execaudit: watching" >/dev/null
kill -STOP $tool_pid
arg=$(printf 'f%.0s' {1..8000})
for ((i = 0; i < FLOOD; i++)); do
	nobody /bin/true "$arg"
done
kill -CONT $tool_pid
sleep 2
kill -INT $tool_pid
wait $tool_pid
flood_rc=$?
grep -E '^(drops: [1-9]|totals: )' "$flood"
grep 'dropped' "$logs/execaudit-flood.err"
read -r fexecs fdropped fheader < <(awk '/^stats uid 65534:/ { e += $4; d += $14; h += $12 } END { print e + 0, d + 0, h + 0 }' "$flood")
fevents=$(grep -Ec "^exec pid [0-9]+ tid [0-9]+ ppid [0-9]+ uid 65534 " "$flood")
fheaders=$(grep -Ec "^exec pid [0-9]+ tid [0-9]+ ppid [0-9]+ uid 65534 .*, header only\]: $" "$flood")
fdelta=$(awk '/^drops: / { n += $2 } END { print n + 0 }' "$flood")
check "every exec of the flood counted: $fexecs of $FLOOD" [ "$fexecs" -eq "$FLOOD" ]
check "drops reported: $fdropped records of uid 65534 dropped, $fevents recorded ($fheaders header-only); they add up to $FLOOD" \
	[ "$fdropped" -gt 0 -a $((fevents + fdropped)) -eq "$FLOOD" ]
check "header-only records marked truncated when argv had no room: $fheaders, as counted ($fheader)" \
	[ "$fheaders" -gt 0 -a "$fheaders" -eq "$fheader" ]
check "the drop deltas of each interval sum to the total" \
	grep -q "^drops: .*, $fdelta in all; lost: " "$flood"
check "the totals still match" grep -q '^totals: .*: match$' "$flood"
check "execaudit exited 3 and said records were dropped (status $flood_rc)" \
	eval '[ $flood_rc -eq 3 ] && grep -q "records dropped" "$logs/execaudit-flood.err"'

echo "== a flood of refusals and failed execs from user nobody: root's execs keep their room"
# The tool stopped, a 64 KiB ring buffer: nobody's records may take its
# budget of them and half the ring at most; root's execs get the rest.
budget=$logs/execaudit-budget.out
"$tool" --ring-size 64K --interval 1 --deny "$denied" >"$budget" 2>"$logs/execaudit-budget.err" &
tool_pid=$!
wait_for "$logs/execaudit-budget.err" "execaudit: watching" >/dev/null
kill -STOP $tool_pid
nobody python3 "$work/probe.py" flood "$denied" >/dev/null
for ((i = 0; i < 50; i++)); do
	/bin/true root-during-flood-$i
done
kill -CONT $tool_pid
sleep 2
kill -INT $tool_pid
wait $tool_pid
root_recorded=$(grep -Ec '^exec pid [0-9]+ tid [0-9]+ ppid [0-9]+ uid 0 .* \[2 args, [0-9]+ bytes\]: /bin/true root-during-flood-[0-9]+$' "$budget")
nobody_recorded=$(grep -Ec '^(deny|fail) pid [0-9]+ tid [0-9]+ ppid [0-9]+ uid 65534 ' "$budget")
read -r nobody_counted nobody_dropped < <(awk '/^stats uid 65534:/ { c += $8 + $10; d += $14 } END { print c + 0, d + 0 }' "$budget")
budget_lost=$(awk '/^drops: / { for (i = 1; i < NF; i++) if ($i == "budget") n += $(i + 1) } END { print n + 0 }' "$budget")
check "during a flood of 6000 refusals and failed execs by nobody, all 50 execs by root recorded whole ($root_recorded)" \
	[ "$root_recorded" -eq 50 ]
check "... nobody lost its own records: $nobody_recorded written and $nobody_dropped dropped of $nobody_counted" \
	[ "$nobody_dropped" -gt 0 -a $((nobody_recorded + nobody_dropped)) -eq "$nobody_counted" ]
check "... the interval lines show the $budget_lost over nobody's budget, and the totals match them" \
	eval '[ "$budget_lost" -gt 0 ] && grep -q "^totals: .*; lost: execs 0, other [0-9]*, budget $budget_lost, .*: match$" "$budget"'

echo "== more uids than the statistics map holds"
# Failed execs of 8300 uids in one interval: the 108 beyond the map's
# 8192 go to its overflow bucket, not to lost_stats.
uids=$logs/execaudit-uids.out
"$tool" --interval 3600 >"$uids" 2>"$logs/execaudit-uids.err" &
tool_pid=$!
wait_for "$logs/execaudit-uids.err" "execaudit: watching" >/dev/null
try uids python3 "$work/probe.py" uids 8300
pause 2
kill -INT $tool_pid
wait $tool_pid
uids_rc=$?
read -r uids_failed uids_lines < <(awk '/^stats uid / { f += $8; n++ } END { print f + 0, n + 0 }' "$uids")
check "failed execs of 8300 uids all counted ($uids_failed in $uids_lines stats lines, one the overflow bucket's); totals match (status $uids_rc)" \
	eval '[ $uids_rc -eq 0 ] && printed uids ok && [ "$uids_failed" -ge 8300 ] &&
	      grep -q "^stats uid overflow: 0 execs, 0 bytes, [1-9][0-9]* failed" "$uids" &&
	      grep -q "^totals: .*; lost: execs 0, other 0, budget 0, exits 0, stats 0, inflight 0; .*: match$" "$uids"'

echo "== --uid and --cgroup: filters in the programs"
filtered=$logs/execaudit-uid.json
"$tool" --json --uid nobody >"$filtered" 2>"$logs/execaudit-uid.err" &
tool_pid=$!
wait_for "$logs/execaudit-uid.err" "execaudit: watching" >/dev/null
/bin/true root-filtered-out
nobody /bin/true nobody-kept
kill -INT $tool_pid
wait $tool_pid
check "--uid nobody: only nobody's records, and only nobody's counts (status $?)" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
argvs = [l["argv"] for l in lines if l["type"] == "exec"]
assert ["/bin/true", "nobody-kept"] in argvs and ["/bin/true", "root-filtered-out"] not in argvs, argvs
assert all(l["uid"] == 65534 for l in lines if l["type"] not in ("drops", "totals")), lines
t = lines[-1]
assert t["type"] == "totals" and t["match"] and t["exec_events"] == t["stats_execs"] == len(argvs), t
' "$filtered"
cgf=/sys/fs/cgroup/execaudit-filter
mkdir -p "$cgf"
filtered=$logs/execaudit-cgroup.json
"$tool" --json --cgroup "$cgf" >"$filtered" 2>"$logs/execaudit-cgroup.err" &
tool_pid=$!
wait_for "$logs/execaudit-cgroup.err" "execaudit: watching" >/dev/null
/bin/true outside-cgroup
bash -c 'echo $$ >'"$cgf"'/cgroup.procs && exec /bin/true in-cgroup'
kill -INT $tool_pid
wait $tool_pid
check "--cgroup DIR: only the records of the tasks in DIR (status $?)" python3 -c '
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
argvs = [l["argv"] for l in lines if l["type"] == "exec"]
assert argvs == [["/bin/true", "in-cgroup"]], argvs
cg = os.stat(sys.argv[2]).st_ino
assert all(l["cgroup_id"] == cg for l in lines if "cgroup_id" in l), lines
assert lines[-1]["match"], lines[-1]
' "$filtered" "$cgf"
rmdir "$cgf" 2>/dev/null

echo "== a full output file system: execaudit goes on enforcing"
# User nobody fills the file system of the output with records of escaped
# \xff bytes. The tool counts the lines it cannot write and goes on.
full=$work/full
mkdir "$full"
mount -t tmpfs -o size=256k tmpfs "$full"
"$tool" --interval 1 --deny "$denied" >"$full/out" 2>"$logs/execaudit-full.err" &
tool_pid=$!
wait_for "$logs/execaudit-full.err" "execaudit: watching" >/dev/null
xff=$(head -c 60000 /dev/zero | tr '\0' '\377')
for ((i = 0; i < 8; i++)); do
	nobody /bin/true "$xff"
done
wait_for "$logs/execaudit-full.err" "writing the output failed (No space left on device)" >/dev/null
try full_denied nobody "$denied"
full_running=false
kill -0 $tool_pid 2>/dev/null && full_running=true
check "after ENOSPC on its output, execaudit still runs ($full_running) and refuses the denied file: EPERM" \
	eval '$full_running && failed_with full_denied 126 "$denied: Operation not permitted"'
kill -INT $tool_pid
wait $tool_pid
full_rc=$?
check "... counts the lines it could not write, says so, and exits 1 when stopped (status $full_rc)" \
	eval '[ $full_rc -eq 1 ] && grep -Eq "execaudit: [1-9][0-9]* lines \([1-9][0-9]* records\) could not be written" "$logs/execaudit-full.err"'
# One record prints at most twice its argv bytes (and 3 per string, and
# 16): the first cut line, setpriv's exec or true's, against its own header.
cut_line=$(awk '/ \[cut: [0-9]+ bytes not shown\]$/ {
	match($0, /\[[0-9]+ args, [0-9]+ bytes[^]]*\]: /)
	split(substr($0, RSTART + 1), h, /[ ,]+/)
	argv = substr($0, RSTART + RLENGTH); sub(/ \[cut: .*$/, "", argv)
	print length(argv), 2 * h[3] + 3 * h[1] + 16, h[3]; exit }' "$full/out")
read -r cut_len cut_max cut_bytes <<<"${cut_line:-}"
check "a record's argv of ${cut_bytes:-?} bytes of mostly \\xff prints ${cut_len:-all} bytes (<= ${cut_max:-?}) and says it was cut" \
	eval '[ -n "$cut_len" ] && [ "$cut_len" -le "$cut_max" ] && [ "$cut_bytes" -gt 60000 ]'
umount "$full"

echo "== reading under load: the FIFO between batches, the sync off the reader thread"
load=$logs/execaudit-load.out	# stdout and stderr in one file, in order
"$tool" --interval 1 "${hrule[@]}" --control "$work/control2" >"$load" 2>&1 &
tool_pid=$!
wait_for "$load" "execaudit: watching" >/dev/null
# 300 records wait while execaudit is stopped, and then a rule: the reader
# serves the FIFO after one batch (64 records at most), not after all.
kill -STOP $tool_pid
for ((i = 0; i < 300; i++)); do
	/bin/true queued-$i
done
echo "max-args 4096" >"$work/control2"
kill -CONT $tool_pid
wait_for "$load" "rule applied: max-args 4096" >/dev/null
wait_for "$load" ": /bin/true queued-299" >/dev/null
served=$(awk '/rule applied: max-args 4096/ { print n + 0; exit } / queued-[0-9]+$/ { n++ }' "$load")
check "the control FIFO served after ${served:-all} of the 300 queued records (a batch is 64)" \
	[ "${served:-300}" -le 64 ]
# A sleepable hook hashing a large file holds every RCU tasks trace grace
# period, and so the statistics thread's bpf_map_sync_access(), until it
# is done. Execs are read and recorded meanwhile.
nobody truncate -s "${LARGE:-384M}" "$u/large"
nobody python3 "$work/probe.py" mmap "$u/large" >"$work/large.out" 2>&1 &
large_pid=$!
# The sync waits once no interval line has come for 2 s (10 s at most).
intervals=$(grep -c '^drops: ' "$load")
for ((i = 0, still = 0; i < 100 && still < 20; i++)); do
	pause 0.1
	n_now=$(grep -c '^drops: ' "$load")
	if [ "$n_now" = "$intervals" ]; then
		still=$((still + 1))
	else
		still=0 intervals=$n_now
	fi
done
/bin/true while-hashing
wait_for "$load" ": /bin/true while-hashing" >/dev/null
hashing=false
[ -s "$work/large.out" ] || hashing=true
intervals_then=$(grep -c '^drops: ' "$load")
wait $large_pid
check "an exec is recorded while a hook hashes a file of ${LARGE:-384M}: the sync is off the reader thread" $hashing
check "... whose sync was waiting meanwhile: no interval line ($intervals, then $intervals_then)" \
	[ "$intervals" -eq "$intervals_then" ]
check "... and the mapping was allowed" printed large ok
kill -INT $tool_pid
wait $tool_pid
load_rc=$?
check "execaudit exited 0 (status $load_rc), its totals matching" \
	eval '[ $load_rc -eq 0 ] && grep -q "^totals: .*: match$" "$load"'

echo "== --pin: enforcement that outlives execaudit"
pin=/sys/fs/bpf/execaudit-test
pinout=$logs/execaudit-pin.out
"$tool" --pin "$pin" --deny "$denied" "${hrule[@]}" >"$pinout" 2>"$logs/execaudit-pin.err" &
tool_pid=$!
wait_for "$logs/execaudit-pin.err" "execaudit: watching" >/dev/null
kill -KILL $tool_pid
wait $tool_pid 2>/dev/null
try pinned nobody "$denied"
check "after execaudit --pin is killed, the file rule still holds: EPERM" \
	failed_with pinned 126 "$denied: Operation not permitted"
try pinned_hash nobody "$u/copy"
check "... and the hash rule (--deny-hash at start): EPERM" \
	failed_with pinned_hash 126 "$u/copy: Operation not permitted"
try pinlist "$tool" --list --pin "$pin"
check "execaudit --list --pin shows the pinned rules" \
	eval 'grep -q "^deny $denied (dev" "$work/pinlist.out" && grep -qx "deny-hash $sha" "$work/pinlist.out"'
"$tool" --pin "$pin" --control "$ctl" >"$pinout" 2>"$logs/execaudit-pin.err" &
tool_pid=$!
wait_for "$logs/execaudit-pin.err" "execaudit: watching" >/dev/null
try repinned nobody "$denied"
timeout -k 5 60 "$tool" --pin "$pin" >/dev/null 2>"$work/second.err"
second_rc=$?
try unpin "$tool" ctl "$ctl" allow "$denied"
try unpinned nobody "$denied"
kill -INT $tool_pid
wait $tool_pid
pin_rc=$?
check "a restart takes the pinned state over" grep -q "took over the programs and rules pinned in $pin" "$logs/execaudit-pin.err"
check "... and its totals say that the pinned lost counters add up across takeovers" \
	grep -q "^totals: .* (since the pinned programs were loaded, across takeovers: execs [0-9]*, " "$pinout"
check "... the rule holds (EPERM) and the new process records the refusal" \
	eval 'failed_with repinned 126 "Operation not permitted" && grep -qF " $denied: refused (EPERM) at exec, file rule" "$pinout"'
check "... and takes rules: after 'ctl allow' the file runs (status $unpinned_rc)" \
	[ "$unpin_rc" -eq 0 -a "$unpinned_rc" -eq 0 ]
check "a second execaudit on the same --pin DIR is refused (status $second_rc)" \
	eval '[ $second_rc -eq 1 ] && grep -qF "another execaudit runs with this directory" "$work/second.err"'
check "... and exits 0 leaving the programs pinned (status $pin_rc)" \
	eval '[ $pin_rc -eq 0 ] && [ -e "$pin/links/check_exec" ]'
rm "$pin/links/check_mprotect"
timeout -k 5 60 "$tool" --pin "$pin" >/dev/null 2>"$work/partial.err"
partial_rc=$?
check "a restart on a DIR missing a link is refused (status $partial_rc)" \
	eval '[ $partial_rc -eq 1 ] && grep -qF "$pin/links/check_mprotect is missing" "$work/partial.err"'
rm -r "$pin"
# The links go when their last reference does, from a workqueue: give the
# trampolines time to be rewritten before execs run again (one run had
# an exec oops on int3 while they were; see README).
pause 3
for ((i = 0; i < 50; i++)); do
	try unpinned_hash nobody "$u/copy"
	[ "$unpinned_hash_rc" -eq 0 ] && break
	pause 0.2
done
check "rm -r of the pin directory ends the enforcement (status $unpinned_hash_rc)" [ "$unpinned_hash_rc" -eq 0 ]

echo "== one sync at exit"
# With no interval in the run, the BPF_SYNC_MAP_ACCESS calls (command 62)
# are the one that checks the kernel at start and the one at exit.
strace -f -qq -e trace=bpf -o "$work/strace.out" "$tool" --interval 3600 --duration 2 \
	>/dev/null 2>"$work/strace.err"
strace_rc=$?
syncs=$(grep -c 'bpf(0x3e' "$work/strace.out")
check "a run without interval syncs twice, at start and once at exit ($syncs; status $strace_rc)" \
	[ "$syncs" -eq 2 -a "$strace_rc" -eq 0 ]

echo "== errors"
# expect STATUS MESSAGE CMD...: CMD exits with STATUS and says MESSAGE.
expect() {
	local status=$1 msg=$2 rc
	shift 2
	# A tool that does not refuse goes on running: the timeout ends it.
	timeout -k 5 60 "$@" >"$work/o" 2>"$work/e"
	rc=$?
	[ $rc -eq "$status" ] && grep -qF -- "$msg" "$work/e" ||
		{ echo "  status $rc, said: $(cat "$work/e")"; return 1; }
}
check "--deny with a relative path" expect 2 "execaudit: --deny bin/x: give an absolute path" \
	"$tool" --deny bin/x
check "--deny of a file that does not exist" \
	expect 1 "execaudit: /no/such/file: No such file or directory: a file rule needs the file" \
	"$tool" --deny /no/such/file
check "--deny-hash that is no SHA-256" expect 2 "--deny-hash 12ab: give a SHA-256 as 64 hex digits" \
	"$tool" --deny-hash 12ab
check "--resolve-timeout of 0" expect 2 "execaudit: --resolve-timeout 0: whole seconds from 1 to 3600" \
	"$tool" --resolve-timeout 0
check "--max-args above 1M" expect 2 "execaudit: --max-args 2M: at most 1M" "$tool" --max-args 2M
check "--ring-size not a power of 2" expect 2 "--ring-size 100K: a power of 2 from 64K to 1024M" \
	"$tool" --ring-size 100K
check "--list without --pin" expect 2 "--list needs --pin DIR" "$tool" --list
check "ctl with no execaudit reading the FIFO" expect 1 "(no execaudit reads it)" \
	bash -c "mkfifo $work/nobody-reads && exec $tool ctl $work/nobody-reads list"
check "an unknown option" expect 2 "Try 'execaudit --help'." "$tool" --bogus
# A copy that user nobody can reach.
cp "$tool" "$work/execaudit"
chmod 755 "$work/execaudit"
check "not root" expect 1 "execaudit: must run as root" \
	setpriv --reuid 65534 --regid 65534 --clear-groups "$work/execaudit"
# expect_over FILE TARGET MESSAGE [ARG...]: with FILE bound over TARGET,
# execaudit ARG... exits with 1 and says MESSAGE.
expect_over() {
	local rc file=$1 target=$2 msg=$3
	shift 3
	mount --bind "$file" "$target" || return 1
	expect 1 "$msg" "$tool" "$@"
	rc=$?
	umount "$target"
	return $rc
}
# The active LSMs as a kernel booted without the bpf LSM lists them.
echo capability >"$work/lsm"
check "no bpf LSM" expect_over "$work/lsm" /sys/kernel/security/lsm \
	"execaudit: the bpf LSM is not active (active: capability): boot with lsm=capability,bpf on the kernel command line"
echo capability,bpf >"$work/lsm-noima"
check "--deny-hash without IMA" expect_over "$work/lsm-noima" /sys/kernel/security/lsm \
	"execaudit: --deny-hash needs IMA, which is not active (active: capability,bpf)" --deny-hash "$sha"
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
check "--help says that without --pin the rules end with the process" \
	eval '"$tool" --help | grep -q "Without --pin, the rules end with the process"'

echo "== the man page"
manopts() {
	local o missing=0
	for o in $("$tool" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		# troff spells --max-args \-\-max\-args
		grep -qF -- "${o//-/\\-}" "$man" || { echo "  $o is not in $man"; missing=1; }
	done
	return $missing
}
check "every option of --help is in the man page" manopts
# Every key of the JSON records above must be in the schema of the man page.
manschema() {
	local k missing=0
	for k in $(python3 -c '
import json, sys
keys = set()
for f in sys.argv[1:]:
    for l in open(f):
        keys |= set(json.loads(l).keys())
print(" ".join(sorted(keys)))' "$json"); do
		grep -qxF ".B $k" "$man" || { echo "  JSON field $k is not in the man page's schema"; missing=1; }
	done
	return $missing
}
check "every JSON field the tool printed is in the man page's schema" manschema

umount "$work"
rm -rf "$work"
echo "execaudit e2e: $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
