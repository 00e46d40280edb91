"""MicroPython's ``bluetooth.BLE`` L2CAP subset over l2kit, so MicroPython L2CAP CoC code runs
on a PC with a dongle:

    from l2kit.micropython import BLE, const       # instead of: import bluetooth; from micropython import const
    ble = BLE()                                     # the controller named by L2KIT_TRANSPORT
    ble.active(True)
    ble.irq(handler)
    ble.gap_advertise(100_000)
    ble.l2cap_listen(psm, mtu)

(``import l2kit.micropython as bluetooth`` keeps ``bluetooth.BLE()`` working unchanged.)

Methods: ``active``, ``config('mac')`` / ``config('gap_name')``, ``irq``, ``gap_advertise``,
``gap_connect``, ``gap_disconnect``, ``l2cap_listen``, ``l2cap_connect``, ``l2cap_send``,
``l2cap_recvinto``, ``l2cap_disconnect``.  Events, with MicroPython's numbers and tuples:

    _IRQ_CENTRAL_CONNECT (1)      conn_handle, addr_type, addr      a central connected to us
    _IRQ_CENTRAL_DISCONNECT (2)   conn_handle, addr_type, addr
    _IRQ_PERIPHERAL_CONNECT (7)   conn_handle, addr_type, addr      gap_connect() succeeded
    _IRQ_PERIPHERAL_DISCONNECT (8) conn_handle, addr_type, addr     (conn_handle 0xFFFF: gap_connect failed)
    _IRQ_L2CAP_ACCEPT (22)        conn_handle, cid, psm, our_mtu, peer_mtu   return non-zero to refuse
    _IRQ_L2CAP_CONNECT (23)       conn_handle, cid, psm, our_mtu, peer_mtu
    _IRQ_L2CAP_DISCONNECT (24)    conn_handle, cid, psm, status     (status non-zero: connecting failed)
    _IRQ_L2CAP_RECV (25)          conn_handle, cid                  read with l2cap_recvinto until it returns 0
    _IRQ_L2CAP_SEND_READY (26)    conn_handle, cid, status          after l2cap_send returned False

``addr`` is 6 bytes, most significant first; ``addr_type`` 0 public, 1 random.  As on
MicroPython, the handler runs while the stack waits for it (here on l2kit's thread): keep it
short; it may call the methods above.  Received data waits in the channel's buffer, and the
peer gets no more credits until l2cap_recvinto has emptied it.  l2cap_send accepts one SDU (at
most the peer's MTU and twice our MTU); it returns False when the channel is stalled, and then
_IRQ_L2CAP_SEND_READY comes once that SDU went into the channel.

Not here (l2kit does no GATT, pairing or scanning through this face): the GATT methods,
``gap_scan``, ``gap_pair``; ``gap_connect(None)`` (cancel); the advertising interval, scan
response data and non-connectable advertising (l2kit advertises connectable with its default
interval).
"""

import ctypes
import errno
import os
import threading
from ctypes import byref

from . import _addr, _lib, errors
from ._lib import lib
from .stack import Stack

__all__ = ["BLE", "UUID", "const"]

_IRQ_CENTRAL_CONNECT = 1
_IRQ_CENTRAL_DISCONNECT = 2
_IRQ_PERIPHERAL_CONNECT = 7
_IRQ_PERIPHERAL_DISCONNECT = 8
_IRQ_L2CAP_ACCEPT = 22
_IRQ_L2CAP_CONNECT = 23
_IRQ_L2CAP_DISCONNECT = 24
_IRQ_L2CAP_RECV = 25
_IRQ_L2CAP_SEND_READY = 26

