#!/usr/bin/env python3
"""Independent checks on a btsnoop capture (H4 datalink 1002) written by l2kit.

    btsnoop_check.py FILE [--max-inflight N] [--acl-mtu N] [--expect-c2h]
    btsnoop_check.py FILE --acl-bytes out|in     print only the ACL payload bytes sent or received
    btsnoop_check.py FILE --pairing [--expect-no-pairing | --expect-pairing]

Walks the records in order and verifies that the host never had more ACL packets outstanding in
the controller than N (outgoing ACL packets minus those reported by Number Of Completed Packets,
per the order the host saw them), and that no outgoing ACL packet carried more than --acl-mtu
bytes.  When the host turned controller-to-host flow control on (Host Buffer Size, then Set
Controller To Host Flow Control with ACL on), also that the controller never had more ACL packets
at the host than the host announced, none longer than announced, and that the host's Host Number
Of Completed Packets never reported more packets of a handle than it had received (a handle's
count starts again at its Disconnection Complete); --expect-c2h fails a capture where it is not
on.  Prints a summary; exits 1 on any violation or malformed record.

--pairing counts what pairing leaves in a capture: the BR/EDR pairing events (PIN Code Request,
Link Key Notification, IO Capability Request / Response, User Confirmation / Passkey Request,
User Passkey Notification, Simple Pairing Complete) and the SMP pairing PDUs on the LE fixed
channel 0x0006 (Pairing Request / Response / Confirm / Random / Public Key / DHKey Check); the
use of a stored key (Link Key Request Reply, LE Enable Encryption, LE Long Term Key Request
Reply) and the encryption turned on (Encryption Change v1 / v2 with success and encryption on).
--expect-no-pairing fails a capture with any pairing event or PDU, or without a stored key used
and encryption on (a bonded reconnect); --expect-pairing fails one without pairing."""

BR_PAIRING_EVENTS = {0x16: 'PIN Code Request', 0x18: 'Link Key Notification', 0x31: 'IO Capability Request',
                     0x32: 'IO Capability Response', 0x33: 'User Confirmation Request',
                     0x34: 'User Passkey Request', 0x36: 'Simple Pairing Complete',
                     0x3B: 'User Passkey Notification'}
SMP_PAIRING_CODES = {0x01: 'Pairing Request', 0x02: 'Pairing Response', 0x03: 'Pairing Confirm',
                     0x04: 'Pairing Random', 0x0C: 'Pairing Public Key', 0x0D: 'Pairing DHKey Check'}
STORED_KEY_CMDS = {0x040B: 'Link Key Request Reply', 0x2019: 'LE Enable Encryption',
                   0x201A: 'LE Long Term Key Request Reply'}


