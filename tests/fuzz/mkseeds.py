#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/HARNESS/) from btsnoop
captures of valid traffic (the test suite's chan_echo runs over the simulator, and l2kit's
captures of the kernel-interop VM scenario when they are there: ERTM, Streaming, LE and
enhanced credit based traffic as the Linux kernel sends it; see docs/fuzzing.md) plus a few
synthesized scripts for the mode harnesses (ERTM/Streaming frames
with correct control fields, credit indications, timers, application sends).

    python3 tests/fuzz/mkseeds.py OUTDIR CAPTURE.btsnoop...

Seeds are named by the SHA-1 of their content (as libFuzzer names corpus files), so running it
again only adds what is new.  Input formats: fz_script.c, fz_mode.c and each fuzz_*.c."""
import hashlib
import os
import struct
import sys

H4_CMD, H4_ACL, H4_EVT = 1, 2, 4


def read_btsnoop(path):
    """(incoming, type, bytes) for every record of a datalink-1002 (H4) capture."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'btsnoop\0' or struct.unpack('>II', data[8:16]) != (1, 1002):
        raise SystemExit('%s: not a btsnoop H4 capture' % path)
    off, out = 16, []
    while off + 24 <= len(data):
        olen, ilen, flags, _drops, _ts = struct.unpack('>IIIIQ', data[off:off + 24])
        off += 24
        rec = data[off:off + ilen]
        off += ilen
        if len(rec) < 1:
            continue
        out.append((bool(flags & 1), rec[0], rec[1:]))
    return out


def l2cap_pdus(pkts, incoming_only=False):
    """Reassemble ACL into (handle, incoming, cid, payload) per direction and handle."""
    state = {}
    for inc, typ, p in pkts:
        if typ != H4_ACL or len(p) < 4 or (incoming_only and not inc):
            continue
        hf, dlen = struct.unpack('<HH', p[:4])
        handle, pb, d = hf & 0x0FFF, (hf >> 12) & 3, p[4:4 + dlen]
        key = (handle, inc)
        if pb != 1:
            state[key] = bytearray(d)
        elif key in state:
            state[key] += d
        else:
            continue
        buf = state[key]
        if len(buf) >= 4 and len(buf) == 4 + struct.unpack('<H', buf[:2])[0]:
            cid = struct.unpack('<H', buf[2:4])[0]
            yield handle, inc, cid, bytes(buf[4:])
            del state[key]


def lenf(n):
    return bytes([n]) if n < 0xFF else b'\xff' + struct.pack('<H', n)


class Out:
    def __init__(self, root):
        self.root, self.count = root, {}

    def put(self, harness, data, limit=4096):
        data = bytes(data)[:limit]
        d = os.path.join(self.root, harness)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.write(data)
            self.count[harness] = self.count.get(harness, 0) + 1


# RFC option mode -> the harness for channels in that mode
CONF_MODES = {1: 'mode_retrans', 2: 'mode_flowctl', 3: 'mode_ertm', 4: 'mode_streaming'}


def rfc_mode(options):
    """The mode of the RFC option in a configuration option list, or None."""
    off = 0
    while off + 2 <= len(options):
        t, n = options[off], options[off + 1]
        if (t & 0x7F) == 4 and n >= 1 and off + 2 < len(options):
            return options[off + 2]
        off += 2 + n
    return None


def sig_commands(payload):
    off = 0
    while off + 4 <= len(payload):
        code, ident, n = struct.unpack('<BBH', payload[off:off + 4])
        yield code, ident, payload[off + 4:off + 4 + n]
        off += 4 + n


