#!/usr/bin/env python3
"""The BR/EDR security exchanges of a btsnoop capture, one a line, for tests to check.

    btsnoop_security.py FILE [--index N] [--from S] [--to S] [--live]

Reads an H4 capture (datalink 1002: l2kit's --btsnoop) or a btmon one (datalink 2001, `btmon
-w`: every controller of a machine; --index N keeps controller hciN's records) and prints each
security step of BR/EDR pairing and encryption as a line

    <unix time> hciN|host cmd|evt NAME field=value ...

("host" for an H4 capture, which has one controller)
the IO capability exchange, User Confirmation / Passkey (with the value), Link Key Request and
its replies, Link Key Notification (with the key type), Simple Pairing / Authentication
Complete, Encryption Change v1 / v2 (v2 with the key size), Read Encryption Key Size and its
result, a security command the controller refused (Command Status), the bring-up's Simple
Pairing Mode / Secure Connections Host Support, the peer's host features (Read Remote Extended
Features and its page's Simple Pairing / Secure Connections host bits); on LE, the SMP PDUs (fixed channel 0x0006,
"smp-out" / "smp-in" with the code's name and a Pairing Failed's reason), LE Enable Encryption
and the Long Term Key Request with its replies.  --from / --to (Unix time, seconds) keep the
records of a time window (btmon's timestamps are the machine's clock); --live reads a capture
btmon is still writing, whose last record may be incomplete (it is left out).  Every field is decoded
only after its length is checked; a record too short for a field prints '?'.  A test greps the
lines (tests/vm/scenario_security.sh); BlueZ's btmon -r decodes the same capture independently.
Exits 1 on a malformed or truncated capture."""
import struct
import sys


# Security-related HCI commands (opcode -> name, parameter decoder) and events
def _bd(p):
    return ':'.join('%02X' % b for b in reversed(p[0:6])) if len(p) >= 6 else '?'


def _u16(p, o):
    return struct.unpack('<H', p[o:o + 2])[0] if len(p) >= o + 2 else -1