def pairing_report(path, args):
    data = open(path, 'rb').read()
    if data[:8] != b'btsnoop\0':
        print('not a btsnoop file'); return 1
    off, seen, keys, enc = 16, {}, {}, 0
    while off + 24 <= len(data):
        ilen, flags = struct.unpack('>I', data[off + 4:off + 8])[0], struct.unpack('>I', data[off + 8:off + 12])[0]
        rec = data[off + 24:off + 24 + ilen]
        off += 24 + ilen
        if len(rec) != ilen or ilen < 1:
            print('truncated record'); return 1
        t, p, incoming = rec[0], rec[1:], flags & 1
        if t == 4 and incoming and len(p) >= 2:
            code = p[0]
            if code in BR_PAIRING_EVENTS:
                seen[BR_PAIRING_EVENTS[code]] = seen.get(BR_PAIRING_EVENTS[code], 0) + 1
            # Encryption Change v1 (0x08) / v2 (0x59): status, handle, enabled
            if code in (0x08, 0x59) and len(p) >= 6 and p[2] == 0 and p[5] != 0:
                enc += 1
        elif t == 1 and not incoming and len(p) >= 2:
            op = struct.unpack('<H', p[0:2])[0]
            if op in STORED_KEY_CMDS:
                keys[STORED_KEY_CMDS[op]] = keys.get(STORED_KEY_CMDS[op], 0) + 1
        elif t == 2 and len(p) >= 9:
            pb = (struct.unpack('<H', p[0:2])[0] >> 12) & 3
            cid = struct.unpack('<H', p[6:8])[0]
            if pb in (0, 2) and cid == 0x0006 and p[8] in SMP_PAIRING_CODES:
                name = 'SMP ' + SMP_PAIRING_CODES[p[8]]
                seen[name] = seen.get(name, 0) + 1
    fmt = lambda d: ', '.join('%s x%d' % kv for kv in sorted(d.items())) or 'none'
    print('%s: pairing: %s; stored key used: %s; encryption on: %d' % (path, fmt(seen), fmt(keys), enc))
    if '--expect-no-pairing' in args:
        if seen:
            print('ERROR: pairing in a capture that should have none'); return 1
        if not keys or not enc:
            print('ERROR: no stored key used and encryption on'); return 1
    if '--expect-pairing' in args and not seen:
        print('ERROR: no pairing in the capture'); return 1
    return 0
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
    if '--pairing' in args:
        return pairing_report(path, args)
    expect_c2h = '--expect-c2h' in args
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
    # controller to host: announced buffers, on/off, per handle received-but-not-reported
    host_len = host_count = None
    c2h_on = False
    at_host = {}
    c2h_in = c2h_reported = c2h_peak = c2h_cmds = 0
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
            if len(p) >= 5 and p[2] == 0:
                at_host.pop(struct.unpack('<H', p[3:5])[0] & 0x0FFF, None)
        if t == 1 and not incoming and len(p) >= 3:
            op = struct.unpack('<H', p[0:2])[0]
            prm = p[3:]
            if op == 0x0C33 and len(prm) >= 7:
                host_len = struct.unpack('<H', prm[0:2])[0]
                host_count = struct.unpack('<H', prm[3:5])[0]
            elif op == 0x0C31 and len(prm) >= 1:
                c2h_on = (prm[0] & 1) == 1
                if c2h_on and host_count is None:
                    errors.append('record %d: flow control on before Host Buffer Size' % records)
            elif op == 0x0C35 and len(prm) >= 1:
                c2h_cmds += 1
                if len(prm) != 1 + 4 * prm[0]:
                    errors.append('record %d: Host Number Of Completed Packets of %d octets for %d handles'
                                  % (records, len(prm), prm[0]))
                for i in range(prm[0]):
                    e = prm[1 + 4 * i:5 + 4 * i]
                    if len(e) < 4:
                        break
                    h = struct.unpack('<H', e[0:2])[0] & 0x0FFF
                    c = struct.unpack('<H', e[2:4])[0]
                    c2h_reported += c
                    if c > at_host.get(h, 0):
                        errors.append('record %d: reported %d packets of handle 0x%03x, %d received'
                                      % (records, c, h, at_host.get(h, 0)))
                    at_host[h] = at_host.get(h, 0) - c
        elif t == 2 and incoming and c2h_on and len(p) >= 4:
            h = struct.unpack('<H', p[0:2])[0] & 0x0FFF
            dlen = struct.unpack('<H', p[2:4])[0]
            c2h_in += 1
            at_host[h] = at_host.get(h, 0) + 1
            held = sum(at_host.values())
            c2h_peak = max(c2h_peak, held)
            if held > host_count:
                errors.append('record %d: %d ACL packets at the host > %d announced' % (records, held, host_count))
            if dlen > host_len:
                errors.append('record %d: ACL packet of %d bytes to the host > %d announced' % (records, dlen, host_len))
    print('%s: %d records, %d ACL packets out, %d completed, peak in controller %d'
          % (path, records, acl_out, nocp, peak))
    if c2h_on:
        print('%s: controller-to-host flow control on (%d x %d): %d ACL packets in, %d reported in %d commands, '
              'peak at the host %d' % (path, host_count, host_len, c2h_in, c2h_reported, c2h_cmds, c2h_peak))
    elif expect_c2h:
        errors.append('controller-to-host flow control was not turned on')
    for e in errors[:20]:
        print('ERROR', e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