def from_capture(out, pkts, le):
    # H4 stream of what the controller sent (a host framer's input), in slices
    stream = b''.join(bytes([t]) + p for inc, t, p in pkts if inc)
    for i in range(0, min(len(stream), 16384), 2048):
        out.put('h4', b'\x01' + stream[i:i + 2048])
    out.put('h4', b'\x00' + b''.join(bytes([t]) + p for inc, t, p in pkts if not inc)[:4096])
    # events: bring-up answered by the capture's own events, and after a canned bring-up
    evs = [p for inc, t, p in pkts if inc and t == H4_EVT and len(p) >= 2]
    rec = b''.join(b'\x00' + p[:1] + bytes([len(p) - 2]) + p[2:] for p in evs)
    out.put('hci_event', b'\x00' + rec)
    out.put('hci_event', b'\x03' + rec)
    # ACL fragments from the controller, handle mapped onto the harness's links
    acl = bytearray(struct.pack('<HH', 0, 27 if le else 1021))
    for inc, t, p in pkts:
        if inc and t == H4_ACL and len(p) >= 4:
            hf, dlen = struct.unpack('<HH', p[:4])
            hf = (hf & 0xF000) | (2 if le else 1)
            acl += b'\x00' + struct.pack('<HH', hf, len(p) - 4) + p[4:]
    out.put('acl', acl)
    # signaling, options, frames; data PDUs as scripts for the mode/stack harnesses.  The
    # channel mode is read off the signaling (the RFC option of a Configuration Request, an
    # LE or enhanced credit based connection), so that a capture of ERTM traffic - the Linux
    # kernel's, from the VM scenarios - seeds the ERTM harness with real I- and S-frames.
    data_script = bytearray()
    conf_script = bytearray()
    harness = 'mode_le_credit' if le else 'mode_basic'
    frames, sig_codes = 0, {}
    for handle, inc, cid, pl in l2cap_pdus(pkts):
        # a long capture repeats itself: the first 64 data PDUs, 8 commands of each code
        if cid in (1, 5) or frames < 64:
            frames += cid not in (1, 5)
            out.put('frame', struct.pack('<HH', len(pl), cid) + pl)
        if cid in (1, 5):
            code = pl[0] if pl else None
            sig_codes[code] = sig_codes.get(code, 0) + 1
            if sig_codes[code] <= 8:
                out.put('sig', pl)
            for code, ident, d in sig_commands(pl):
                if code == 0x04 and len(d) >= 4:
                    out.put('conf', d[4:])
                    harness = CONF_MODES.get(rfc_mode(d[4:]), harness)
                    if inc:  # the peer's request, aimed at our first channel
                        conf_script += b'\x04\x04' + bytes([ident]) + lenf(len(d)) + b'\x40\x00' + d[2:]
                elif code == 0x05 and len(d) >= 6:
                    out.put('conf', d[6:])
                elif code == 0x17:
                    harness = 'mode_ecfc'
        elif cid >= 0x40 and inc:
            data_script += b'\x00' + lenf(len(pl)) + pl
    for script in (data_script, conf_script):
        # a few scripts of up to 1000 octets (the stack harnesses run with -max_len 1024)
        chunks = [script[i:i + 1000] for i in range(0, min(len(script), 4000), 1000)]
        for chunk in chunks:
            for flags in (0x0C, 0x0E, 0x0D):
                out.put(harness, bytes([flags]) + chunk)
                out.put('stack', bytes([flags]) + chunk)


