"""l2kit.Stack: one controller, driven by l2kit's own thread."""

import atexit
import collections
import ctypes
import os
import threading
import time
import weakref
from ctypes import byref

from . import _addr, _lib, errors
from ._lib import lib

ControllerInfo = collections.namedtuple(
    "ControllerInfo", "address hci_version hci_revision lmp_version manufacturer lmp_subversion "
    "acl_mtu acl_count le_acl_mtu le_acl_count le_shared bredr le")
ControllerInfo.__doc__ = "What the controller said about itself (l2k_controller_info)."

Link = collections.namedtuple("Link", "handle address type role")
Link.__doc__ = ("An ACL or LE link: handle, the peer's address (with /le-public or /le-random for LE), "
                "type ('bredr', 'le-public', 'le-random'), role ('central', 'peripheral' or None).")

# How long one C call may block at most: Python runs signal handlers (Ctrl-C) between calls.
SLICE_MS = 200

# Stacks not closed yet.  A running stack stays alive (like a running thread) until close() or
# the interpreter's exit: its thread calls back into Python.
_open_stacks = set()


@atexit.register
def _close_all():
    # l2kit's thread calls into Python (link events); stop it before the interpreter goes.
    for s in list(_open_stacks):
        try:
            s.close()
        except Exception:
            pass


def _link_from(li):
    role = {0: "central", 1: "peripheral"}.get(li.role)
    return Link(li.handle, _addr.to_string(li.peer, li.type), _addr.TYPE_NAMES.get(li.type, "?"), role)


