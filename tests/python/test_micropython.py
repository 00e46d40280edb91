"""l2kit.micropython: a MicroPython-style L2CAP CoC echo (gap_advertise / gap_connect, the
_IRQ_* events with MicroPython's numbers and tuples, l2cap_listen / l2cap_connect, l2cap_recvinto,
l2cap_send with SEND_READY back-pressure), a refusal from the ACCEPT handler, gap_disconnect;
over the simulator and vctrl."""

import collections
import threading

import pytest

from l2kit.micropython import BLE, const

# as a MicroPython program declares them (docs: bluetooth.BLE.irq)
_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_L2CAP_ACCEPT = const(22)
_IRQ_L2CAP_CONNECT = const(23)
_IRQ_L2CAP_DISCONNECT = const(24)
_IRQ_L2CAP_RECV = const(25)
_IRQ_L2CAP_SEND_READY = const(26)

PSM = 0x80
REFUSING_PSM = 0x81
MTU = 256
WAIT = 20


class Side:
    """A BLE object and a record of its events, in the style of a MicroPython program."""

    def __init__(self, transport):
        self.ble = BLE(transport=transport)
        self.ble.active(True)
        self.events = collections.defaultdict(list)
        self.cv = threading.Condition()
        self.rx = bytearray()
        self.hold = False       # do not read what arrives (the peer then stalls)
        self.echo = False
        self.outq = []          # echo: SDUs waiting for SEND_READY
        self.stalled = False
        self.reading = threading.Lock()  # one reader at a time: the IRQ or the test
        self.more = False
        self.ble.irq(self.irq)

    def irq(self, event, data):
        ret = None
        if event == _IRQ_L2CAP_ACCEPT:
            conn_handle, cid, psm, our_mtu, peer_mtu = data
            ret = 4 if psm == REFUSING_PSM else 0   # non-zero refuses (no resources)
        elif event == _IRQ_L2CAP_RECV and not self.hold:
            self.kick(*data)
        elif event == _IRQ_L2CAP_SEND_READY:
            conn_handle, cid, status = data
            assert status == 0
            self.stalled = False
            self.pump(conn_handle, cid)
        with self.cv:
            self.events[event].append(data)
            self.cv.notify_all()
        return ret

    def kick(self, conn_handle, cid):
        """Read (from the IRQ or the test's thread) unless the other one is reading: then it
        reads once more when it is done."""
        self.more = True
        while self.more and self.reading.acquire(False):
            try:
                self.more = False
                self.drain(conn_handle, cid)
            finally:
                self.reading.release()

    def drain(self, conn_handle, cid):
        buf = bytearray(100)  # smaller than an SDU: recvinto reads in pieces
        while True:
            n = self.ble.l2cap_recvinto(conn_handle, cid, buf)
            if not n:
                break
            if self.echo:
                self.outq.append(bytes(buf[:n]))
            else:
                self.rx += buf[:n]
        self.pump(conn_handle, cid)

    def pump(self, conn_handle, cid):
        while self.outq and not self.stalled:
            if not self.ble.l2cap_send(conn_handle, cid, self.outq.pop(0)):
                self.stalled = True  # wait for _IRQ_L2CAP_SEND_READY

    def wait(self, event, n=1):
        with self.cv:
            assert self.cv.wait_for(lambda: len(self.events[event]) >= n, WAIT), \
                "event %d not seen (%r)" % (event, dict(self.events))
            return self.events[event][n - 1]

    def close(self):
        self.ble.active(False)


@pytest.fixture
def sides(transports):
    per = Side(transports[0])
    cen = Side(transports[1])
    yield per, cen
    cen.close()
    per.close()