def synthesized(out):
    """Scripts that reach deeper than captured Basic/LE traffic."""
    def ctrl_i(txseq, reqseq, sar=0, f=0):
        return struct.pack('<H', (sar << 14) | (reqseq << 8) | (f << 7) | (txseq << 1))

    def ctrl_s(s, reqseq, p=0, f=0):
        return struct.pack('<H', (reqseq << 8) | (f << 7) | (p << 4) | (s << 2) | 1)

    # I-frames with a correct FCS (op 0x01), acknowledgements, a poll, a reject, time passing
    ertm = bytearray(b'\x0C')
    for seq in range(6):
        pl = ctrl_i(seq, 0) + bytes([seq]) * 20
        ertm += b'\x01' + lenf(len(pl)) + pl
    segs = [(1, struct.pack('<H', 60) + b'A' * 20), (3, b'B' * 20), (3, b'C' * 20), (2, b'D' * 18)]
    seg = bytearray(b'\x0C')
    for i, (sar, body) in enumerate(segs):
        pl = ctrl_i(i, 0, sar) + body
        seg += b'\x01' + lenf(len(pl)) + pl
    sup = bytearray(b'\x0C')
    for s, p in ((0, 1), (1, 0), (2, 0), (3, 0), (0, 0)):
        pl = ctrl_s(s, 0, p)
        sup += b'\x01' + lenf(len(pl)) + pl
    sup += b'\x0a' + struct.pack('<H', 100) + b'\x09' + struct.pack('<H', 3000)
    sup += b'\x0a' + struct.pack('<H', 300) + b'\x09' + struct.pack('<H', 13000)
    for h in ('mode_ertm', 'mode_streaming', 'mode_retrans', 'mode_flowctl', 'stack'):
        for s in (ertm, seg, sup):
            out.put(h, s)
            out.put(h, b'\x0E' + s[1:])
    # credit based: K-frames (first with SDU length), credits, a segmented SDU, app sends
    k = bytearray(b'\x0C')
    k += b'\x00' + lenf(12) + struct.pack('<H', 10) + b'x' * 10
    k += b'\x00' + lenf(8) + struct.pack('<H', 20) + b'y' * 6
    k += b'\x00' + lenf(14) + b'z' * 14
    k += b'\x14\x16\x07' + lenf(4) + struct.pack('<HH', 0x40, 5)
    k += b'\x0a' + struct.pack('<H', 700) + b'\x09' + struct.pack('<H', 100)
    for h in ('mode_le_credit', 'mode_ecfc', 'stack'):
        out.put(h, k)
        out.put(h, b'\x0D' + k[1:])
    # the application holds reception (op 0x7B, selector bits 4-5) while frames arrive, then
    # releases it: RNR / R bit / withheld credits, then the buffered frames delivered
    hold, release = b'\x7b\x30', b'\x7b\x10'
    for h, sc in (('mode_ertm', ertm), ('mode_retrans', ertm), ('mode_flowctl', ertm),
                  ('mode_streaming', ertm), ('mode_ertm', seg), ('mode_retrans', seg),
                  ('mode_le_credit', k), ('mode_ecfc', k), ('stack', ertm), ('stack', k)):
        out.put(h, b'\x0C' + hold + bytes(sc[1:]) + b'\x09' + struct.pack('<H', 500) + release
                + b'\x09' + struct.pack('<H', 2500))
    # Basic: an SDU, an oversized one, an echo, a disconnect of the channel, link loss
    b = bytearray(b'\x0C')
    b += b'\x00' + lenf(5) + b'hello'
    b += b'\x00' + lenf(700) + b'q' * 700
    b += b'\x04\x08\x21' + lenf(3) + b'abc'
    b += b'\x0a' + struct.pack('<H', 600)
    b += b'\x04\x06\x22' + lenf(4) + struct.pack('<HH', 0x40, 0x40)
    b += b'\x0d'
    for h in ('mode_basic', 'stack'):
        out.put(h, b)
    # Configuration while the channel is open (renegotiation, Vol 3 Part A 7.1.3) and answers
    # to our requests: MTU, flush timeout, QoS, RFC in every mode, FCS, EFS, EWS, an unknown
    # option, continuation flag, unacceptable/rejected/pending results.  The engine's first
    # dynamic CID is 0x0040; the scripted peer's identifiers run from 1.
    def opt(t, v):
        return bytes([t, len(v)]) + v

    def rfc(mode, win=10, maxtx=3, rtx=2000, mon=12000, mps=500):
        return opt(4, struct.pack('<BBBHHH', mode, win, maxtx, rtx, mon, mps))

    efs = opt(6, struct.pack('<BBHII', 1, 1, 672, 0xFFFFFFFF, 0xFFFFFFFF))
    qos = opt(3, struct.pack('<BBIIIII', 0, 1, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF))
    option_sets = [
        opt(1, struct.pack('<H', 1000)) + rfc(3) + opt(5, b'\x00') + opt(7, struct.pack('<H', 100)),
        rfc(4, 0, 0, 0, 0, 300) + opt(5, b'\x01'),
        rfc(1, 5, 2) + opt(2, struct.pack('<H', 100)) + qos,
        rfc(2, 5, 2),
        rfc(0) + opt(1, struct.pack('<H', 48)),
        rfc(3, 63, 0, 0, 0, 48) + efs,
        opt(0x80, b'\x01\x02') + opt(0x09, b'\x01') + rfc(3),
        opt(1, struct.pack('<H', 20)),
    ]
    conf = bytearray(b'\x0C')
    for i, opts in enumerate(option_sets):
        flags = 1 if i == 2 else 0  # one continued request
        conf += b'\x04\x04' + bytes([0x30 + i]) + lenf(4 + len(opts)) + struct.pack('<HH', 0x40, flags) + opts
        conf += b'\x09' + struct.pack('<H', 50)
    rsp = bytearray(b'\x0C')
    for ident in range(1, 6):
        for result, opts in ((1, rfc(0)), (1, rfc(3, 3) + opt(1, struct.pack('<H', 672))), (2, b''),
                             (3, opt(0x55, b'\x00')), (4, b''), (0, efs)):
            rsp += b'\x04\x05' + bytes([ident]) + lenf(6 + len(opts)) + struct.pack('<HHH', 0x40, 0, result) + opts
    rsp += b'\x09' + struct.pack('<H', 5000)
    for h in ('mode_ertm', 'mode_streaming', 'mode_retrans', 'mode_flowctl', 'mode_basic', 'stack'):
        for sc in (conf, rsp):
            out.put(h, sc)
            out.put(h, b'\x08' + sc[1:])  # the peer answers nothing by itself
    # Channels we open with options of our own (extended window, no FCS, flow specification,
    # flush timeout, MTU/MPS, fallback allowed) while the peer answers our Configuration
    # Request unacceptable (with counter-proposals), rejected, with unknown options, pending
    # or flow spec rejected (op 0xFB: mode/initiator/answers, option flags, window, flush
    # timeout, MTU, MPS, result, answer options)
    answers = [
        (1, opt(1, struct.pack('<H', 300)) + opt(2, struct.pack('<H', 200)) + rfc(3, 5, 3, 0, 0, 100)),
        (1, rfc(4, 0, 0, 0, 0, 60) + opt(5, b'\x01')),
        (1, rfc(0) + opt(7, struct.pack('<H', 0))),
        (1, rfc(2, 4) + opt(7, struct.pack('<H', 10)) + opt(1, struct.pack('<H', 40))),
        (1, b''), (2, b''), (3, opt(6, b'') + opt(7, b'')), (4, b''), (5, efs), (0, efs + rfc(3, 1)),
    ]
    for h in ('mode_ertm', 'mode_streaming', 'mode_retrans', 'mode_flowctl', 'mode_basic', 'stack'):
        for mode in range(5):
            sc = bytearray(b'\x0C')
            for i, (result, opts) in enumerate(answers):
                v = mode | (8 if i % 3 else 0) | ((i % 4) << 4)
                f = [0x00, 0x01 | 0x20, 0x02, 0x04 | 0x40, 0x08 | 0x10, 0x80, 0x21, 0xE3, 0x10, 0x08][i]
                rec = bytes([0xFB, v, f]) + struct.pack('<HHHHH', 200, 500, 1000, 300, result)
                rec += lenf(len(opts)) + opts + b'\x09' + struct.pack('<H', 3000)
                out.put(h, b'\x0C' + rec)
                sc += rec
            out.put(h, sc)
    # Enhanced credit based: reconfiguration requests from the peer (MTU up, MTU down, MPS
    # down for several channels, unknown CID, too short), further connection requests with
    # several CIDs, and responses with mixed results (sent on LE: op hi bit 0 set)
    ec = bytearray(b'\x0C')
    for mtu, mps, cids in ((1000, 200, [0x40]), (100, 200, [0x40]), (1000, 64, [0x40, 0x41]),
                           (1000, 200, [0x7F]), (64, 64, [])):
        body = struct.pack('<HH', mtu, mps) + b''.join(struct.pack('<H', c) for c in cids)
        ec += b'\x14\x19' + bytes([0x40 + mtu % 7]) + lenf(len(body)) + body
        ec += b'\x09' + struct.pack('<H', 20)
    body = struct.pack('<HHHH', 0x0081, 512, 200, 10) + b''.join(struct.pack('<H', 0x60 + i) for i in range(5))
    ec += b'\x14\x17\x50' + lenf(len(body)) + body
    body = struct.pack('<HHHH', 600, 100, 5, 0x0004) + struct.pack('<HH', 0x61, 0)
    ec += b'\x14\x18\x02' + lenf(len(body)) + body
    ec += b'\x14\x1a\x03' + lenf(2) + struct.pack('<H', 0)
    ec += b'\x0b' + b'\x09' + struct.pack('<H', 4000)
    for h in ('mode_ecfc', 'stack'):
        out.put(h, ec)
        out.put(h, b'\x0D' + ec[1:])
        out.put(h, b'\x04\x04\x19\x01' + lenf(6) + struct.pack('<HHH', 1000, 200, 0x40))  # on BR/EDR
    # whole stack: connectionless data, an unknown CID, fixed channels, fragments, events
    s = bytearray(b'\x0C')
    s += b'\x06' + struct.pack('<H', 2) + lenf(6) + struct.pack('<H', 0x1001) + b'data'
    s += b'\x16' + struct.pack('<H', 6) + lenf(11) + bytes([1, 3, 0, 1, 16, 7, 7])
    s += b'\x02' + lenf(30) + b'f' * 30 + bytes([7])
    s += b'\x07' + struct.pack('<H', 0x1001) + lenf(8) + struct.pack('<HH', 20, 0x40) + b'pppp'
    s += b'\x08\x3e' + bytes([11]) + bytes([6, 2, 0, 24, 0, 40, 0, 0, 0, 0xf4, 1])
    s += b'\x4b\x00' + b'\x2b\x05'
    out.put('stack', s)


