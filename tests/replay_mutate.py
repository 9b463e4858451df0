#!/usr/bin/env python3
# Corrupt a record file as a recorder bug would: "flip" inverts one byte of
# the address of the first recorded load of the first record that has one;
# "drop" removes that load item. Prints the instruction index of the item,
# which "bpfreplay check" must name, and the number of its source line in
# the file's line info (0 without), which it must name too; exits 3 when
# there is no such item.
# "dropmem" removes the last stack memory item of 64 bytes or more, as a
# recorder that missed what a helper wrote (for the file of a program that
# copies user memory into its stack): the replay must diverge where the
# program reads those bytes, which this prints as "any". "droplastmem" does
# the same with the last stack memory item of any size (for the file of a
# program whose calls write its caller's stack through other pointers).
# Format: Documentation/bpf/record.rst.
# For a program with callbacks: "dropcb" removes the last invocation of a
# callback that a helper made (its callback item, what it recorded and its
# return item), as a recorder that missed one; the replay must diverge at
# the helper's call, whose stack bytes the missing invocation wrote.
# "flipret" inverts the low byte of the first callback's return value: the
# replay must diverge at the callback's exit.
# For a program that tail calls: "droptail" removes the item of the first
# tail call that was taken, as a recorder that missed the program the run
# went on in: the replay must diverge at that bpf_tail_call().
# "flipasync" and "dropasync" do what "flip" and "drop" do, in the first
# run of a timer or bpf_wq callback (BPF_RECORD_ASYNC).
# "flipreg2" inverts the low byte of R2 at entry in the first record that
# is neither truncated nor a callback's (for the file of an extension, whose
# second argument is R2): the replay must diverge at the first store, which
# stores what the program made of it.
# A file may hold more programs after the first one's records (those its
# runs tail call into): the mutations touch the first program's records.
import struct
import sys

LOAD = 1
CALL = 3
MEM = 4
CALLBACK = 9
RETURN = 10
STORE = 6
TAIL_CALL = 11
FILE_MAGIC = b'BPFREC\0\2'
TRUNCATED = 1
ASYNC = 4
mode, src, dst = sys.argv[1:4]
data = bytearray(open(src, 'rb').read())


def items(data, off):
    """(offset, insn, kind, size) of each item of the record at off"""
    nr_items = struct.unpack_from('<I', data, off + 20)[0]
    p, out = off + 112, []
    for _ in range(nr_items):
        insn, kind, ilen = struct.unpack_from('<IHH', data, p)
        size = 8 + ((ilen + 7) & ~7)
        out.append((p, insn, kind, size))
        p += size
    return out


def callbacks(data, off, mode):
    """mutate the first untruncated record with callbacks; True if done"""
    while off < rec_end:
        flags = struct.unpack_from('<H', data, off + 6)[0]
        rlen = struct.unpack_from('<I', data, off + 8)[0]
        its = [] if flags & TRUNCATED else items(data, off)
        for i, (p, insn, kind, size) in enumerate(its):
            if mode == 'flipret' and kind == RETURN:
                data[p + 8] ^= 0xff
                open(dst, 'wb').write(data)
                report(insn)
                return True
            if mode != 'dropcb' or kind != CALLBACK:
                continue
            depth = 0
            for j in range(i, len(its)):
                depth += {CALLBACK: 1, RETURN: -1}.get(its[j][2], 0)
                if not depth:
                    break
            # the last invocation: the helper's call item follows it
            if depth or j + 1 >= len(its) or its[j + 1][2] != CALL:
                continue
            start, end = p, its[j][0] + its[j][3]
            del data[start:end]
            struct.pack_into('<I', data, off + 8, rlen - (end - start))
            struct.pack_into('<I', data, off + 20, len(its) - (j + 1 - i))
            open(dst, 'wb').write(data)
            report(its[j + 1][1])
            return True
        off += rlen
    return False


def last_mem(data, off, min_len):
    """(record offset, item offset, item size) of the last MEM item that
    holds min_len bytes or more"""
    found = None
    while off < rec_end:
        flags = struct.unpack_from('<H', data, off + 6)[0]
        rlen, nr_items = struct.unpack_from('<I', data, off + 8)[0], struct.unpack_from('<I', data, off + 20)[0]
        p = off + 112
        for _ in range(nr_items if not flags & TRUNCATED else 0):
            insn, kind, ilen = struct.unpack_from('<IHH', data, p)
            size = 8 + ((ilen + 7) & ~7)
            if kind == MEM and ilen >= 8 + min_len:
                found = (off, p, size)
            p += size
        off += rlen
    return found
