#!/usr/bin/env python3
"""vctrl listeners with a fixed controller address, and a bonded pair that reconnects.

Starts vctrl with a TCP listener "addr=00:11:22:33:44:55" and a unix socket listener
"addr=00:11:22:33:44:66", then, speaking raw H4 (no l2kit code):
  - the controllers answer Read BD_ADDR with the fixed addresses;
  - a second client on the TCP listener while the first is connected is refused, and vctrl says
    why on stderr;
  - the two controllers pair with Secure Simple Pairing (Just Works) and get the same link key;
  - both clients disconnect, two new clients connect (new controllers, same addresses), page
    again and authenticate with the stored key: no pairing events, then encryption works;
  - vctrl stops cleanly on SIGTERM (exit 143).

usage: vctrl_fixed_addr.py [PATH-TO-VCTRL]      (default: $BUILD/bin/vctrl, BUILD=build)
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vctrl_raw_h4 import CMD, EVT, Client, fail  # noqa: E402

EV_CONN_COMPLETE, EV_CONN_REQUEST = 0x03, 0x04
EV_AUTH_COMPLETE, EV_ENCRYPT_CHANGE, EV_CMD_STATUS = 0x06, 0x08, 0x0F
EV_LINK_KEY_REQUEST, EV_LINK_KEY_NOTIFICATION = 0x17, 0x18
EV_IO_CAP_REQUEST, EV_IO_CAP_RESPONSE, EV_USER_CONFIRM_REQUEST = 0x31, 0x32, 0x33
EV_SIMPLE_PAIRING_COMPLETE = 0x36

ADDR_A = "00:11:22:33:44:55"
ADDR_B = "00:11:22:33:44:66"


def wire(addr):
    return bytes(int(x, 16) for x in reversed(addr.split(":")))


class UnixClient(Client):
    def __init__(self, path):  # pylint: disable=super-init-not-called
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""
        self.events = []


def cmd_status(c, opcode, params=b""):
    c.send(CMD, struct.pack("<HB", opcode, len(params)) + params)
    while True:
        e = c.wait_event(EV_CMD_STATUS)
        if struct.unpack("<H", e[4:6])[0] == opcode:
            return e[2]


def bring_up(c, addr):
    if c.cmd(0x0C03) != b"\x00":  # Reset
        fail("Reset failed")
    r = c.cmd(0x1009)  # Read BD_ADDR
    if r != b"\x00" + wire(addr):
        fail("Read BD_ADDR says %r, the listener's address is %s" % (r, addr))
    # every event, the Simple Pairing ones included (bits 48-53)
    if c.cmd(0x0C01, b"\xff" * 7 + b"\x3f") != b"\x00":
        fail("Set Event Mask failed")
    if c.cmd(0x0C56, b"\x01") != b"\x00":  # Write Simple Pairing Mode
        fail("Write Simple Pairing Mode failed")
    if c.cmd(0x0C1A, b"\x02") != b"\x00":  # page scan
        fail("Write Scan Enable failed")


def connect(a, b):
    """a pages b, b accepts; returns the handles."""
    if cmd_status(a, 0x0405, wire(ADDR_B) + b"\x18\xcc\x00\x00\x00\x00\x01") != 0:
        fail("Create Connection refused")
    e = b.wait_event(EV_CONN_REQUEST)
    if e[2:8] != wire(ADDR_A):
        fail("Connection Request from %r" % e[2:8])
    if cmd_status(b, 0x0409, wire(ADDR_A) + b"\x01") != 0:
        fail("Accept Connection Request refused")
    ca, cb = a.wait_event(EV_CONN_COMPLETE), b.wait_event(EV_CONN_COMPLETE)
    if ca[2] != 0 or cb[2] != 0:
        fail("Connection Complete status %d / %d" % (ca[2], cb[2]))
    return struct.unpack("<H", ca[3:5])[0], struct.unpack("<H", cb[3:5])[0]


def pair(a, b, ha):
    """Secure Simple Pairing, Just Works (NoInputNoOutput); returns the two link keys."""
    if cmd_status(a, 0x0411, struct.pack("<H", ha)) != 0:  # Authentication Requested
        fail("Authentication Requested refused")
    a.wait_event(EV_LINK_KEY_REQUEST)
    a.cmd(0x040C, wire(ADDR_B))  # Link Key Request Negative Reply
    a.wait_event(EV_IO_CAP_REQUEST)
    if a.cmd(0x042B, wire(ADDR_B) + b"\x03\x00\x04")[0] != 0:
        fail("IO Capability Request Reply refused")
    e = b.wait_event(EV_IO_CAP_RESPONSE)
    if e[8:11] != b"\x03\x00\x04":
        fail("IO Capability Response %r" % e)
    b.wait_event(EV_IO_CAP_REQUEST)
    b.cmd(0x042B, wire(ADDR_A) + b"\x03\x00\x04")
    a.wait_event(EV_IO_CAP_RESPONSE)
    va = a.wait_event(EV_USER_CONFIRM_REQUEST)[8:12]
    vb = b.wait_event(EV_USER_CONFIRM_REQUEST)[8:12]
    if va != vb:
        fail("numeric values differ: %r / %r" % (va, vb))
    a.cmd(0x042C, wire(ADDR_B))
    b.cmd(0x042C, wire(ADDR_A))
    for c in (a, b):
        e = c.wait_event(EV_SIMPLE_PAIRING_COMPLETE)
        if e[2] != 0:
            fail("Simple Pairing Complete status %d" % e[2])
    ka = a.wait_event(EV_LINK_KEY_NOTIFICATION)
    kb = b.wait_event(EV_LINK_KEY_NOTIFICATION)
    if ka[8:24] != kb[8:24] or ka[24] != 0x04:
        fail("link keys differ or wrong type: %r / %r" % (ka, kb))
    e = a.wait_event(EV_AUTH_COMPLETE)
    if e[2] != 0:
        fail("Authentication Complete status %d" % e[2])
    return ka[8:24]


def main():
    vctrl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("BUILD", "build"), "bin", "vctrl")
    if not os.access(vctrl, os.X_OK):
        print("SKIP: %s not built" % vctrl)
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="vctrl-addr-")
    port_file = os.path.join(tmp, "port")
    sock = os.path.join(tmp, "b.sock")
    log = open(os.path.join(tmp, "stderr"), "w+")
    proc = subprocess.Popen([vctrl, "--listen", "tcp:127.0.0.1:0,addr=" + ADDR_A, "--port-file", port_file,
                             "--listen", "unix:%s,addr=%s" % (sock, ADDR_B), "--type", "bredr"], stderr=log)
    try:
        deadline = time.monotonic() + 5
        while not os.path.exists(port_file):
            if proc.poll() is not None or time.monotonic() > deadline:
                fail("vctrl did not start (exit %r)" % proc.poll())
            time.sleep(0.02)
        port = int(open(port_file).read())

        a = Client(port)
        bring_up(a, ADDR_A)
        # a second controller on the same address is refused while the first is there
        x = Client(port)
        x.s.settimeout(3)
        try:
            got = x.s.recv(16)
        except socket.timeout:
            got = None
        if got != b"":
            fail("a second client on %s was not refused (got %r)" % (ADDR_A, got))
        x.s.close()
        time.sleep(0.1)
        text = open(log.name).read()
        if "controller address %s is in use by client 1" % ADDR_A not in text:
            fail("vctrl did not say why it refused:\n" + text)
        if a.cmd(0x1009)[1:] != wire(ADDR_A):
            fail("the first client was disturbed")

        b = UnixClient(sock)
        bring_up(b, ADDR_B)
        ha, _ = connect(a, b)
        key = pair(a, b, ha)

        # new clients (as new processes would be), same addresses, the stored key
        a.s.close()
        b.s.close()
        time.sleep(0.2)
        a = Client(port)
        bring_up(a, ADDR_A)
        b = UnixClient(sock)
        bring_up(b, ADDR_B)
        ha, hb = connect(a, b)
        if cmd_status(a, 0x0411, struct.pack("<H", ha)) != 0:
            fail("Authentication Requested refused")
        if a.wait_event(EV_LINK_KEY_REQUEST)[2:8] != wire(ADDR_B):
            fail("Link Key Request for the wrong device")
        a.cmd(0x040B, wire(ADDR_B) + key)
        b.wait_event(EV_LINK_KEY_REQUEST)
        b.cmd(0x040B, wire(ADDR_A) + key)
        e = a.wait_event(EV_AUTH_COMPLETE)
        if e[2] != 0:
            fail("authentication with the stored key failed: status %d" % e[2])
        if any(ev[0] in (EV_IO_CAP_REQUEST, EV_USER_CONFIRM_REQUEST) for ev in a.events + b.events):
            fail("the bonded pair paired again")
        if cmd_status(a, 0x0413, struct.pack("<HB", ha, 1)) != 0:
            fail("Set Connection Encryption refused")
        for c, h in ((a, ha), (b, hb)):
            e = c.wait_event(EV_ENCRYPT_CHANGE)
            if e[2] != 0 or struct.unpack("<H", e[3:5])[0] != h or e[5] != 1:
                fail("Encryption Change %r" % e)
        a.s.close()
        b.s.close()

        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            fail("vctrl did not stop on SIGTERM")
        if rc != 143:  # the tools' 128 + signal convention
            fail("vctrl exited %d on SIGTERM, expected 143" % rc)
        print("PASS: fixed addresses %s / %s, refusal, bonded reconnect with key %s" % (ADDR_A, ADDR_B, key.hex()))
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
