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

Pairing and bonding, as MicroPython's NimBLE ports have them: ``config(io=, mitm=, bond=,
le_secure=)``, ``gap_pair``, ``gap_passkey`` and the events

    _IRQ_ENCRYPTION_UPDATE (28)   conn_handle, encrypted, authenticated, bonded, key_size
    _IRQ_GET_SECRET (29)          sec_type, index, key     return the value (None: none)
    _IRQ_SET_SECRET (30)          sec_type, key, value     value None: delete; return True when done
    _IRQ_PASSKEY_ACTION (31)      conn_handle, action, passkey     answer with gap_passkey

``io`` (default 3, _IO_CAPABILITY_NO_INPUT_OUTPUT), ``bond`` (False) and ``le_secure`` (False:
legacy pairing allowed) are the stack's and are fixed at ``active(True)``: set them before it;
``mitm`` (False) can change any time: it is the level ``gap_pair`` asks for.  ``gap_pair`` raises
the link to "medium" (encrypted) or, with ``mitm``, "high" (an authenticated key: Just Works is
refused), with the stored key when it is good enough, else by pairing; ``_IRQ_ENCRYPTION_UPDATE``
follows when the link's encryption changes, and when a pairing fails (with the link as it is).
The passkey actions: _PASSKEY_ACTION_NUMERIC_COMPARISON (4, passkey: the number both sides
show; answer 1 to accept, 0 to refuse), _PASSKEY_ACTION_INPUT (2: answer with the passkey the
peer shows), _PASSKEY_ACTION_DISPLAY (3, passkey: the number to show, which l2kit chose, as
MicroPython's Zephyr port does; no answer is needed, and ``gap_passkey`` with another number
raises EINVAL).  Just Works is accepted without an event.  _IRQ_PASSKEY_ACTION runs on the
stack's agent thread (the stack goes on meanwhile: the handler may block, e.g. in ``input()``),
``gap_passkey`` may be called from it or later from any thread; a pairing that ends first (the
peer gave up, 30 s) is refused.  Bonds are kept through _IRQ_GET_SECRET / _IRQ_SET_SECRET
(``sec_type`` 1, ``key`` the peer's address type - 0 BR/EDR, 1 LE public, 2 LE random - and
address, 7 bytes; ``value`` the bond as l2kit lays it out, to store as it is), while the stack
waits for them (the handler keeps and gives values and calls no BLE method there); without
these handlers nothing is kept.  ``BLE.stack`` (an l2kit extension) is the l2kit.Stack underneath.