# the first program's part: header, instructions, line info (16 bytes
# each), func info (8 bytes each), BTF padded to 8 bytes
hdr_len, nr_insns = struct.unpack_from('<I', data, 8)[0], struct.unpack_from('<I', data, 20)[0]
nr_linfo, nr_finfo, btf_len = struct.unpack_from('<III', data, 48)
off = hdr_len + nr_insns * 8 + nr_linfo * 16 + nr_finfo * 8 + ((btf_len + 7) & ~7)


def line_of(insn):
    """the source line number of insn: that of the last line info at or
    before it (struct bpf_line_info: insn_off, file_name_off, line_off,
    line_col = line << 10 | col); 0 without line info"""
    line, p = 0, hdr_len + nr_insns * 8
    for i in range(nr_linfo):
        insn_off, _, _, line_col = struct.unpack_from('<IIII', data, p + 16 * i)
        if insn_off > insn:
            break
        line = line_col >> 10
    return line


def after_tail(data, off, p):
    """whether the item at p of the record at off follows a tail call that
    was taken: it is then another program's, whose line info this does not
    read"""
    for q, _, kind, _ in items(data, off):
        if q >= p:
            return False
        if kind == TAIL_CALL and struct.unpack_from('<I', data, q + 8)[0]:
            return True
    return False


def report(insn, tail=False):
    """the item's instruction, and the source line bpfreplay must name
    (none after a taken tail call: any line then)"""
    print(insn) if tail else print(insn, line_of(insn))
# the first program's records end where the next program's header starts
rec_end = off
while rec_end < len(data) and data[rec_end:rec_end + 8] != FILE_MAGIC:
    rec_end += struct.unpack_from('<I', data, rec_end + 8)[0]
if mode == 'droptail':
    while off < rec_end:
        flags = struct.unpack_from('<H', data, off + 6)[0]
        rlen = struct.unpack_from('<I', data, off + 8)[0]
        for p, insn, kind, size in [] if flags & TRUNCATED else items(data, off):
            if kind == TAIL_CALL and struct.unpack_from('<I', data, p + 8)[0]:
                del data[p:p + size]
                struct.pack_into('<I', data, off + 8, rlen - size)
                struct.pack_into('<I', data, off + 20,
                                 struct.unpack_from('<I', data, off + 20)[0] - 1)
                open(dst, 'wb').write(data)
                report(insn)
                sys.exit(0)
        off += rlen
    print('no tail call taken in an untruncated record')
    sys.exit(3)
if mode == 'flipreg2':
    while off < rec_end:
        flags = struct.unpack_from('<H', data, off + 6)[0]
        rlen = struct.unpack_from('<I', data, off + 8)[0]
        stores = [] if flags & (TRUNCATED | ASYNC) else \
            [insn for p, insn, kind, size in items(data, off) if kind == STORE]
        if stores:
            data[off + 72] ^= 0xff     # bpf_record_hdr.regs[1]
            open(dst, 'wb').write(data)
            report(stores[0])
            sys.exit(0)
        off += rlen
    print('no store in an untruncated run of the program')
    sys.exit(3)
if mode in ('dropcb', 'flipret'):
    if not callbacks(data, off, mode):
        print('no callback in an untruncated record')
        sys.exit(3)
    sys.exit(0)
if mode in ('dropmem', 'droplastmem'):
    found = last_mem(data, off, 64 if mode == 'dropmem' else 1)
    if not found:
        print('no such stack memory item')
        sys.exit(3)
    roff, p, size = found
    del data[p:p + size]
    struct.pack_into('<I', data, roff + 8, struct.unpack_from('<I', data, roff + 8)[0] - size)
    struct.pack_into('<I', data, roff + 20, struct.unpack_from('<I', data, roff + 20)[0] - 1)
    open(dst, 'wb').write(data)
    print('any')
    sys.exit(0)
while off < rec_end:
    flags = struct.unpack_from('<H', data, off + 6)[0]
    rlen = struct.unpack_from('<I', data, off + 8)[0]
    nr_items = struct.unpack_from('<I', data, off + 20)[0]
    p = off + 112
    # a truncated record need not show a dropped item: skip those; the
    # async modes take the run of a timer or bpf_wq callback
    skip = flags & TRUNCATED or (mode.endswith('async') and not flags & ASYNC)
    for _ in range(nr_items if not skip else 0):
        insn, kind, ilen = struct.unpack_from('<IHH', data, p)
        size = 8 + ((ilen + 7) & ~7)
        if kind == LOAD:
            tail = after_tail(data, off, p)
            if mode in ('flip', 'flipasync'):
                data[p + 8] ^= 0xff
            else:
                del data[p:p + size]
                struct.pack_into('<I', data, off + 8, rlen - size)
                struct.pack_into('<I', data, off + 20, nr_items - 1)
            open(dst, 'wb').write(data)
            report(insn, tail)
            sys.exit(0)
        p += size
    off += rlen
print('no such item in an untruncated record')
sys.exit(3)