class Stack:
    """One Bluetooth controller run by l2kit.

    ``transport`` names it as l2cat's ``-t`` does: ``"usb"``, ``"usb:0a12:0001"``, ``"hci0"``
    (Linux HCI user channel), ``"serial:/dev/ttyUSB0,115200"``, ``"tcp:127.0.0.1:9000"`` (e.g.
    vctrl), ``"unix:/tmp/bt-server-bredr"``, ``"sim"`` or ``"sim:air=NAME,..."`` (the in-process
    simulated controller; stacks on one air reach each other).  Without it, the environment
    variable ``L2KIT_TRANSPORT`` is used.

    The constructor opens the transport, brings the controller up (``ready_timeout`` seconds) and
    starts the thread that runs the stack.  ``close()`` (or leaving a ``with`` block) closes the
    channels, disconnects the links and stops it.

    ``connectable``: BR/EDR page scan at start (others can connect to us).  ``btsnoop``: capture
    every HCI packet to this file (``btmon -r``, Wireshark).
    """

    def __init__(self, transport=None, *, btsnoop=None, connectable=True, ready_timeout=10.0,
                 cmd_timeout=None, acl_tx_timeout=None):
        spec = transport if transport is not None else os.environ.get("L2KIT_TRANSPORT")
        if not spec:
            raise errors.make(_lib.L2K_ESPEC, cls=errors.TransportError, message="no transport: give Stack(transport) or set "
                              "L2KIT_TRANSPORT (e.g. usb, hci0, tcp:127.0.0.1:9000, sim)")
        self.transport = spec
        self._s = None
        self._closed = False
        self._mu = threading.RLock()
        self._cv = threading.Condition(self._mu)
        self._links = {}
        self._link_failures = []        # (address, hci_status) of failed link attempts
        self._subscribers = []          # functions(event, payload) called on l2kit's thread
        self._socks = weakref.WeakSet()
        self._last_error = ""
        self.on_advertisement = None    # function(address, rssi, data) while scanning
        self.on_link_up = None          # function(link)
        self.on_link_down = None        # function(link, hci_reason)
        self._advertising = False
        self._extras = []               # things closed with the stack (micropython face ...)
        self._cb = self._make_callbacks()
        opts = _lib.StackOpts()
        opts.no_page_scan = not connectable
        if btsnoop:
            opts.btsnoop_path = os.fsencode(btsnoop)
        if cmd_timeout:
            opts.cmd_timeout_ms = int(cmd_timeout * 1000)
        if acl_tx_timeout:
            opts.acl_tx_timeout_ms = int(acl_tx_timeout * 1000)
        err = ctypes.create_string_buffer(256)
        s = _lib.StackP()
        r = lib.l2k_stack_open(spec.encode(), byref(opts), byref(self._cb), byref(s), err, len(err))
        if r < 0:
            msg = err.value.decode("utf-8", "replace") or _lib.strerror(r)
            raise errors.make(r, message=msg, cls=errors.TransportError)
        self._s = s
        _open_stacks.add(self)
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                r = lib.l2k_wait_ready(s, SLICE_MS)
                if r != _lib.L2K_ETIMEDOUT or time.monotonic() >= deadline:
                    break
            if r < 0:
                why = lib.l2k_last_error(s).decode("utf-8", "replace")
                raise errors.make(r, cls=errors.TransportError,
                                  message="%s: controller bring-up failed: %s%s" % (
                                      spec, _lib.strerror(r), ": " + why if why else ""))
            errors.check(lib.l2k_start(s), "cannot start the stack's thread")
            info = _lib.ControllerInfo()
            errors.check(lib.l2k_controller_info(s, byref(info)))
            self._info = info
        except BaseException:
            self._close_now()
            raise

    # ---- callbacks from l2kit's thread (the stack's mutex is held: no socket calls here) --------

    def _make_callbacks(self):
        ref = weakref.ref(self)

        def link_up(user, li):
            me = ref()
            if me is not None:
                me._event("link_up", _link_from(li.contents))

        def link_down(user, li, reason):
            me = ref()
            if me is not None:
                me._event("link_down", (_link_from(li.contents), reason))

        def link_failed(user, peer, typ, status):
            me = ref()
            if me is not None:
                me._event("link_failed", (_addr.to_string(peer.contents, typ), status))

        def error(user, code, msg):
            me = ref()
            if me is not None:
                me._last_error = msg.decode("utf-8", "replace") if msg else _lib.strerror(code)

        def adv_report(user, peer, typ, rssi, ad, ad_len):
            me = ref()
            cb = me.on_advertisement if me is not None else None
            if cb is not None:
                data = ctypes.string_at(ad, ad_len) if ad_len else b""
                try:
                    cb(_addr.to_string(peer.contents, typ), rssi, data)
                except Exception:  # an application bug must not unwind through C
                    import traceback
                    traceback.print_exc()

        cbs = _lib.StackCbs()
        cbs.link_up = _lib.LINK_UP_CB(link_up)
        cbs.link_down = _lib.LINK_DOWN_CB(link_down)
        cbs.link_failed = _lib.LINK_FAILED_CB(link_failed)
        cbs.error = _lib.ERROR_CB(error)
        cbs.adv_report = _lib.ADV_REPORT_CB(adv_report)
        return cbs

    def _event(self, kind, payload):
        with self._cv:
            if kind == "link_up":
                self._links[payload.handle] = payload
                if payload.type != "bredr":
                    self._advertising = False  # the controller stops when a central connects
            elif kind == "link_down":
                # l2kit's link_down gives the handle only: tell the link as it was up
                known = self._links.pop(payload[0].handle, None)
                if known is not None:
                    payload = (known, payload[1])
            elif kind == "link_failed":
                self._link_failures.append(payload)
            self._cv.notify_all()
            subs = list(self._subscribers)
        if kind == "link_up" and self.on_link_up is not None:
            subs.append(lambda k, p: self.on_link_up(p))
        elif kind == "link_down" and self.on_link_down is not None:
            subs.append(lambda k, p: self.on_link_down(*p))
        for fn in subs:
            try:
                fn(kind, payload)
            except Exception:
                import traceback
                traceback.print_exc()

    def _subscribe(self, fn):
        with self._mu:
            self._subscribers.append(fn)

    def _unsubscribe(self, fn):
        with self._mu:
            if fn in self._subscribers:
                self._subscribers.remove(fn)

    # ---- the stack ------------------------------------------------------------------------------

    def _handle(self):
        s = self._s
        if s is None:
            raise errors.make(_lib.L2K_ENETDOWN, message="the stack is closed")
        return s

    class _Locked:
        """Holds l2kit's stack mutex (l2k_lock) for event-face and stack calls."""
        __slots__ = ("s",)

        def __init__(self, s):
            self.s = s

        def __enter__(self):
            lib.l2k_lock(self.s)
            return self.s

        def __exit__(self, *exc):
            lib.l2k_unlock(self.s)

    def _locked(self):
        return Stack._Locked(self._handle())

    @property
    def info(self):
        """ControllerInfo: address, versions, ACL buffers, whether BR/EDR and LE are supported."""
        i = self._info
        return ControllerInfo(_addr.to_string(i.addr), i.hci_version, i.hci_revision, i.lmp_version,
                              i.manufacturer, i.lmp_subversion, i.acl_mtu, i.acl_count, i.le_acl_mtu,
                              i.le_acl_count, i.le_shared, i.bredr, i.le)

    @property
    def address(self):
        """The controller's public address, "AA:BB:CC:DD:EE:FF"."""
        return _addr.to_string(self._info.addr)

    @property
    def last_error(self):
        """The last thing l2kit reported about the controller or transport ('' if nothing)."""
        return self._last_error

    @property
    def closed(self):
        return self._s is None or self._closed

    # ---- links and LE ---------------------------------------------------------------------------

    @property
    def links(self):
        """The links that are up, as Link tuples.  on_link_up(link) and on_link_down(link,
        hci_reason), when set, are called as links come and go (on l2kit's thread: keep them
        short, and make no blocking l2kit call in them)."""
        with self._mu:
            return list(self._links.values())

    def advertise(self, on=True, data=b""):
        """LE connectable advertising on or off, with AD payload data (bytes, up to 31).  The
        controller stops advertising when a central connects."""
        data = bytes(data or b"")
        with self._locked() as s:
            errors.check(lib.l2k_le_advertise(s, bool(on), data or None, len(data)), "LE advertising")
        self._advertising = bool(on)

    def scan(self, on=True, callback=None):
        """LE scanning on or off; each advertising report calls callback(address, rssi, data) on
        l2kit's thread (set it to something quick: the stack waits for it)."""
        if callback is not None:
            self.on_advertisement = callback
        with self._locked() as s:
            errors.check(lib.l2k_le_scan(s, bool(on)), "LE scan")

    def set_connectable(self, on=True):
        """BR/EDR page scan on or off."""
        with self._locked() as s:
            errors.check(lib.l2k_set_connectable(s, bool(on)))

    def connect_link(self, address, timeout=None, *, le=None):
        """Bring an ACL (BR/EDR) or LE link up to address ("AA:BB:CC:DD:EE:FF[/le-public]") and
        return its Link.  Channels create the link they need, so this is rarely necessary."""
        a, typ = _addr.parse(address, le)
        want = _addr.to_string(a, typ)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            for l in self._links.values():
                if l.address == want:
                    return l
            nfail = len(self._link_failures)
        with self._locked() as s:
            errors.check(lib.l2k_link_connect(s, byref(a), typ), "connect a link to " + want)
        with self._cv:
            while True:
                for l in self._links.values():
                    if l.address == want:
                        return l
                for addr, status in self._link_failures[nfail:]:
                    if addr == want:
                        raise errors.make(_lib.L2K_EHOSTUNREACH, hci_status=status, message=(
                            "link to %s: the link could not be created (HCI 0x%02x: %s)"
                            % (want, status, errors.hci_status_str(status))))
                rem = None if deadline is None else deadline - time.monotonic()
                if rem is not None and rem <= 0:
                    raise errors.make(_lib.L2K_ETIMEDOUT, "link to " + want)
                self._cv.wait(SLICE_MS / 1000 if rem is None else min(rem, SLICE_MS / 1000))

    def disconnect_link(self, link, reason=0x13):
        """Disconnect a link (a Link, or its handle) with an HCI reason (0x13: remote user
        terminated the connection)."""
        handle = link.handle if isinstance(link, Link) else int(link)
        with self._locked() as s:
            errors.check(lib.l2k_link_disconnect(s, handle, reason), "disconnect link 0x%03x" % handle)

    # ---- channels ------------------------------------------------------------------------------

    def socket(self, **options):
        """A new L2CAPSocket on this stack (see l2kit.L2CAPSocket for the options)."""
        from .socket import L2CAPSocket
        return L2CAPSocket(self, **options)

    def connect(self, address, psm, timeout=None, **options):
        """An L2CAPSocket connected to psm at address (like socket.create_connection)."""
        sk = self.socket(**options)
        try:
            sk.settimeout(timeout)
            sk.connect((address, psm))
        except BaseException:
            sk.close()
            raise
        return sk

    def listen(self, psm=0, backlog=1, *, le=False, **options):
        """A listening L2CAPSocket on psm (0: a free one; see getsockname())."""
        sk = self.socket(le=le, **options)
        try:
            sk.bind(("", psm))
            sk.listen(backlog)
        except BaseException:
            sk.close()
            raise
        return sk

    def _add_socket(self, sk):
        with self._mu:
            if self._s is None or self._closed:
                raise errors.make(_lib.L2K_ENETDOWN, message="the stack is closed")
            self._socks.add(sk)

    def _forget_socket(self, sk):
        with self._mu:
            self._socks.discard(sk)

    # ---- closing ------------------------------------------------------------------------------

    def close(self):
        """Close every socket of the stack, disconnect the links and stop it."""
        with self._mu:
            if self._s is None or self._closed:
                return
            self._closed = True  # no new sockets from here on
            extras = list(self._extras)
        for x in extras:
            try:
                x.close()
            except Exception:
                pass
        while True:
            with self._mu:
                socks = list(self._socks)
            if not socks:
                break
            for sk in socks:
                try:
                    sk.close()
                except Exception:
                    pass
                self._forget_socket(sk)
        self._close_now()

    def _close_now(self):
        with self._mu:
            s, self._s = self._s, None
        if s is not None:
            lib.l2k_stack_close(s)  # stops l2kit's thread; no callback comes after this
        _open_stacks.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self._s is None:
            return "<l2kit.Stack %s closed>" % self.transport
        return "<l2kit.Stack %s %s>" % (self.transport, self.address)

    # ---- asyncio (l2kit/aio.py) --------------------------------------------------------------------

    async def open_channel(self, address, psm, **options):
        """Connect a channel from asyncio: an l2kit.aio.Channel (async send / recv)."""
        from . import aio
        return await aio.open_channel(self, address, psm, **options)

    async def start_server(self, client_connected_cb, psm=0, **options):
        """Serve psm from asyncio: client_connected_cb(channel) (a coroutine function or a plain
        function) runs for every accepted channel.  Returns an l2kit.aio.Server."""
        from . import aio
        return await aio.start_server(self, client_connected_cb, psm, **options)