def codec_seeds(out):
    """Option lists and signaling commands the captures do not carry."""
    mtu = bytes([1, 2]) + struct.pack('<H', 672)
    flush = bytes([2, 2]) + struct.pack('<H', 0xFFFF)
    qos = bytes([3, 22, 0, 1]) + struct.pack('<IIIII', 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF)
    fcs = bytes([5, 1, 1])
    efs = bytes([6, 16, 1, 1]) + struct.pack('<HIII', 672, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    ews = bytes([7, 2]) + struct.pack('<H', 0x3FFF)
    for mode in range(5):
        rfc = bytes([4, 9, mode, 10, 3]) + struct.pack('<HHH', 2000, 12000, 1010)
        out.put('conf', mtu + rfc + fcs)
    out.put('conf', mtu + flush + qos + fcs + efs + ews)
    out.put('conf', mtu + bytes([0x85, 1, 0]) + bytes([0x99, 3, 1, 2, 3]) + bytes([0x19, 0]))
    out.put('conf', bytes([1, 2, 0x30]))  # cut short
    sig = []
    sig.append(bytes([0x17, 1, 14, 0]) + struct.pack('<HHHHHHH', 0x81, 512, 200, 32, 0x40, 0x41, 0x42))
    sig.append(bytes([0x18, 1, 12, 0]) + struct.pack('<HHHHHH', 512, 200, 32, 0, 0x40, 0x41))
    sig.append(bytes([0x19, 2, 8, 0]) + struct.pack('<HHHH', 600, 200, 0x40, 0x41))
    sig.append(bytes([0x1A, 2, 2, 0, 0, 0]))
    sig.append(bytes([0x16, 3, 4, 0]) + struct.pack('<HH', 0x40, 10))
    sig.append(bytes([0x12, 4, 8, 0]) + struct.pack('<HHHH', 24, 40, 0, 500))
    sig.append(bytes([0x0B, 5, 8, 0]) + struct.pack('<HHI', 2, 0, 0x2B8))
    sig.append(bytes([0x0B, 6, 12, 0]) + struct.pack('<HHQ', 3, 0, 0x86))
    sig.append(bytes([0x01, 7, 6, 0]) + struct.pack('<HHH', 2, 0x40, 0x41))
    sig.append(bytes([0x08, 8, 3, 0]) + b'abc')
    for c in sig:
        out.put('sig', c)
    out.put('sig', b''.join(sig))
    # G-frames (connectionless, 3.2): PSM 0x1001 with a payload, a bare PSM, half a PSM
    for g in (struct.pack('<H', 0x1001) + b'abc', struct.pack('<H', 0x1001), b'\x01'):
        out.put('frame', struct.pack('<HH', len(g), 2) + g)


def smp_seeds(out):
    """LE pairings for fuzz_smp (input format in tests/fuzz/fuzz_smp.c): every association model
    of legacy pairing and LE Secure Connections in both roles, driven to the end by the scripted
    peer's steps, plus the attacks the harness knows (an off-curve key, l2kit's own key back, a
    wrong confirm, the 30 s timeout, repeated attempts, reconnection on an RPA)."""
    NOIO, DISP, YESNO, KBD, KBDDISP = 3, 0, 1, 2, 4
    steps = b'\x01' * 12  # the peer's next steps, eight at a time
    settle = b'\x0f'

    def header(central, io, legacy=False, sc_only=False, debug=False, irk=False, max_att=3,
               peer_io=NOIO, peer_oob=0, peer_auth=0x01, key=16, idist=0x7, rdist=0x7):
        h0 = (1 if central else 0) | (io << 1) | (0x10 if legacy else 0) | (0x20 if sc_only else 0) \
            | (0x80 if debug else 0)
        h1 = (1 if irk else 0) | (max_att << 5)
        return bytes([h0, h1, peer_io | (peer_oob << 3), peer_auth, key - 7, idist | (rdist << 4)])

    def start(central, level=2):
        # l2kit's central pairs for a level; a peripheral l2kit waits for the peer's request
        return bytes([7, ((level - 1) << 3) | 0]) if central else b''

    for central in (True, False):
        # legacy Just Works, passkey (l2kit shows / l2kit types), OOB TK
        out.put('smp', header(central, NOIO, legacy=True) + start(central) + steps + settle)
        out.put('smp', header(central, DISP, legacy=True, peer_io=KBD, peer_auth=0x05) + start(central, 3) +
                steps + settle)
        out.put('smp', header(central, KBD, legacy=True, peer_io=DISP, peer_auth=0x05) + start(central, 3) +
                b'\x01' * 2 + bytes([7, 0x02, 0x21]) + steps + settle)
        out.put('smp', header(central, NOIO, legacy=True, peer_oob=1) + bytes([7, 0x0e]) + start(central) +
                steps + settle)
        # LE Secure Connections: Just Works, numeric comparison, passkey both ways, OOB
        sc = 0x09
        out.put('smp', header(central, NOIO, peer_auth=sc) + start(central) + steps + settle)
        out.put('smp', header(central, YESNO, peer_io=YESNO, peer_auth=sc | 4) + start(central, 4) + steps + settle)
        out.put('smp', header(central, DISP, peer_io=KBD, peer_auth=sc | 4) + start(central, 4) + steps * 6 + settle)
        out.put('smp', header(central, KBD, peer_io=DISP, peer_auth=sc | 4) + start(central, 4) +
                b'\x01' * 3 + bytes([7, 0x02, 0x37]) + steps * 6 + settle)
        out.put('smp', header(central, NOIO, peer_oob=1, peer_auth=sc) + bytes([7, 0x05, 7, 0x16]) +
                start(central, 4) + steps + settle)
        out.put('smp', header(central, NOIO, peer_auth=sc) + bytes([7, 0x16]) + start(central, 4) + steps + settle)
        out.put('smp', header(central, NOIO, peer_auth=sc) + bytes([7, 0x05]) + start(central, 4) + steps + settle)
        out.put('smp', header(central, NOIO, debug=True, irk=True, peer_auth=sc) + start(central) + steps +
                bytes([8 | 0x10]) + start(central) + steps + settle)
        # attacks: keys off the curve, zeros, reflected; a bad confirm; silence; refusals
        for attack in range(3):
            out.put('smp', header(central, NOIO, peer_auth=sc) + bytes([4, attack]) + start(central) + steps)
        out.put('smp', header(central, NOIO, legacy=True) + start(central) + b'\x01\x01' + bytes([12, 3, 0x80]) + steps)
        out.put('smp', header(central, NOIO, peer_auth=sc) + start(central) + b'\x00\x00' + bytes([6, 130]) +
                start(central) + steps)
        out.put('smp', header(central, YESNO, peer_io=YESNO, peer_auth=sc | 4) + start(central, 3) + steps +
                bytes([7, 0x0a]) + steps)
        out.put('smp', header(central, NOIO, max_att=1, peer_auth=sc) + (bytes([4, 0]) + start(central) + steps +
                bytes([6, 4])) * 3)
        # any command, raw bytes, HCI events in the middle
        out.put('smp', header(central, NOIO, peer_auth=sc) + start(central) + b'\x00' +
                bytes([3, 4]) + b'\x11' * 16 + bytes([2, 3, 1, 2, 3]) + bytes([5, 0, 0x06]) + bytes([11, 1, 2]) + steps)
        out.put('smp', header(central, NOIO, legacy=True) + start(central) + steps +
                bytes([5, 1, 0]) + bytes([5, 2 | 4, 0] + [9] * 8) + bytes([5, 3, 0, 16]) + settle)


def vendor_seeds(out):
    """Vendor start-ups for fuzz_vendor (input format in tests/fuzz/fuzz_vendor.c): valid firmware
    files of each family (Realtek epatch v1 + config, Intel legacy .sfi + .ddc, Broadcom .hcd),
    a controller answering well, then the same with what goes wrong: a missing, truncated or
    refused file, a NACKed chunk, a rejected Secure Send, silence, vendor events out of place."""
    AUTO, NOAUTO = 0x10, 0

    def header(fam, flags=AUTO, prod=0, lv=(0, 0, 0, 0, 0), rom=1, iv=None, revid=16, vidpid=(0, 0)):
        hci_ver, hci_rev, lmp_ver, manuf, subver = lv
        h = bytes([fam | flags]) + struct.pack('<HH', *vidpid) if fam == 3 else bytes([fam | flags, prod, 0, 0, 0])
        h += struct.pack('<BHBHH', hci_ver, hci_rev, lmp_ver, manuf, subver) + bytes([rom])
        h += bytes(iv or [0x37, 0x14, 0x01, 0x06, 0x03, 0x10, 0x20, 0x17, 0x00])
        return h + struct.pack('<H', revid)

    def files(*fs):
        b = bytes([len(fs)])
        for f in fs:
            if f is None:
                b += bytes([1, 0, 0])
            elif isinstance(f, tuple):  # (bytes, split, fill, pattern)
                b += bytes([3]) + struct.pack('<H', len(f[0])) + f[0] + struct.pack('<HH', f[1], f[2]) + f[3]
            else:
                b += bytes([0]) + struct.pack('<H', len(f)) + f
        return b

    def epatch(lens, project, want=2, tail=0):
        """Realtek epatch v1: patches for chip ids 1.., the one for chip id `want` last (so that
        filler inserted at its start leaves the others' offsets alone)."""
        order = [k for k in range(len(lens)) if k + 1 != want] + [want - 1]
        hdr = b'Realtech' + struct.pack('<IH', 0x0999646B, len(lens))
        off = len(hdr) + 8 * len(lens)
        body, offs = b'', {}
        for k in order:
            offs[k] = off + len(body)
            body += bytes((i * 7 + k * 31) & 0xFF for i in range(lens[k]))
        ids = b''.join(struct.pack('<H', k + 1) for k in range(len(lens)))
        ls = b''.join(struct.pack('<H', lens[k] + (tail if k + 1 == want else 0)) for k in range(len(lens)))
        os_ = b''.join(struct.pack('<I', offs[k]) for k in range(len(lens)))
        return hdr + ids + ls + os_ + body + bytes([project, 1, 0]) + b'\x51\x04\xfd\x77', offs[want - 1]

    cfg = struct.pack('<IH', 0x8723AB55, 24) + bytes(range(24))
    rtl8761bu = (0x0a, 0x000b, 0x0a, 0x005d, 0x8761)
    fw, _ = epatch([300, 700, 90], 14)
    good = header(0, lv=rtl8761bu) + files(fw, cfg)
    out.put('vendor', good)
    out.put('vendor', header(0, lv=rtl8761bu, rom=0) + files(fw, None))
    out.put('vendor', header(0, lv=rtl8761bu, rom=2, prod=2) + files(fw, cfg))
    # a patch grown by 40000 octets of filler: 160 chunks, the index wraps after 127
    big, at = epatch([300, 700, 90], 14, tail=40000)
    out.put('vendor', header(0, lv=rtl8761bu) + files((big, at + 8, 40000, b'\x11\x22\x33'), cfg))
    # RTL8822B needs its config; RTL8821C; the v2 format; truncated; wrong project
    fw8822, _ = epatch([200, 400], 8)
    out.put('vendor', header(0, lv=(0x07, 0x000b, 0x07, 0x005d, 0x8822)) + files(fw8822, cfg))
    out.put('vendor', header(0, lv=(0x07, 0x000b, 0x07, 0x005d, 0x8822)) + files(fw8822, None))
    fw8821c, _ = epatch([500, 260], 10)
    out.put('vendor', header(0, lv=(0x08, 0x000c, 0x08, 0x005d, 0x8821), prod=1) + files(fw8821c, cfg))
    out.put('vendor', header(0, lv=rtl8761bu) + files(b'RTBTCore' + fw[8:], cfg))
    out.put('vendor', header(0, lv=rtl8761bu) + files(fw[:len(fw) // 2], cfg))
    out.put('vendor', header(0, lv=rtl8761bu) + files(fw, cfg[:10]))
    out.put('vendor', header(0, lv=(0x0a, 0x000b, 0x0a, 0x005d, 0x8761)) + files(fw8821c, cfg))
    # answered by the input: ROM version, two chunks, a NACK; a Command Status; silence
    out.put('vendor', header(0, NOAUTO, lv=rtl8761bu) + files(fw, cfg) + bytes([0, 0, 0, 0, 0, 0, 1, 0x12]))
    out.put('vendor', header(0, NOAUTO, lv=rtl8761bu) + files(fw, cfg) + bytes([0, 0, 0, 3, 0x00, 0xC1, 0xFF, 0xFF]))
    out.put('vendor', header(0, NOAUTO, lv=rtl8761bu) + files(fw, cfg) + bytes([0, 0, 2, 0, 0x4F]))

    # Intel: the legacy .sfi (RSA header, commands with Write Boot Params), .ddc
    sfi = bytearray((i * 13) & 0xFF for i in range(644))
    sfi[8:12] = struct.pack('<I', 0x00010000)
    for k in range(24):
        pl = 1 + 4 * (k % 8)
        sfi += struct.pack('<HB', 0xFC8E, pl) + bytes((k + i) & 0xFF for i in range(pl))
        if k == 12:
            sfi += struct.pack('<HBI', 0xFC0E, 7, 0x00045678) + bytes([0x2A, 0x10, 0x14])
    sfi = bytes(sfi)
    ddc = bytes([4, 1, 0, 0xAA, 0xBB, 3, 2, 0, 0xCC])
    out.put('vendor', header(1) + files(sfi, ddc))
    out.put('vendor', header(1) + files(sfi, None))
    out.put('vendor', header(1, iv=[0x37, 0x0b, 0x00, 0x06, 0x00, 0x10, 0x20, 0x17, 0]) + files(sfi, ddc))
    out.put('vendor', header(1, iv=[0x37, 0x12, 0x01, 0x23, 0x03, 0x10, 0x20, 0x17, 0]) + files(sfi, ddc))
    out.put('vendor', header(1, iv=[0x37, 0x17, 0x01, 0x06, 0x03, 0x10, 0x20, 0x17, 0]) + files(sfi, ddc))
    # a payload of 40000 filler octets (zero-length commands 0xFC8E), 160 more fragments
    out.put('vendor', header(1) + files((sfi, 684, 39999, b'\x8e\xfc\x00'), ddc))
    out.put('vendor', header(1) + files(sfi[:700], ddc))
    out.put('vendor', header(1) + files(sfi, bytes([1, 0]) + ddc))
    # the input answers: Read Version, Boot Params, every fragment; the result early; rejected;
    # no Bootup (time runs out); Bootup out of place
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0x60, 0, 0, 0, 0, 0, 0, 0, 0x4F]))
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0, 0, 0x60, 3, 0, 0, 0, 0x4F]))
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0x61, 0, 0, 0, 0, 0, 0x49, 0xC1, 0x20, 0]))
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0, 0, 0, 0x48, 0x60, 0, 0xC0, 0x00, 0x10, 0x4F]))
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0, 0, 0, 0x48, 0xC1, 0x00, 0x10, 0x4F]))
    out.put('vendor', header(1, NOAUTO) + files(sfi, ddc) + bytes([0, 0, 0x4F, 0x50, 0x61, 0, 0xC1, 0x00, 0x10, 0x4F]))

    # Broadcom: Write RAM records, Launch RAM; the -VID-PID name missing, then the short name
    hcd = b''
    for k in range(20):
        pl = 4 + k % 30
        hcd += struct.pack('<HBI', 0xFC4C, pl, 0x80000 + k * 64) + bytes((k ^ i) & 0xFF for i in range(4, pl))
    hcd += struct.pack('<HBI', 0xFC4E, 4, 0xFFFFFFFF)
    bcm = (0x06, 0x1000, 0x06, 0x000f, 0x220e)
    pause = bytes([0xC0]) + struct.pack('<H', 60)
    launch = bytes([0xC0]) + struct.pack('<H', 300)
    out.put('vendor', header(2, lv=bcm) + files(hcd) + pause + launch)
    out.put('vendor', header(2, lv=bcm, prod=2) + files(None, hcd) + pause + launch)
    out.put('vendor', header(2, lv=bcm) + files((hcd, 7, 30000, b'\x4c\xfc\x00')) + pause + launch)
    out.put('vendor', header(2, lv=bcm) + files(hcd[:-3]) + pause + launch)
    out.put('vendor', header(2, lv=bcm) + files(bytes([0x03, 0x0c, 0]) + hcd) + pause + launch)
    out.put('vendor', header(2, NOAUTO, lv=bcm) + files(hcd) + bytes([0, 0, 0]) + pause + bytes([0, 0, 1, 0x0C]))
    # the transport refuses Intel Reset (command 23); a NACKed Realtek chunk, then bring-up again
    out.put('vendor', header(1, AUTO | 0x20, prod=23 << 2) + files(sfi, ddc))
    out.put('vendor', header(0, NOAUTO, lv=rtl8761bu) + files(fw, cfg) + bytes([0, 0, 0, 0, 1, 0x1f, 0x58, 0x4F]))
    # no start-up: CSR, a VID:PID nobody knows, not USB, vendor_init off
    out.put('vendor', header(3, vidpid=(0x0a12, 0x0001)))
    out.put('vendor', header(3, vidpid=(0x0bda, 0x8771), lv=rtl8761bu) + files(fw, cfg))
    out.put('vendor', header(0, AUTO | 8, lv=rtl8761bu) + files(fw, cfg))
    out.put('vendor', header(1, AUTO | 4) + files(sfi, ddc))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out = Out(sys.argv[1])
    for path in sys.argv[2:]:
        pkts = read_btsnoop(path)
        le = any(inc and t == H4_EVT and len(p) > 2 and p[0] == 0x3E and p[2] in (1, 10)
                 for inc, t, p in pkts)
        from_capture(out, pkts, le)
    synthesized(out)
    codec_seeds(out)
    smp_seeds(out)
    vendor_seeds(out)
    for h in sorted(out.count):
        print('%-16s %d new seeds' % (h, out.count[h]))


if __name__ == '__main__':
    main()
