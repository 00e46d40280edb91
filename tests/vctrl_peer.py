#!/usr/bin/env python3
"""Peers written without l2kit, speaking raw H4 to a running vctrl (Python standard library only),
for tests that need a host behaving differently from l2kit.

usage:
  vctrl_peer.py PORT le-visit ADDR [HOLD_MS]
      An LE central: connects to ADDR (public), opens no channel, stays HOLD_MS (200), then
      disconnects.  Exit 0 when the link came up (within 3 s) and went down cleanly, 1 if not.
  vctrl_peer.py PORT btstack ADDR_FILE SECONDS [ECHO]
      A passive BR/EDR host answering like BTstack: page scan on, every connection accepted;
      an Echo Request gets an empty Echo Response; a Connection Request is refused "PSM not
      supported" (0x0002) with the CIDs swapped (DCID = the requester's SCID, SCID 0x0000);
      an Information Request gets "not supported"; other requests a Command Reject.  Writes
      its address (AA:BB:...) to ADDR_FILE once ready and serves for SECONDS.
      ECHO changes the Echo Responses: "empty" (the default, as BTstack), "other" (as much
      data as the request, every byte changed), "late" (each request is answered only when the
      next one comes: the response to the previous request, with its identifier and data).
"""
import socket
import struct
import sys
import time

CMD, ACL, EVT = 1, 2, 4
EV_CONN_COMPLETE, EV_CONN_REQUEST, EV_DISCONN_COMPLETE = 0x03, 0x04, 0x05
EV_CMD_COMPLETE, EV_CMD_STATUS, EV_LE_META = 0x0E, 0x0F, 0x3E


def fail(msg):
    print("vctrl_peer: " + msg, file=sys.stderr)
    sys.exit(1)