SEC_CMDS = {
    0x0411: ('Authentication_Requested', lambda p: 'handle=0x%03x' % (_u16(p, 0) & 0xFFF)),
    0x0413: ('Set_Connection_Encryption', lambda p: 'handle=0x%03x enable=%d' % (_u16(p, 0) & 0xFFF, p[2] if len(p) > 2 else -1)),
    0x040B: ('Link_Key_Request_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x040C: ('Link_Key_Request_Negative_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x040D: ('PIN_Code_Request_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x040E: ('PIN_Code_Request_Negative_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x042B: ('IO_Capability_Request_Reply', lambda p: 'bdaddr=%s io_cap=%d oob=%d auth_req=0x%02x'
             % ((_bd(p),) + (tuple(p[6:9]) if len(p) >= 9 else (-1, -1, -1)))),
    0x0434: ('IO_Capability_Request_Negative_Reply', lambda p: 'bdaddr=%s reason=0x%02x' % (_bd(p), p[6] if len(p) > 6 else -1)),
    0x042C: ('User_Confirmation_Request_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x042D: ('User_Confirmation_Request_Negative_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x042E: ('User_Passkey_Request_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x042F: ('User_Passkey_Request_Negative_Reply', lambda p: 'bdaddr=%s' % _bd(p)),
    0x041C: ('Read_Remote_Extended_Features', lambda p: 'handle=0x%03x page=%d' % (_u16(p, 0) & 0xFFF, p[2] if len(p) > 2 else -1)),
    0x0C56: ('Write_Simple_Pairing_Mode', lambda p: 'mode=%d' % (p[0] if p else -1)),
    0x0C7A: ('Write_Secure_Connections_Host_Support', lambda p: 'support=%d' % (p[0] if p else -1)),
    0x1408: ('Read_Encryption_Key_Size', lambda p: 'handle=0x%03x' % (_u16(p, 0) & 0xFFF)),
}
SEC_EVTS = {
    0x06: ('Authentication_Complete', lambda p: 'status=0x%02x handle=0x%03x' % (p[0], _u16(p, 1) & 0xFFF) if len(p) >= 3 else '?'),
    0x08: ('Encryption_Change', lambda p: 'status=0x%02x handle=0x%03x enabled=%d' % (p[0], _u16(p, 1) & 0xFFF, p[3]) if len(p) >= 4 else '?'),
    0x59: ('Encryption_Change_v2', lambda p: 'status=0x%02x handle=0x%03x enabled=%d key_size=%d'
           % (p[0], _u16(p, 1) & 0xFFF, p[3], p[4]) if len(p) >= 5 else '?'),
    0x30: ('Encryption_Key_Refresh_Complete', lambda p: 'status=0x%02x handle=0x%03x' % (p[0], _u16(p, 1) & 0xFFF) if len(p) >= 3 else '?'),
    0x23: ('Read_Remote_Extended_Features_Complete', lambda p: 'status=0x%02x handle=0x%03x page=%d ssp_host=%d sc_host=%d'
           % (p[0], _u16(p, 1) & 0xFFF, p[3], p[5] & 1, (p[5] >> 3) & 1) if len(p) >= 13 else '?'),
    0x16: ('PIN_Code_Request', lambda p: 'bdaddr=%s' % _bd(p)),
    0x17: ('Link_Key_Request', lambda p: 'bdaddr=%s' % _bd(p)),
    0x18: ('Link_Key_Notification', lambda p: 'bdaddr=%s key_type=0x%02x' % (_bd(p), p[22]) if len(p) >= 23 else '?'),
    0x31: ('IO_Capability_Request', lambda p: 'bdaddr=%s' % _bd(p)),
    0x32: ('IO_Capability_Response', lambda p: 'bdaddr=%s io_cap=%d oob=%d auth_req=0x%02x'
           % ((_bd(p),) + tuple(p[6:9])) if len(p) >= 9 else '?'),
    0x33: ('User_Confirmation_Request', lambda p: 'bdaddr=%s value=%06d' % (_bd(p), struct.unpack('<I', p[6:10])[0]) if len(p) >= 10 else '?'),
    0x34: ('User_Passkey_Request', lambda p: 'bdaddr=%s' % _bd(p)),
    0x3B: ('User_Passkey_Notification', lambda p: 'bdaddr=%s passkey=%06d' % (_bd(p), struct.unpack('<I', p[6:10])[0]) if len(p) >= 10 else '?'),
    0x36: ('Simple_Pairing_Complete', lambda p: 'status=0x%02x bdaddr=%s' % (p[0], _bd(p[1:])) if len(p) >= 7 else '?'),
}
SMP_CODES = {0x01: 'Pairing_Request', 0x02: 'Pairing_Response', 0x03: 'Pairing_Confirm', 0x04: 'Pairing_Random',
             0x05: 'Pairing_Failed', 0x06: 'Encryption_Information', 0x07: 'Central_Identification',
             0x08: 'Identity_Information', 0x09: 'Identity_Address_Information', 0x0A: 'Signing_Information',
             0x0B: 'Security_Request', 0x0C: 'Pairing_Public_Key', 0x0D: 'Pairing_DHKey_Check',
             0x0E: 'Pairing_Keypress_Notification'}
# LE security: commands, and LE Meta subevents (LE Long Term Key Request)
SEC_CMDS.update({
    0x2019: ('LE_Enable_Encryption', lambda p: 'handle=0x%03x' % (_u16(p, 0) & 0xFFF)),
    0x201A: ('LE_Long_Term_Key_Request_Reply', lambda p: 'handle=0x%03x' % (_u16(p, 0) & 0xFFF)),
    0x201B: ('LE_Long_Term_Key_Request_Negative_Reply', lambda p: 'handle=0x%03x' % (_u16(p, 0) & 0xFFF)),
})


def _acl(p, who, t, out):
    """An ACL packet's SMP PDU (fixed channel 0x0006, first fragment), as a line."""
    if len(p) < 9:
        return
    pb = (_u16(p, 0) >> 12) & 3
    if pb not in (0, 2) or _u16(p, 6) != 0x0006:
        return
    code = p[8]
    extra = ' reason=0x%02x' % p[9] if code == 0x05 and len(p) >= 10 else ''
    print('%.6f %s smp-%s %s%s' % (t, who, 'out' if out else 'in', SMP_CODES.get(code, 'code=0x%02x' % code), extra))


# btsnoop timestamps: microseconds since 0000-01-01; Unix time 0 is this many after
BTSNOOP_EPOCH_US = 0x00dcddb30f2f8000


def security(path, args):
    index = int(args[args.index('--index') + 1]) if '--index' in args else None
    t_from = float(args[args.index('--from') + 1]) if '--from' in args else None
    t_to = float(args[args.index('--to') + 1]) if '--to' in args else None
    live = '--live' in args
    data = open(path, 'rb').read()
    if data[:8] != b'btsnoop\0':
        print('not a btsnoop file'); return 1
    ver, dlt = struct.unpack('>II', data[8:16])
    if ver != 1 or dlt not in (1002, 2001):
        print('unexpected version/datalink', ver, dlt); return 1
    off = 16
    while off < len(data):
        if off + 24 > len(data):
            if live:
                break
            print('ERROR truncated record header at %d' % off); return 1
        olen, ilen, flags, drops, ts = struct.unpack('>IIIIQ', data[off:off + 24])
        rec = data[off + 24:off + 24 + ilen]
        if len(rec) != ilen:
            if live:
                break
            print('ERROR truncated record at %d' % off); return 1
        off += 24 + ilen
        t = (ts - BTSNOOP_EPOCH_US) / 1e6
        if (t_from is not None and t < t_from) or (t_to is not None and t > t_to):
            continue
        if dlt == 1002:  # H4: the packet type first; flags bit 0: received (controller to host)
            if len(rec) < 1:
                continue
            kind, idx, p = {1: 'cmd', 4: 'evt', 2: 'acl'}.get(rec[0]), None, rec[1:]
            out = not (flags & 1)
        else:  # monitor: flags = index << 16 | opcode (2 command, 3 event, 4/5 ACL sent/received)
            kind, idx, p = {2: 'cmd', 3: 'evt', 4: 'acl', 5: 'acl'}.get(flags & 0xFFFF), flags >> 16, rec
            out = (flags & 0xFFFF) == 4
        if kind is None or (index is not None and idx is not None and idx != index):
            continue
        who = 'host' if idx is None else 'hci%d' % idx
        if kind == 'acl':
            _acl(p, who, t, out)
        elif kind == 'cmd' and len(p) >= 3:
            op = _u16(p, 0)
            if op in SEC_CMDS:
                name, dec = SEC_CMDS[op]
                print('%.6f %s cmd %s %s' % (t, who, name, dec(p[3:3 + p[2]])))
        elif kind == 'evt' and len(p) >= 2:
            ev, prm = p[0], p[2:2 + p[1]]
            if ev in SEC_EVTS:
                name, dec = SEC_EVTS[ev]
                print('%.6f %s evt %s %s' % (t, who, name, dec(prm)))
            elif ev == 0x3E and len(prm) >= 3 and prm[0] == 0x05:  # LE Long Term Key Request
                print('%.6f %s evt LE_Long_Term_Key_Request handle=0x%03x' % (t, who, _u16(prm, 1) & 0xFFF))
            elif ev == 0x0E and len(prm) >= 7 and _u16(prm, 1) == 0x1408:  # Command Complete
                print('%.6f %s evt Read_Encryption_Key_Size_Complete status=0x%02x handle=0x%03x key_size=%d'
                      % (t, who, prm[3], _u16(prm, 4) & 0xFFF, prm[6]))
            elif ev == 0x0F and len(prm) >= 4 and _u16(prm, 2) in SEC_CMDS and prm[0]:  # Command Status, failed
                print('%.6f %s evt Command_Status status=0x%02x for %s'
                      % (t, who, prm[0], SEC_CMDS[_u16(prm, 2)][0]))
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1].startswith('-'):
        print(__doc__.split('\n\n')[1]); sys.exit(2)
    sys.exit(security(sys.argv[1], sys.argv[2:]))