# the same, without the underscore, for programs that import them
IRQ_CENTRAL_CONNECT = _IRQ_CENTRAL_CONNECT
IRQ_CENTRAL_DISCONNECT = _IRQ_CENTRAL_DISCONNECT
IRQ_PERIPHERAL_CONNECT = _IRQ_PERIPHERAL_CONNECT
IRQ_PERIPHERAL_DISCONNECT = _IRQ_PERIPHERAL_DISCONNECT
IRQ_L2CAP_ACCEPT = _IRQ_L2CAP_ACCEPT
IRQ_L2CAP_CONNECT = _IRQ_L2CAP_CONNECT
IRQ_L2CAP_DISCONNECT = _IRQ_L2CAP_DISCONNECT
IRQ_L2CAP_RECV = _IRQ_L2CAP_RECV
IRQ_L2CAP_SEND_READY = _IRQ_L2CAP_SEND_READY

ADDR_PUBLIC = 0
ADDR_RANDOM = 1


def const(x):
    """MicroPython's micropython.const: the value itself."""
    return x


class UUID:
    """A stand-in for bluetooth.UUID (programs that build advertising payloads use it)."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, UUID) and other.value == self.value

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return "UUID(%r)" % (self.value,)


class _Chan:
    __slots__ = ("ch", "handle", "cid", "psm", "our_mtu", "peer_mtu", "rx", "pending", "opened", "busy")

    def __init__(self, ch, handle, psm, our_mtu):
        self.ch = ch
        self.handle = handle
        self.cid = 0
        self.psm = psm
        self.our_mtu = our_mtu
        self.peer_mtu = 0
        self.rx = bytearray()
        self.pending = None
        self.opened = False
        self.busy = False


_singleton = None
_singleton_mu = threading.Lock()


class BLE:
    """The BLE object.  ``BLE()`` is the process's one (its controller from L2KIT_TRANSPORT);
    ``BLE(transport="...")`` makes another, on that controller (tests run two in one process)."""

    def __new__(cls, transport=None):
        global _singleton
        if transport is not None:
            return super().__new__(cls)
        with _singleton_mu:
            if _singleton is None:
                _singleton = super().__new__(cls)
            return _singleton

    def __init__(self, transport=None):
        if getattr(self, "_init", False):
            return
        self._init = True
        self._transport = transport
        self._stack = None
        self._handler = None
        self._chans = {}      # channel pointer -> _Chan
        self._links = {}      # handle -> (addr_type, addr bytes, role)
        self._servers = []
        self._adv_data = b""
        self._gap_name = b"l2kit"
        self._in_irq = threading.local()
        self._cbs = self._make_callbacks()

    # ---- configuration -------------------------------------------------------------------

    def active(self, *args):
        """active() -> bool; active(True) brings the controller up, active(False) closes it."""
        if args:
            if args[0]:
                if self._stack is None:
                    self._open()
            elif self._stack is not None:
                if getattr(self._in_irq, "on", False):
                    raise OSError(errno.EBUSY, "active(False) cannot be called from the IRQ handler")
                self._close()
        return self._stack is not None

    def _open(self):
        spec = self._transport or os.environ.get("L2KIT_TRANSPORT")
        st = Stack(spec)
        if not st.info.le:
            st.close()
            raise OSError(errno.ENODEV, "%s: the controller does not support LE" % spec)
        self._stack = st
        st._extras.append(self)
        st._subscribe(self._on_stack_event)

    def close(self):
        """(called by the stack when it closes)"""
        self._stack = None
        self._chans.clear()
        self._links.clear()
        self._servers = []

    def _close(self):
        st = self._stack
        st._unsubscribe(self._on_stack_event)
        st._extras.remove(self)
        with st._locked():
            for srv in self._servers:
                lib.l2k_server_remove(srv)
            self._servers = []
        self.close()
        st.close()

    def _need(self):
        if self._stack is None:
            raise OSError(errno.EPERM, "the BLE interface is not active: call active(True) first")
        return self._stack

    def config(self, *args, **kwargs):
        """config('mac') -> (addr_type, addr); config('gap_name'); config(gap_name=...)."""
        if args:
            if len(args) != 1 or kwargs:
                raise TypeError("config() takes one parameter name, or keywords")
            name = args[0]
            if name == "mac":
                st = self._need()
                return (ADDR_PUBLIC, _addr.to_msb_bytes(st._info.addr))
            if name == "gap_name":
                return self._gap_name
            raise ValueError("unknown config param")
        for k, v in kwargs.items():
            if k == "gap_name":
                self._gap_name = v.encode() if isinstance(v, str) else bytes(v)
            else:
                raise ValueError("unknown config param")
        return None

    def irq(self, handler):
        """handler(event, data) for every event (see the module's documentation)."""
        self._handler = handler

    # ---- events -------------------------------------------------------------------------------

    def _irq(self, event, data):
        h = self._handler
        if h is None:
            return None
        self._in_irq.on = True
        try:
            return h(event, data)
        except Exception:
            import traceback
            traceback.print_exc()
            return None
        finally:
            self._in_irq.on = False

    def _on_stack_event(self, kind, payload):
        # on l2kit's thread (link callbacks), the stack's mutex held
        if kind == "link_failed":
            address, status = payload
            a, typ = _addr.parse(address)
            if typ != _lib.ADDR_BREDR:
                self._irq(_IRQ_PERIPHERAL_DISCONNECT,
                          (0xFFFF, _mp_type(typ), _addr.to_msb_bytes(a)))
            return
        link = payload if kind == "link_up" else payload[0]
        if link.type == "bredr":
            return
        a, typ = _addr.parse(link.address)
        at, ab = _mp_type(typ), _addr.to_msb_bytes(a)
        if kind == "link_up":
            self._links[link.handle] = (at, ab, link.role)
            ev = _IRQ_CENTRAL_CONNECT if link.role == "peripheral" else _IRQ_PERIPHERAL_CONNECT
        else:
            self._links.pop(link.handle, None)
            ev = _IRQ_CENTRAL_DISCONNECT if link.role == "peripheral" else _IRQ_PERIPHERAL_DISCONNECT
        self._irq(ev, (link.handle, at, ab))

    def _make_callbacks(self):
        # One set of C callbacks for every channel of this BLE; they find the channel by its
        # pointer.  They run on l2kit's thread with the stack's mutex held.
        def info(ch):
            ci = _lib.ChanInfo()
            lib.l2k_chan_get_info(ch, byref(ci))
            return ci

        def on_accept(user, rq, opts, cbs):
            r = rq.contents
            ci = info(r.chan)
            verdict = self._irq(_IRQ_L2CAP_ACCEPT, (r.handle, ci.local_cid, r.psm, opts.contents.mtu, r.peer_mtu))
            if verdict:
                v = int(verdict)
                return v if 0x0002 <= v <= 0x000C else _lib.RESULT_NO_RESOURCES
            c = _Chan(_lib.ChanP(r.chan.value), r.handle, r.psm, opts.contents.mtu)
            c.cid = ci.local_cid
            self._chans[r.chan.value] = c
            cbs.contents.open = self._cb_open
            cbs.contents.recv = self._cb_recv
            cbs.contents.send_ready = self._cb_send_ready
            cbs.contents.closed = self._cb_closed
            return 0

        def on_open(user, ch):
            c = self._chans.get(ch.value)
            if c is None:
                return
            ci = info(ch)
            c.opened = True
            c.cid = ci.local_cid
            c.handle = ci.handle
            c.peer_mtu = ci.remote_mtu
            c.our_mtu = ci.local_mtu
            self._irq(_IRQ_L2CAP_CONNECT, (c.handle, c.cid, c.psm, c.our_mtu, c.peer_mtu))

        def on_recv(user, ch, sdu, n):
            c = self._chans.get(ch.value)
            if c is None:
                return
            c.rx += ctypes.string_at(sdu, n) if n else b""
            if not c.busy:  # no more credits until the application read it all
                c.busy = True
                lib.l2k_chan_set_busy(ch, True)
            self._irq(_IRQ_L2CAP_RECV, (c.handle, c.cid))

        def on_send_ready(user, ch):
            c = self._chans.get(ch.value)
            if c is None or c.pending is None:
                return
            r = lib.l2k_chan_send(ch, c.pending, len(c.pending))
            if r == _lib.L2K_EAGAIN:
                return  # another send_ready follows
            c.pending = None
            self._irq(_IRQ_L2CAP_SEND_READY, (c.handle, c.cid, 0 if r == 0 else 1))

        def on_closed(user, ch, reason):
            c = self._chans.pop(ch.value, None)
            if c is None:
                return
            if c.opened:
                status = 0
            else:
                ci = info(ch)
                code = _CLOSE_ERR.get(reason, _lib.L2K_EIO)
                status = ci.result if reason == _lib.CLOSE_REFUSED and ci.result else \
                    (errors.make(code).errno or 1)
            self._irq(_IRQ_L2CAP_DISCONNECT, (c.handle, c.cid, c.psm, status))

        self._cb_open = _lib.OPEN_CB(on_open)
        self._cb_recv = _lib.RECV_CB(on_recv)
        self._cb_send_ready = _lib.SEND_READY_CB(on_send_ready)
        self._cb_closed = _lib.CLOSED_CB(on_closed)
        cbs = _lib.ChanCbs()
        cbs.open = self._cb_open
        cbs.recv = self._cb_recv
        cbs.send_ready = self._cb_send_ready
        cbs.closed = self._cb_closed
        srv = _lib.ServerCbs()
        srv.accept = _lib.ACCEPT_CB(on_accept)
        self._server_cbs = srv
        return cbs

    # ---- GAP -----------------------------------------------------------------------------------

    def gap_advertise(self, interval_us, adv_data=None, *, resp_data=None, connectable=True):
        """Advertise (connectable) with adv_data (None: the previous payload); interval_us None
        stops.  l2kit uses its own interval; resp_data is not sent."""
        st = self._need()
        if interval_us is None:
            st.advertise(False)
            return
        if not connectable:
            raise OSError(errno.EOPNOTSUPP, "l2kit advertises connectable only")
        if adv_data is not None:
            self._adv_data = bytes(adv_data)
        st.advertise(True, self._adv_data)

    def gap_connect(self, addr_type, addr=None, scan_duration_ms=2000, min_conn_interval_us=None,
                    max_conn_interval_us=None):
        """Connect to a peripheral (addr: 6 bytes, most significant first); _IRQ_PERIPHERAL_CONNECT
        follows (or _IRQ_PERIPHERAL_DISCONNECT with conn_handle 0xFFFF)."""
        st = self._need()
        if addr_type is None:
            raise OSError(errno.EOPNOTSUPP, "l2kit cannot cancel a connection attempt")
        a = _addr.from_msb_bytes(addr)
        typ = _lib.ADDR_LE_RANDOM if addr_type else _lib.ADDR_LE_PUBLIC
        with st._locked() as s:
            errors.check(lib.l2k_link_connect(s, byref(a), typ), "gap_connect")

    def gap_disconnect(self, conn_handle):
        """Disconnect a link: True, or False when no such connection."""
        st = self._need()
        if conn_handle not in self._links:
            return False
        with st._locked() as s:
            return lib.l2k_link_disconnect(s, conn_handle, 0x13) == 0

    # ---- L2CAP connection-oriented channels ---------------------------------------------------

    def _opts(self, mtu):
        mtu = int(mtu)
        if not 23 <= mtu <= 65535:
            raise ValueError("mtu must be 23..65535")
        o = _lib.chan_opts_default()
        o.mode = _lib.MODES["le"]
        o.mtu = mtu
        o.tx_queue_bytes = 2 * (2 * mtu + 4)  # room for two SDUs of the largest size sendable
        return o

    def l2cap_listen(self, psm, mtu):
        """Accept channels on SPSM psm with our MTU mtu (_IRQ_L2CAP_ACCEPT, then _CONNECT)."""
        st = self._need()
        o = self._opts(mtu)
        srv = _lib.ServerP()
        with st._locked() as s:
            errors.check(lib.l2k_server_add(s, psm, True, byref(o), byref(self._server_cbs), byref(srv)),
                         "l2cap_listen(0x%x)" % psm)
            self._servers.append(srv)

    def l2cap_connect(self, conn_handle, psm, mtu):
        """Open a channel to SPSM psm on the connection; _IRQ_L2CAP_CONNECT follows (or
        _IRQ_L2CAP_DISCONNECT with a non-zero status)."""
        st = self._need()
        link = self._links.get(conn_handle)
        if link is None:
            raise OSError(errno.ENOTCONN, "no connection 0x%x" % conn_handle)
        at, ab, _ = link
        a = _addr.from_msb_bytes(ab)
        o = self._opts(mtu)
        ch = _lib.ChanP()
        with st._locked() as s:
            errors.check(lib.l2k_chan_connect(s, byref(a), _lib.ADDR_LE_RANDOM if at else _lib.ADDR_LE_PUBLIC,
                                              psm, byref(o), byref(self._cbs), byref(ch)),
                         "l2cap_connect")
            self._chans[ch.value] = _Chan(ch, conn_handle, psm, o.mtu)

    def _chan(self, conn_handle, cid):
        for c in self._chans.values():
            if c.handle == conn_handle and c.cid == cid and c.opened:
                return c
        raise OSError(errno.ENOTCONN, "no channel 0x%x on connection 0x%x" % (cid, conn_handle))

    def l2cap_send(self, conn_handle, cid, buf):
        """Send buf as one SDU.  True; False when the channel is now stalled (the SDU is kept
        and sent when room comes: _IRQ_L2CAP_SEND_READY; send nothing more until then)."""
        st = self._need()
        data = bytes(buf)
        with st._locked():
            c = self._chan(conn_handle, cid)
            if c.pending is not None:
                raise OSError(errno.EAGAIN, "the channel is stalled: wait for _IRQ_L2CAP_SEND_READY")
            if len(data) > c.peer_mtu or len(data) > 2 * c.our_mtu:
                raise ValueError("%d bytes is more than the peer's MTU (%d) or twice ours (%d)"
                                 % (len(data), c.peer_mtu, c.our_mtu))
            r = lib.l2k_chan_send(c.ch, data, len(data))
            if r == 0:
                return True
            if r == _lib.L2K_EAGAIN:
                c.pending = data
                return False
            raise errors.make(r, "l2cap_send")

    def l2cap_recvinto(self, conn_handle, cid, buf):
        """Copy received bytes into buf; returns how many (0: none).  buf None: how many wait."""
        st = self._need()
        with st._locked():
            c = self._chan(conn_handle, cid)
            if buf is None:
                return len(c.rx)
            mv = memoryview(buf).cast("B")
            n = min(len(mv), len(c.rx))
            mv[:n] = c.rx[:n]
            del c.rx[:n]
            if not c.rx and c.busy:
                c.busy = False
                lib.l2k_chan_set_busy(c.ch, False)
            return n

    def l2cap_disconnect(self, conn_handle, cid):
        """Disconnect the channel (_IRQ_L2CAP_DISCONNECT follows)."""
        st = self._need()
        with st._locked():
            c = self._chan(conn_handle, cid)
            errors.check(lib.l2k_chan_close(c.ch), "l2cap_disconnect")


def _mp_type(typ):
    return ADDR_RANDOM if typ == _lib.ADDR_LE_RANDOM else ADDR_PUBLIC


_CLOSE_ERR = {
    _lib.CLOSE_LOCAL: _lib.L2K_ESHUTDOWN, _lib.CLOSE_REMOTE: _lib.L2K_ECONNRESET,
    _lib.CLOSE_LINK_LOST: _lib.L2K_ELINKLOSS, _lib.CLOSE_REFUSED: _lib.L2K_EREFUSED,
    _lib.CLOSE_TIMEOUT: _lib.L2K_ETIMEDOUT, _lib.CLOSE_PROTOCOL: _lib.L2K_EPROTO,
    _lib.CLOSE_MAX_TRANSMIT: _lib.L2K_EMAXTX, _lib.CLOSE_CONFIG_FAILED: _lib.L2K_ECONNABORTED,
    _lib.CLOSE_LINK_FAILED: _lib.L2K_EHOSTUNREACH, _lib.CLOSE_CONTROLLER: _lib.L2K_ECTRLTIMEOUT,
}