class Host:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.pending = []  # packets read while waiting for something else

    def send(self, ptype, pkt):
        self.s.sendall(bytes([ptype]) + pkt)

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("vctrl closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def packet(self, timeout):
        """The next packet (type, bytes without the type), or None after timeout seconds."""
        if self.pending:
            return self.pending.pop(0)
        deadline = time.monotonic() + timeout
        try:
            t = self._read(1, deadline)[0]
            if t == EVT:
                hdr = self._read(2, deadline)
                return t, hdr + self._read(hdr[1], deadline + 1)
            if t == ACL:
                hdr = self._read(4, deadline)
                return t, hdr + self._read(struct.unpack("<H", hdr[2:4])[0], deadline + 1)
        except TimeoutError:
            return None
        fail("unexpected H4 packet type %d" % t)

    def wait_event(self, match, timeout=3.0):
        """The first event for which match(event bytes) is true; others are kept for later."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while True:
                p = self.packet(max(0.0, deadline - time.monotonic()))
                if p is None:
                    return None
                if p[0] == EVT and match(p[1]):
                    return p[1]
                kept.append(p)
        finally:
            self.pending = kept + self.pending

    def cmd(self, opcode, params=b""):
        """Send a command and return its Command Complete return parameters (status first) or,
        for a command answered by Command Status, bytes([status])."""
        self.send(CMD, struct.pack("<HB", opcode, len(params)) + params)

        def answer(e):
            return (e[0] == EV_CMD_COMPLETE and struct.unpack("<H", e[3:5])[0] == opcode) or \
                   (e[0] == EV_CMD_STATUS and struct.unpack("<H", e[4:6])[0] == opcode)
        e = self.wait_event(answer)
        if e is None:
            fail("no answer to command 0x%04x" % opcode)
        return e[5:] if e[0] == EV_CMD_COMPLETE else e[2:3]

    def bring_up(self):
        if self.cmd(0x0C03) != b"\x00":  # Reset
            fail("Reset failed")
        # Set Event Mask: everything, LE Meta included (bit 61)
        self.cmd(0x0C01, b"\xff\xff\xff\xff\xff\xff\xff\x3f")
        r = self.cmd(0x1009)  # Read BD_ADDR
        return r[1:7]


def addr_str(a):
    return ":".join("%02X" % x for x in reversed(a))


def addr_parse(s):
    return bytes(reversed([int(x, 16) for x in s.split(":")]))


def le_visit(port, args):
    if not args:
        fail("le-visit needs ADDR")
    peer = addr_parse(args[0])
    hold = (int(args[1]) if len(args) > 1 else 200) / 1000.0
    h = Host(port)
    h.bring_up()
    # LE Create Connection: scan 60/30 ms, no filter, public peer, own public, interval 30 ms,
    # latency 0, supervision timeout 2.56 s
    prm = struct.pack("<HHBB6sBHHHHHH", 0x60, 0x30, 0, 0, peer, 0, 24, 24, 0, 0x100, 0, 0)
    if h.cmd(0x200D, prm) != b"\x00":
        fail("LE Create Connection refused")
    e = h.wait_event(lambda e: e[0] == EV_LE_META and e[2] == 0x01, 3.0)
    if e is None:
        h.cmd(0x200E)  # LE Create Connection Cancel
        fail("no LE connection to %s within 3 s (is it advertising?)" % args[0])
    if e[3] != 0:
        fail("LE Connection Complete status 0x%02x" % e[3])
    handle = struct.unpack("<H", e[4:6])[0]
    end = time.monotonic() + hold
    while time.monotonic() < end:  # stay without opening anything (drop what comes)
        h.packet(max(0.0, end - time.monotonic()))
    h.cmd(0x0406, struct.pack("<HB", handle, 0x13))  # Disconnect, remote user terminated
    if h.wait_event(lambda e: e[0] == EV_DISCONN_COMPLETE, 3.0) is None:
        fail("no Disconnection Complete")
    print("vctrl_peer: LE link to %s up and down" % args[0])


def sig_cmd(code, ident, data):
    return struct.pack("<BBH", code, ident, len(data)) + data


def btstack(port, args):
    if len(args) < 2:
        fail("btstack needs ADDR_FILE SECONDS [ECHO]")
    echo = args[2] if len(args) > 2 else "empty"
    if echo not in ("empty", "other", "late"):
        fail("unknown ECHO '%s' (empty, other, late)" % echo)
    held = None  # "late": the (ident, data) of the request not answered yet
    h = Host(port)
    own = h.bring_up()
    h.cmd(0x0C1A, b"\x02")  # Write Scan Enable: page scan
    with open(args[0], "w") as f:
        f.write(addr_str(own) + "\n")
    end = time.monotonic() + float(args[1])
    while time.monotonic() < end:
        p = h.packet(max(0.0, min(0.5, end - time.monotonic())))
        if p is None:
            continue
        t, b = p
        if t == EVT and b[0] == EV_CONN_REQUEST:
            h.send(CMD, struct.pack("<HB", 0x0409, 7) + b[2:8] + b"\x01")  # accept, stay peripheral
        elif t == ACL:
            hf, n = struct.unpack("<HH", b[:4])
            handle = hf & 0x0FFF
            pdu = b[4:]
            if (hf >> 12) & 3 == 1 or len(pdu) < 4:
                continue  # continuation: l2kit's requests fit one packet
            plen, cid = struct.unpack("<HH", pdu[:4])
            if cid != 0x0001:
                continue
            c = pdu[4:4 + plen]
            out = b""
            while len(c) >= 4:
                code, ident, clen = struct.unpack("<BBH", c[:4])
                data = c[4:4 + clen]
                c = c[4 + clen:]
                if code == 0x08 and echo == "empty":  # Echo Request: empty Echo Response
                    out += sig_cmd(0x09, ident, b"")
                elif code == 0x08 and echo == "other":
                    out += sig_cmd(0x09, ident, bytes((b ^ 0xFF) for b in data))
                elif code == 0x08:  # late: answer the previous request, keep this one
                    if held is not None:
                        out += sig_cmd(0x09, held[0], held[1])
                    held = (ident, data)
                elif code == 0x0A and len(data) >= 2:  # Information Request: not supported
                    out += sig_cmd(0x0B, ident, data[:2] + b"\x01\x00")
                elif code == 0x02 and len(data) >= 4:  # Connection Request: refused, CIDs swapped
                    scid = struct.unpack("<H", data[2:4])[0]
                    out += sig_cmd(0x03, ident, struct.pack("<HHHH", scid, 0x0000, 0x0002, 0x0000))
                elif code & 1 == 0:  # another request: Command Reject, not understood
                    out += sig_cmd(0x01, ident, b"\x00\x00")
            if out:
                l2 = struct.pack("<HH", len(out), 0x0001) + out
                h.send(ACL, struct.pack("<HH", handle | 0x2000, len(l2)) + l2)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    port = int(sys.argv[1])
    what, args = sys.argv[2], sys.argv[3:]
    if what == "le-visit":
        le_visit(port, args)
    elif what == "btstack":
        btstack(port, args)
    else:
        fail("unknown role '%s'" % what)


if __name__ == "__main__":
    main()
