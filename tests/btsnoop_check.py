#!/usr/bin/env python3
"""Independent checks on a btsnoop capture (H4 datalink 1002) written by l2kit.

    btsnoop_check.py FILE [--max-inflight N] [--acl-mtu N]
    btsnoop_check.py FILE --acl-bytes out|in     print only the ACL payload bytes sent or received

Walks the records in order and verifies that the host never had more ACL packets outstanding in
the controller than N (outgoing ACL packets minus those reported by Number Of Completed Packets,
per the order the host saw them), and that no outgoing ACL packet carried more than --acl-mtu
bytes.  Prints a summary; exits 1 on any violation or malformed record."""
import struct
import sys


def main():
    args = sys.argv[1:]
    path = args[0]
    max_inflight = None
    acl_mtu = None
    if '--acl-bytes' in args:
        want = 0 if args[args.index('--acl-bytes') + 1] == 'out' else 1
        d = open(path, 'rb').read()
        off, n = 16, 0
        while off + 24 <= len(d):
            il, fl = struct.unpack('>I', d[off + 4:off + 8])[0], struct.unpack('>I', d[off + 8:off + 12])[0]
            p = d[off + 24:off + 24 + il]
            off += 24 + il
            if (fl & 1) == want and p[:1] == b'\x02':
                n += len(p) - 5
        print(n)
        return 0
    for i, a in enumerate(args):
        if a == '--max-inflight':
            max_inflight = int(args[i + 1])
        if a == '--acl-mtu':
            acl_mtu = int(args[i + 1])
    data = open(path, 'rb').read()
    if data[:8] != b'btsnoop\0':
        print('not a btsnoop file'); return 1
    ver, dlt = struct.unpack('>II', data[8:16])
    if ver != 1 or dlt != 1002:
        print('unexpected version/datalink', ver, dlt); return 1
    off = 16
    inflight = peak = acl_out = nocp = records = 0
    errors = []
    while off < len(data):
        if off + 24 > len(data):
            errors.append('truncated record header at %d' % off); break
        olen, ilen, flags, drops, ts = struct.unpack('>IIIIQ', data[off:off + 24])
        off += 24
        rec = data[off:off + ilen]
        off += ilen
        records += 1
        if len(rec) != ilen or ilen < 1:
            errors.append('truncated record %d' % records); break
        incoming = flags & 1
        t, p = rec[0], rec[1:]
        if t == 2 and not incoming:
            dlen = struct.unpack('<H', p[2:4])[0]
            if dlen != len(p) - 4:
                errors.append('record %d: ACL length %d != %d' % (records, dlen, len(p) - 4))
            if acl_mtu is not None and dlen > acl_mtu:
                errors.append('record %d: ACL packet of %d bytes > controller mtu %d' % (records, dlen, acl_mtu))
            acl_out += 1
            inflight += 1
            peak = max(peak, inflight)
            if max_inflight is not None and inflight > max_inflight:
                errors.append('record %d: %d ACL packets in the controller > %d buffers' % (records, inflight, max_inflight))
        elif t == 4 and incoming and len(p) >= 3 and p[0] == 0x13:
            for i in range(p[2]):
                e = p[3 + 4 * i:7 + 4 * i]
                if len(e) == 4:
                    c = struct.unpack('<H', e[2:4])[0]
                    inflight -= c
                    nocp += c
        elif t == 4 and incoming and len(p) >= 2 and p[0] == 0x05:
            inflight = 0  # disconnection: the controller dropped what it held (one link here)
    print('%s: %d records, %d ACL packets out, %d completed, peak in controller %d'
          % (path, records, acl_out, nocp, peak))
    for e in errors[:20]:
        print('ERROR', e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
