#!/usr/bin/env python3
"""Talks raw H4 to build/bin/vctrl without any l2kit code (Python standard library only).

Starts vctrl on a free TCP port, connects two clients and checks: HCI Reset, Read BD_ADDR and
Read Buffer Size answers are well-formed Command Complete events (Num_HCI_Command_Packets 1);
the two clients get distinct addresses; an unknown opcode gets Unknown HCI Command; a BR/EDR
page / accept between the clients works and ACL data crosses; a client dying in the middle of a
packet hurts nobody else and its link drops with Disconnection Complete at the peer; vctrl stops
cleanly on SIGTERM.

usage: vctrl_raw_h4.py [PATH-TO-VCTRL]      (default: $BUILD/bin/vctrl, BUILD=build)
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

CMD, ACL, EVT = 1, 2, 4
EV_CONN_COMPLETE, EV_CONN_REQUEST, EV_DISCONN_COMPLETE = 0x03, 0x04, 0x05
EV_CMD_COMPLETE, EV_CMD_STATUS, EV_NUM_COMPLETED = 0x0E, 0x0F, 0x13


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.events = []

    def send(self, ptype, pkt):
        self.s.sendall(bytes([ptype]) + pkt)

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no data from vctrl")
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("vctrl closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def packet(self, timeout=3.0):
        deadline = time.monotonic() + timeout
        t = self._read(1, deadline)[0]
        if t == EVT:
            hdr = self._read(2, deadline)
            return t, hdr + self._read(hdr[1], deadline)
        if t == ACL:
            hdr = self._read(4, deadline)
            return t, hdr + self._read(struct.unpack("<H", hdr[2:4])[0], deadline)
        fail("unexpected H4 packet type %d from vctrl" % t)

    def wait_event(self, code, timeout=3.0):
        for i, e in enumerate(self.events):
            if e[0] == code:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            t, p = self.packet(max(0.01, deadline - time.monotonic()))
            if t != EVT:
                self.acl = p
                continue
            if len(p) != 2 + p[1]:
                fail("malformed event %r" % p)
            if p[0] == code:
                return p
            self.events.append(p)

    def cmd(self, opcode, params=b""):
        self.send(CMD, struct.pack("<HB", opcode, len(params)) + params)
        while True:
            e = self.wait_event(EV_CMD_COMPLETE)
            if struct.unpack("<H", e[3:5])[0] == opcode:
                break
        if e[2] != 1:
            fail("Num_HCI_Command_Packets %d for opcode 0x%04x" % (e[2], opcode))
        return e[5:]  # return parameters, status first


def main():
    vctrl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("BUILD", "build"), "bin", "vctrl")
    if not os.access(vctrl, os.X_OK):
        print("SKIP: %s not built" % vctrl)
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="vctrl-test-")
    port_file = os.path.join(tmp, "port")
    log = open(os.path.join(tmp, "stderr"), "w+")
    proc = subprocess.Popen([vctrl, "--listen", "tcp:127.0.0.1:0", "--port-file", port_file,
                             "--listen", "unix:" + os.path.join(tmp, "sock"), "--acl-mtu", "27",
                             "--acl-count", "2"], stderr=log)
    try:
        deadline = time.monotonic() + 5
        while not os.path.exists(port_file):
            if proc.poll() is not None or time.monotonic() > deadline:
                fail("vctrl did not start (exit %r)" % proc.poll())
            time.sleep(0.02)
        port = int(open(port_file).read())

        a = Client(port)
        r = a.cmd(0x0C03)  # HCI Reset
        if r != b"\x00":
            fail("Reset returned %r" % r)
        r = a.cmd(0x1009)  # Read BD_ADDR
        if len(r) != 7 or r[0] != 0:
            fail("Read BD_ADDR returned %r" % r)
        addr_a = r[1:]
        r = a.cmd(0x1005)  # Read Buffer Size
        if len(r) != 8 or r[0] != 0:
            fail("Read Buffer Size returned %r" % r)
        mtu, sco, count, scount = struct.unpack("<HBHH", r[1:])
        if (mtu, count) != (27, 2):
            fail("Read Buffer Size says %d x %d, vctrl was started with 27 x 2" % (mtu, count))
        # an unknown opcode: Command Status, Unknown HCI Command
        a.send(CMD, struct.pack("<HB", 0xFC77, 0))
        e = a.wait_event(EV_CMD_STATUS)
        if e[2] != 0x01 or struct.unpack("<H", e[4:6])[0] != 0xFC77:
            fail("unknown opcode answered %r" % e)

        b = Client(port)
        b.cmd(0x0C03)
        r = b.cmd(0x1009)
        if len(r) != 7 or r[1:] == addr_a:
            fail("second client's address %r is not distinct from %r" % (r[1:], addr_a))
        addr_b = r[1:]
        text = open(log.name).read()
        for ad in (addr_a, addr_b):
            s = ":".join("%02X" % x for x in reversed(ad))
            if s not in text:
                fail("address %s not printed on stderr:\n%s" % (s, text))

        # BR/EDR: b page scans, a pages b, b accepts; ACL crosses
        b.cmd(0x0C1A, b"\x02")
        a.send(CMD, struct.pack("<HB", 0x0405, 13) + addr_b + b"\x18\xcc\x00\x00\x00\x00\x01")
        e = a.wait_event(EV_CMD_STATUS)
        if e[2] != 0:
            fail("Create Connection status %d" % e[2])
        e = b.wait_event(EV_CONN_REQUEST)
        if e[2:8] != addr_a:
            fail("Connection Request from %r" % e[2:8])
        b.send(CMD, struct.pack("<HB", 0x0409, 7) + addr_a + b"\x01")
        b.wait_event(EV_CMD_STATUS)
        ca = a.wait_event(EV_CONN_COMPLETE)
        cb = b.wait_event(EV_CONN_COMPLETE)
        if ca[2] != 0 or cb[2] != 0:
            fail("Connection Complete status %d / %d" % (ca[2], cb[2]))
        ha = struct.unpack("<H", ca[3:5])[0]
        hb = struct.unpack("<H", cb[3:5])[0]
        payload = bytes(range(20))
        l2 = struct.pack("<HH", len(payload), 0x0040) + payload
        a.send(ACL, struct.pack("<HH", ha | 0x2000, len(l2)) + l2)
        deadline = time.monotonic() + 3
        got = b""
        while len(got) < len(l2):
            t, p = b.packet(max(0.01, deadline - time.monotonic()))
            if t == ACL:
                h, n = struct.unpack("<HH", p[:4])
                if h & 0x0FFF != hb or len(p) != 4 + n:
                    fail("bad ACL header %r" % p[:4])
                got += p[4:]
            else:
                b.events.append(p)
        if got != l2:
            fail("ACL payload corrupted: %r" % got)
        e = a.wait_event(EV_NUM_COMPLETED)
        if e[2] != 1 or struct.unpack("<HH", e[3:7]) != (ha, 1):
            fail("Number Of Completed Packets %r" % e)

        # a third client dies in the middle of a packet: nobody else notices
        c = Client(port)
        c.send(CMD, b"\x03\x0c")  # half a Reset
        c.s.close()
        time.sleep(0.2)
        if a.cmd(0x1009)[1:] != addr_a:
            fail("client a disturbed by a dying client")
        # b dies with a link: a hears Disconnection Complete (0x15, power off)
        b.s.close()
        e = a.wait_event(EV_DISCONN_COMPLETE)
        if struct.unpack("<H", e[3:5])[0] != ha or e[5] != 0x15:
            fail("Disconnection Complete %r" % e)
        # the unix socket listener works too
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.settimeout(3)
        u.connect(os.path.join(tmp, "sock"))
        u.sendall(b"\x01\x03\x0c\x00")
        r = u.recv(64)
        if r[:3] != b"\x04\x0e\x04" or r[4:7] != b"\x03\x0c\x00":
            fail("unix socket Reset answered %r" % r)
        u.close()
        a.s.close()

        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            fail("vctrl did not stop on SIGTERM")
        if rc != 143:  # stopped cleanly by SIGTERM: 128 + 15, as every l2kit tool
            fail("vctrl exited %d on SIGTERM, expected 143" % rc)
        if os.path.exists(os.path.join(tmp, "sock")):
            fail("vctrl left its unix socket behind")
        print("PASS: vctrl answered well-formed H4; addresses %s / %s" % (addr_a.hex(), addr_b.hex()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.seek(0)
        sys.stderr.write(log.read())
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