def test_l2cap_echo_with_send_ready(sides):
    per, cen = sides
    per.echo = True
    per.ble.l2cap_listen(PSM, MTU)
    per.ble.gap_advertise(100_000, b"\x02\x01\x06")
    addr_type, addr = per.ble.config("mac")
    assert addr_type == 0 and len(addr) == 6
    cen.ble.gap_connect(addr_type, addr)
    conn_handle, at, a = cen.wait(_IRQ_PERIPHERAL_CONNECT)
    assert (at, bytes(a)) == (addr_type, addr)
    h, at, a = per.wait(_IRQ_CENTRAL_CONNECT)
    assert bytes(a) == cen.ble.config("mac")[1]
    cen.ble.l2cap_connect(conn_handle, PSM, MTU)
    acc = per.wait(_IRQ_L2CAP_ACCEPT)
    assert acc[2:] == (PSM, MTU, MTU)
    conn, cid, psm, our_mtu, peer_mtu = cen.wait(_IRQ_L2CAP_CONNECT)
    assert (psm, our_mtu, peer_mtu) == (PSM, MTU, MTU)
    assert per.wait(_IRQ_L2CAP_CONNECT)[2:] == (PSM, MTU, MTU)

    # the peripheral holds what it receives: its peer gets no credits, the central stalls
    per.hold = True
    sent = bytearray()
    i = 0
    while True:
        m = bytes([i % 251]) * (50 + i % 200)
        sent += m
        i += 1
        if not cen.ble.l2cap_send(conn, cid, m):
            break
        assert i < 10000, "l2cap_send never reported a stall"
    assert cen.ble.l2cap_recvinto(conn, cid, None) == 0
    # one more would be refused until SEND_READY
    with pytest.raises(OSError):
        cen.ble.l2cap_send(conn, cid, b"too early")
    # the peripheral reads (and echoes): credits flow, the stalled SDU goes, SEND_READY comes
    ph, pcid = per.wait(_IRQ_L2CAP_RECV)
    per.hold = False
    per.kick(ph, pcid)
    assert cen.wait(_IRQ_L2CAP_SEND_READY) == (conn, cid, 0)
    # more, with back-pressure both ways
    for k in range(200):
        m = bytes([k % 256]) * (k % MTU + 1)
        sent += m
        with cen.cv:
            assert cen.cv.wait_for(lambda: not cen.stalled, WAIT)
        if not cen.ble.l2cap_send(conn, cid, m):
            cen.stalled = True
    with cen.cv:
        assert cen.cv.wait_for(lambda: len(cen.rx) >= len(sent), WAIT), (len(cen.rx), len(sent))
    assert cen.rx == sent  # every byte echoed, in order
    assert per.events[_IRQ_L2CAP_SEND_READY] or cen.events[_IRQ_L2CAP_SEND_READY]
    cen.ble.l2cap_disconnect(conn, cid)
    assert cen.wait(_IRQ_L2CAP_DISCONNECT) == (conn, cid, PSM, 0)
    assert per.wait(_IRQ_L2CAP_DISCONNECT)[2:] == (PSM, 0)
    assert cen.ble.gap_disconnect(conn) is True
    assert cen.wait(_IRQ_PERIPHERAL_DISCONNECT)[0] == conn
    assert per.wait(_IRQ_CENTRAL_DISCONNECT)[0] == h
    assert cen.ble.gap_disconnect(conn) is False


def test_accept_handler_refuses(sides):
    per, cen = sides
    per.ble.l2cap_listen(REFUSING_PSM, MTU)
    per.ble.gap_advertise(100_000)
    cen.ble.gap_connect(*per.ble.config("mac"))
    conn = cen.wait(_IRQ_PERIPHERAL_CONNECT)[0]
    cen.ble.l2cap_connect(conn, REFUSING_PSM, MTU)
    h, cid, psm, status = cen.wait(_IRQ_L2CAP_DISCONNECT)
    assert (h, psm, status) == (conn, REFUSING_PSM, 4)  # the result the handler gave
    assert not cen.events[_IRQ_L2CAP_CONNECT]
    # nobody serves this one: SPSM not supported
    cen.ble.l2cap_connect(conn, 0x99, MTU)
    assert cen.wait(_IRQ_L2CAP_DISCONNECT, 2)[2:] == (0x99, 2)


def test_inactive_and_singleton(transports):
    ble = BLE(transport=transports[0])
    with pytest.raises(OSError):
        ble.l2cap_listen(PSM, MTU)
    assert ble.active() is False
    assert ble.active(True) is True
    assert ble.config("mac")[0] == 0
    ble.config(gap_name="l2kit test")
    assert ble.config("gap_name") == b"l2kit test"
    with pytest.raises(ValueError):
        ble.config("no such thing")
    assert ble.active(False) is False
    assert BLE() is BLE()
