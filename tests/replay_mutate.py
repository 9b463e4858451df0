#!/usr/bin/env python3
# Corrupt a record file as a recorder bug would: "flip" inverts one byte of
# the address of the first recorded load of the first record that has one;
# "drop" removes that load item. Prints the instruction index of the item,
# which "bpfreplay check" must name; exits 3 when there is no such item.
# "dropmem" removes the last stack memory item of 64 bytes or more, as a
# recorder that missed what a helper wrote (for the file of a program that
# copies user memory into its stack): the replay must diverge where the
# program reads those bytes, which this prints as "any".
# Format: Documentation/bpf/record.rst.
import struct
import sys

LOAD = 1
MEM = 4
TRUNCATED = 1
mode, src, dst = sys.argv[1:4]
data = bytearray(open(src, 'rb').read())


def last_mem(data, off):
    """(record offset, item offset, item size) of the last big MEM item"""
    found = None
    while off < len(data):
        flags = struct.unpack_from('<H', data, off + 6)[0]
        rlen, nr_items = struct.unpack_from('<I', data, off + 8)[0], struct.unpack_from('<I', data, off + 20)[0]
        p = off + 112
        for _ in range(nr_items if not flags & TRUNCATED else 0):
            insn, kind, ilen = struct.unpack_from('<IHH', data, p)
            size = 8 + ((ilen + 7) & ~7)
            if kind == MEM and ilen >= 8 + 64:
                found = (off, p, size)
            p += size
        off += rlen
    return found
hdr_len, nr_insns = struct.unpack_from('<I', data, 8)[0], struct.unpack_from('<I', data, 20)[0]
off = hdr_len + nr_insns * 8
if mode == 'dropmem':
    found = last_mem(data, off)
    if not found:
        print('no stack memory item of 64 bytes')
        sys.exit(3)
    roff, p, size = found
    del data[p:p + size]
    struct.pack_into('<I', data, roff + 8, struct.unpack_from('<I', data, roff + 8)[0] - size)
    struct.pack_into('<I', data, roff + 20, struct.unpack_from('<I', data, roff + 20)[0] - 1)
    open(dst, 'wb').write(data)
    print('any')
    sys.exit(0)
while off < len(data):
    flags = struct.unpack_from('<H', data, off + 6)[0]
    rlen = struct.unpack_from('<I', data, off + 8)[0]
    nr_items = struct.unpack_from('<I', data, off + 20)[0]
    p = off + 112
    # a truncated record need not show a dropped item: skip those
    for _ in range(nr_items if not flags & TRUNCATED else 0):
        insn, kind, ilen = struct.unpack_from('<IHH', data, p)
        size = 8 + ((ilen + 7) & ~7)
        if kind == LOAD:
            if mode == 'flip':
                data[p + 8] ^= 0xff
            else:
                del data[p:p + size]
                struct.pack_into('<I', data, off + 8, rlen - size)
                struct.pack_into('<I', data, off + 20, nr_items - 1)
            open(dst, 'wb').write(data)
            print(insn)
            sys.exit(0)
        p += size
    off += rlen
print('no such item in an untruncated record')
sys.exit(3)