Not here (l2kit does no GATT or scanning through this face): the GATT methods, ``gap_scan``;
``gap_connect(None)`` (cancel); the advertising interval, scan response data and
non-connectable advertising (l2kit advertises connectable with its default interval).
"""

import ctypes
import errno
import os
import threading
from ctypes import byref

from . import _addr, _lib, errors
from . import security as _sec
from ._lib import lib
from .stack import Link, Stack

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
_IRQ_ENCRYPTION_UPDATE = 28
_IRQ_GET_SECRET = 29
_IRQ_SET_SECRET = 30
_IRQ_PASSKEY_ACTION = 31

_PASSKEY_ACTION_NONE = 0
_PASSKEY_ACTION_INPUT = 2
_PASSKEY_ACTION_DISPLAY = 3
_PASSKEY_ACTION_NUMERIC_COMPARISON = 4

_IO_CAPABILITY_DISPLAY_ONLY = 0
_IO_CAPABILITY_DISPLAY_YESNO = 1
_IO_CAPABILITY_KEYBOARD_ONLY = 2
_IO_CAPABILITY_NO_INPUT_OUTPUT = 3
_IO_CAPABILITY_KEYBOARD_DISPLAY = 4

# _IRQ_GET_SECRET / _IRQ_SET_SECRET's sec_type: an l2kit bond (one value per peer)
SEC_TYPE_BOND = 1

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
IRQ_ENCRYPTION_UPDATE = _IRQ_ENCRYPTION_UPDATE
IRQ_GET_SECRET = _IRQ_GET_SECRET
IRQ_SET_SECRET = _IRQ_SET_SECRET
IRQ_PASSKEY_ACTION = _IRQ_PASSKEY_ACTION
PASSKEY_ACTION_NONE = _PASSKEY_ACTION_NONE
PASSKEY_ACTION_INPUT = _PASSKEY_ACTION_INPUT
PASSKEY_ACTION_DISPLAY = _PASSKEY_ACTION_DISPLAY
PASSKEY_ACTION_NUMERIC_COMPARISON = _PASSKEY_ACTION_NUMERIC_COMPARISON

# config(io=...) -> l2kit.Security's io_cap
_IO_NAMES = {0: "display", 1: "yesno", 2: "keyboard", 3: "noio", 4: "keyboard-display"}
# the agent's questions -> passkey actions (Just Works is accepted without an event)
_ACTIONS = {"confirm": _PASSKEY_ACTION_NUMERIC_COMPARISON, "passkey-entry": _PASSKEY_ACTION_INPUT,
            "passkey-display": _PASSKEY_ACTION_DISPLAY}

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


class _Ask:
    """A passkey action waiting for gap_passkey."""
    __slots__ = ("action", "passkey", "address", "done", "answer")

    def __init__(self, action, passkey, address):
        self.action = action
        self.passkey = passkey
        self.address = address
        self.done = False
        self.answer = None


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
        # security: config(io=, bond=, le_secure=) make the stack's l2kit.Security at
        # active(True); mitm is the level gap_pair asks
        self._sec = {"io": _IO_CAPABILITY_NO_INPUT_OUTPUT, "bond": False, "mitm": False, "le_secure": False}
        self._sec_cv = threading.Condition()
        self._asks = {}       # handle -> _Ask (a passkey action not answered, or shown)
        self._pairing = {}    # handle -> gap_pair calls not done yet (they tell their failure)
        self._secured_cb = _lib.SECURED_CB(self._gap_pair_done)

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
        sec = _sec.Security(_IO_NAMES[self._sec["io"]], bonding=self._sec["bond"],
                            sc_only=self._sec["le_secure"])
        sec._key_store = _sec._CallbackKeyStore(self._secret_get, self._secret_put, self._secret_del,
                                                self._secret_nth)
        st = Stack(spec, security=sec, agent=self._agent)
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
        with self._sec_cv:
            for ask in self._asks.values():
                ask.done = True  # unanswered: refused
            self._asks.clear()
            self._pairing.clear()
            self._sec_cv.notify_all()

    @property
    def stack(self):
        """The l2kit.Stack underneath (None while not active): an l2kit extension, for what
        MicroPython has no call for (bonds(), link_security() ...)."""
        return self._stack

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
        """config('mac') -> (addr_type, addr); config('gap_name'); config(gap_name=...);
        security: config(io=0..4, bond=bool, mitm=bool, le_secure=bool) and reading them back.
        io, bond and le_secure are fixed while active (set them before active(True): changing
        them then raises EBUSY); mitm changes what gap_pair asks for at any time."""
        if args:
            if len(args) != 1 or kwargs:
                raise TypeError("config() takes one parameter name, or keywords")
            name = args[0]
            if name == "mac":
                st = self._need()
                return (ADDR_PUBLIC, _addr.to_msb_bytes(st._info.addr))
            if name == "gap_name":
                return self._gap_name
            if name in self._sec:
                return self._sec[name]
            raise ValueError("unknown config param")
        new = {}
        for k, v in kwargs.items():
            if k == "gap_name":
                continue
            if k == "io":
                if isinstance(v, bool) or int(v) not in _IO_NAMES:
                    raise ValueError("io must be 0..4 (_IO_CAPABILITY_*)")
                new[k] = int(v)
            elif k in ("bond", "mitm", "le_secure"):
                new[k] = bool(v)
            else:
                raise ValueError("unknown config param")
        if self._stack is not None:
            fixed = [k for k in ("io", "bond", "le_secure") if k in new and new[k] != self._sec[k]]
            if fixed:
                raise OSError(errno.EBUSY, "l2kit sets %s when the stack starts: configure it before "
                              "active(True) (or active(False) first)" % ", ".join(fixed))
        self._sec.update(new)
        if "gap_name" in kwargs:
            v = kwargs["gap_name"]
            self._gap_name = v.encode() if isinstance(v, str) else bytes(v)
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
        if kind == "security":
            link, ls = payload
            handle = link.handle if isinstance(link, Link) else link
            if handle in self._links:
                self._irq(_IRQ_ENCRYPTION_UPDATE, (handle, ls.encrypted, ls.authenticated, ls.bonded,
                                                   ls.key_size))
            return
        if kind == "paired":
            address, exc = payload
            handle = self._handle_of(address)
            self._end_asks(address=address)
            with self._sec_cv:
                mine = self._pairing.get(handle)
            if exc is not None and handle is not None and not mine:
                # as MicroPython's NimBLE ports: a failed pairing is told with the link's state
                # (one that gap_pair asked for is told when gap_pair's request ends)
                self._tell_state(handle)
            return
        if kind == "link_failed":
            address, status = payload
            a, typ = _addr.parse(address)
            if typ != _lib.ADDR_BREDR:
                self._irq(_IRQ_PERIPHERAL_DISCONNECT,
                          (0xFFFF, _mp_type(typ), _addr.to_msb_bytes(a)))
            return
        if kind not in ("link_up", "link_down"):
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
            self._end_asks(handle=link.handle)
            ev = _IRQ_CENTRAL_DISCONNECT if link.role == "peripheral" else _IRQ_PERIPHERAL_DISCONNECT
        self._irq(ev, (link.handle, at, ab))

    def _handle_of(self, address):
        """The handle of our LE link to address ("AA:../le-public"), or None."""
        try:
            a, typ = _addr.parse(address)
        except ValueError:
            return None
        if typ == _lib.ADDR_BREDR:
            return None
        want = (_mp_type(typ), _addr.to_msb_bytes(a))
        for h, (at, ab, _) in list(self._links.items()):
            if (at, ab) == want:
                return h
        return None

    def _tell_state(self, handle):
        st = self._stack
        try:
            ls = st.link_security(handle)
        except (OSError, AttributeError):
            return  # the link (or the stack) is gone
        self._irq(_IRQ_ENCRYPTION_UPDATE, (handle, ls.encrypted, ls.authenticated, ls.bonded, ls.key_size))

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

    # ---- pairing and bonding ----------------------------------------------------------------

    def _agent(self, req):
        """The stack's agent (on its agent thread): a question on one of our LE links becomes
        _IRQ_PASSKEY_ACTION and waits for gap_passkey; Just Works is accepted; the rest (BR/EDR
        links, PIN, authorization) gets the stack's default answer."""
        st = self._stack
        action = _ACTIONS.get(req.ask)
        if req.handle not in self._links or (action is None and req.ask != "just-works"):
            return st._default_agent(req) if st is not None else None
        if action is None:
            return True  # Just Works: MicroPython asks nobody either
        passkey = 0 if action == _PASSKEY_ACTION_INPUT else req.value
        ask = _Ask(action, passkey, req.address)
        with self._sec_cv:
            self._asks[req.handle] = ask
        self._irq(_IRQ_PASSKEY_ACTION, (req.handle, action, passkey))
        if action == _PASSKEY_ACTION_DISPLAY:
            return None  # nothing to answer (kept: gap_passkey may confirm the number shown)
        with self._sec_cv:
            while not ask.done and self._stack is st and not st.closed:
                self._sec_cv.wait(0.2)
            if self._asks.get(req.handle) is ask:
                del self._asks[req.handle]
            answer = ask.answer
        if action == _PASSKEY_ACTION_NUMERIC_COMPARISON:
            return bool(answer)
        return answer  # the passkey, or None (refused)

    def _end_asks(self, handle=None, address=None):
        """Passkey actions of a pairing that ended (or a link that went) are refused."""
        with self._sec_cv:
            for h, ask in list(self._asks.items()):
                if h == handle or (address is not None and ask.address == address):
                    ask.done = True
                    del self._asks[h]
            self._sec_cv.notify_all()

    def gap_pair(self, conn_handle):
        """Secure the connection: encrypted, and with config(mitm=True) an authenticated key
        (Just Works is then refused); a stored key that is good enough is used, else l2kit
        pairs (the peer and _IRQ_PASSKEY_ACTION may be asked).  _IRQ_ENCRYPTION_UPDATE
        follows when the encryption changes or the pairing fails."""
        st = self._need()
        if conn_handle not in self._links:
            raise OSError(errno.ENOTCONN, "no connection 0x%x" % conn_handle)
        level = _lib.SEC_HIGH if self._sec["mitm"] else _lib.SEC_MEDIUM
        with self._sec_cv:
            self._pairing[conn_handle] = self._pairing.get(conn_handle, 0) + 1
        # (the security calls take the stack's lock themselves: not within st._locked())
        r = st._sec_call(lib.l2k_link_secure, st._handle(), conn_handle, level, self._secured_cb, None)
        if r < 0:
            self._pair_done(conn_handle, 0)
            errors.check(r, "gap_pair")

    def _gap_pair_done(self, user, handle, err):
        # l2k_link_secure's done: on l2kit's thread, or inside our agent's answer (then after it)
        st = self._stack
        if st is not None:
            st._soon(lambda: self._pair_done(handle, err))

    def _pair_done(self, handle, err):
        with self._sec_cv:
            n = self._pairing.pop(handle, 0)
            if n > 1:
                self._pairing[handle] = n - 1
        if err < 0 and handle in self._links:
            self._tell_state(handle)  # the pairing failed, or the stored key did not do

    def gap_passkey(self, conn_handle, action, passkey):
        """Answer _IRQ_PASSKEY_ACTION: _PASSKEY_ACTION_NUMERIC_COMPARISON with 1 (the numbers
        match) or 0 (refuse); _PASSKEY_ACTION_INPUT with the passkey the peer shows (0..999999);
        _PASSKEY_ACTION_DISPLAY needs no answer (l2kit chose the number: giving another one
        raises EINVAL)."""
        self._need()
        with self._sec_cv:
            ask = self._asks.get(conn_handle)
            if ask is None or ask.done:
                raise OSError(errno.ENOENT, "no passkey action waits on connection 0x%x" % conn_handle)
            if action != ask.action:
                raise OSError(errno.EINVAL, "connection 0x%x waits for passkey action %d, not %d"
                              % (conn_handle, ask.action, action))
            passkey = int(passkey)
            if action == _PASSKEY_ACTION_DISPLAY:
                if passkey != ask.passkey:
                    raise OSError(errno.EINVAL, "l2kit chose the passkey to show: %06d (from "
                                  "_IRQ_PASSKEY_ACTION), not %06d" % (ask.passkey, passkey))
                return
            if action == _PASSKEY_ACTION_INPUT and not 0 <= passkey <= 999999:
                raise OSError(errno.EINVAL, "a passkey is 0..999999")
            ask.answer = passkey
            ask.done = True
            self._sec_cv.notify_all()

    # bonds, through _IRQ_GET_SECRET / _IRQ_SET_SECRET (l2kit's thread, the stack waiting)

    def _secret_get(self, key):
        return self._irq(_IRQ_GET_SECRET, (SEC_TYPE_BOND, 0, key))

    def _secret_nth(self, index):
        return self._irq(_IRQ_GET_SECRET, (SEC_TYPE_BOND, index, None))

    def _secret_put(self, key, value):
        return bool(self._irq(_IRQ_SET_SECRET, (SEC_TYPE_BOND, key, value)))

    def _secret_del(self, key):
        return bool(self._irq(_IRQ_SET_SECRET, (SEC_TYPE_BOND, key, None)))

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
