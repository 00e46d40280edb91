"""l2kit.Stack: one controller, driven by l2kit's own thread."""

import atexit
import collections
import contextlib
import ctypes
import os
import threading
import time
import weakref
from ctypes import byref

from . import _addr, _lib, errors
from . import security as _sec
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

    ``security``: an ``l2kit.Security`` (IO capabilities, bonding and its key file, Secure
    Connections only, minimum key size ...; the default: no input or output, bonds kept in
    memory).  ``agent``: a function called with an ``l2kit.AgentRequest`` for each pairing
    question, on a thread of its own (it may block, e.g. to ask a person); what it returns is
    the answer.  Without one, Just Works is accepted, ``Security(auto_accept=True, passkey=,
    pin=)`` answers the other questions, and anything else is refused at once.
    ``on_paired(address, error)`` (error None or an ``AuthenticationError``) and
    ``on_security(link, link_security)`` may be set to hear of pairings and encryption changes
    (on l2kit's thread, or on the agent's after an answer that ended a pairing at once); they
    may call what returns at once (link_security, bonds ...), not pair or secure.
    """

    def __init__(self, transport=None, *, btsnoop=None, connectable=True, ready_timeout=10.0,
                 cmd_timeout=None, acl_tx_timeout=None, security=None, agent=None):
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
        self.on_paired = None           # function(address, error or None)
        self.on_security = None         # function(link, LinkSecurity)
        self._paired = []               # (address, error or None) of pairings that ended
        self._secured = {}              # secure(): token -> None while waiting, then the error code
        self._secure_token = 0
        self._tls = threading.local()   # .deferred: reports that came inside a security call
        if security is not None and not isinstance(security, _sec.Security):
            raise TypeError("security must be an l2kit.Security, not %s" % type(security).__name__)
        if agent is not None and not callable(agent):
            raise TypeError("agent must be a function of an l2kit.AgentRequest")
        self.security = security if security is not None else _sec.Security()
        # without an agent: Just Works is accepted, the auto_accept options answer the rest and
        # anything else is refused at once (nobody would ever answer it)
        self._agent = agent if agent is not None else self._default_agent
        self._agent_q = collections.deque()
        self._agent_thread = None
        self._agent_mu = threading.Lock()  # the agent's thread holds it while it calls l2kit
        self._cb = self._make_callbacks()
        opts = _lib.StackOpts()
        self._sec_opts = self.security._opts()  # kept alive while the stack is
        opts.security = ctypes.cast(byref(self._sec_opts), ctypes.c_void_p)
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

        def agent(user, req):
            me = ref()
            if me is not None:
                me._agent_ask(_sec.request_from(req.contents))

        def paired(user, peer, typ, err, why):
            me = ref()
            if me is not None:
                address = _addr.to_string(peer.contents, typ)
                exc = None
                if err < 0:
                    exc = errors.make(err, message="pairing with %s failed: %s" % (
                        address, why.decode("utf-8", "replace") if why else _lib.strerror(err)))
                me._event("paired", (address, exc))

        def security(user, handle, sec):
            me = ref()
            if me is not None:
                me._event("security", (handle, _sec.link_security_from(sec.contents)))

        def secured(user, handle, err):
            me = ref()
            if me is not None:
                with me._cv:
                    if user in me._secured:
                        me._secured[user] = err
                        me._cv.notify_all()

        self._secured_cb = _lib.SECURED_CB(secured)  # kept alive with the stack
        cbs = _lib.StackCbs()
        cbs.agent = _lib.AGENT_CB(agent)
        cbs.paired = _lib.PAIRED_CB(paired)
        cbs.security = _lib.SECURITY_CB(security)
        cbs.link_up = _lib.LINK_UP_CB(link_up)
        cbs.link_down = _lib.LINK_DOWN_CB(link_down)
        cbs.link_failed = _lib.LINK_FAILED_CB(link_failed)
        cbs.error = _lib.ERROR_CB(error)
        cbs.adv_report = _lib.ADV_REPORT_CB(adv_report)
        return cbs

    def _sec_call(self, fn, *args):
        """Make one of l2kit's security calls (they take the stack's lock themselves).  Such a
        call may report on this very thread, the lock held, before it returns (our agent's
        refusal ends an LE pairing at once: cbs->paired); those reports are handled once it
        returned, so that what they run (on_paired, the faces' events) may call l2kit again
        instead of deadlocking on the lock."""
        with self._reports_after():
            return fn(*args)

    @contextlib.contextmanager
    def _reports_after(self):
        """Within: reports on this thread wait (see _sec_call); at the end they are handled."""
        if getattr(self._tls, "deferred", None) is not None:
            yield  # within another one: its reports wait for the outer one's end
            return
        self._tls.deferred = []
        try:
            yield
        finally:
            pending, self._tls.deferred = self._tls.deferred, None
            for later in pending:
                later()

    def _soon(self, fn):
        """fn() now, or, inside a security call on this thread, once it returned (_sec_call):
        for reports that may call l2kit."""
        deferred = getattr(self._tls, "deferred", None)
        if deferred is not None:
            deferred.append(fn)
        else:
            fn()

    def _event(self, kind, payload):
        deferred = getattr(self._tls, "deferred", None)
        if deferred is not None:  # inside a security call on this thread: after it (_sec_call)
            deferred.append(lambda: self._event(kind, payload))
            return
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
            elif kind == "paired":
                self._paired.append(payload)
            elif kind == "security":
                link = self._links.get(payload[0])
                payload = (link if link is not None else payload[0], payload[1])
            self._cv.notify_all()
            subs = list(self._subscribers)
        if kind == "link_up" and self.on_link_up is not None:
            subs.append(lambda k, p: self.on_link_up(p))
        elif kind == "link_down" and self.on_link_down is not None:
            subs.append(lambda k, p: self.on_link_down(*p))
        elif kind == "paired" and self.on_paired is not None:
            subs.append(lambda k, p: self.on_paired(*p))
        elif kind == "security" and self.on_security is not None:
            subs.append(lambda k, p: self.on_security(*p))
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

    def hci_stats(self, link=None):
        """The HCI host's counters (l2k_hci_stats) as a dict: ACL packets and PDUs received,
        malformed input dropped (acl_bad_header, acl_unknown_handle, acl_cont_without_start,
        acl_overrun, acl_short_start, acl_too_big, acl_incomplete, evt_malformed, nocp_excess),
        rx_after_failure, cmd_timeouts, probes.  With link (a Link or its handle): that link's
        own (l2k_link_stats; l2kit.Error with errno ENOTCONN when it is no open link)."""
        st = _lib.HciStats()
        with self._locked() as s:
            if link is None:
                r = lib.l2k_hci_stats(s, byref(st))
            else:
                handle = link if isinstance(link, int) else link.handle
                r = lib.l2k_link_stats(s, handle, byref(st))
        errors.check(r, "HCI counters")
        return {name: getattr(st, name) for name, _ in st._fields_}

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

    # ---- security (docs/security.md) -----------------------------------------------------------

    def _agent_ask(self, request):
        # on l2kit's thread, its mutex held
        if request.ask == "just-works" and self._agent == self._default_agent:
            # nothing to ask anybody (Security Mode 4 pairs Just Works before BR/EDR channels at
            # the default level): accepted here and now, as the library does without an agent,
            # with no agent thread for it
            s = self._s
            if s is not None:
                lib.l2k_agent_reply(s, request.handle, True, 0, None)
            return
        # hand the question to the agent's thread
        with self._mu:
            self._agent_q.append(request)
            if self._agent_thread is None:
                self._agent_thread = threading.Thread(target=self._agent_loop, name="l2kit-agent",
                                                      daemon=True)
                self._agent_thread.start()
            self._cv.notify_all()

    def _agent_loop(self):
        while True:
            with self._cv:
                while not self._agent_q and self._s is not None and not self._closed:
                    self._cv.wait()
                if not self._agent_q:
                    return
                request = self._agent_q.popleft()
            try:
                answer = self._agent(request)
            except Exception:  # an application bug: refuse, and say why
                import traceback
                traceback.print_exc()
                answer = None
            if request.ask == "passkey-display":
                continue  # nothing to answer
            accept, passkey, pin = bool(answer), 0, None
            if request.ask == "passkey-entry":
                accept = answer is not None and answer is not False
                try:
                    passkey = int(answer) if accept else 0
                except (TypeError, ValueError):
                    accept = False
                if accept and not 0 <= passkey <= 999999:
                    accept, passkey = False, 0
            elif request.ask == "pin":
                accept = isinstance(answer, (str, bytes)) and 1 <= len(answer) <= 16
                if accept:
                    pin = answer.encode() if isinstance(answer, str) else bytes(answer)
            # the reports the answer brings (it may end a pairing at once) are handled once
            # _agent_mu is released: they may call l2kit, even close the stack
            with self._reports_after():
                with self._agent_mu:  # _close_now waits for this before it frees the stack
                    s = self._s
                    if s is None:
                        return  # the stack closed
                    # the security calls take the stack's lock themselves (l2kit.h)
                    lib.l2k_agent_reply(s, request.handle, accept, passkey, pin)  # ENOENT: it ended

    def _default_agent(self, req):
        sec = self.security
        if req.ask == "just-works":
            return True
        if not sec.auto_accept:
            return None
        if req.ask == "confirm":
            return True
        if req.ask == "passkey-entry":  # as l2kit's own auto_accept answers
            return sec.passkey if sec.passkey is not None else 0
        if req.ask == "pin":
            return sec.pin if sec.pin is not None else "0000"
        return None

    def _link_handle(self, link):
        if isinstance(link, Link):
            return link.handle
        if isinstance(link, str):
            a, typ = _addr.parse(link)
            h = ctypes.c_uint16()
            with self._locked() as s:
                errors.check(lib.l2k_link_find(s, byref(a), typ, byref(h)), "no link to " + link)
            return h.value
        return int(link)

    def link_security(self, link):
        """The security of an open link (a Link, its handle or the peer's address): an
        l2kit.LinkSecurity."""
        h = self._link_handle(link)
        sec = _lib.LinkSecurity()
        s = self._handle()  # (takes the lock itself)
        errors.check(lib.l2k_link_security(s, h, byref(sec)), "link 0x%03x" % h)
        return _sec.link_security_from(sec)

    def pair(self, address, timeout=30.0, *, le=None):
        """Pair with address (bond too, unless Security(bonding=False)), then encrypt the link
        with the new key, as BlueZ's Pair Device does: the link is created when there is none.
        Returns the link's LinkSecurity; raises AuthenticationError (with the step and the
        reason) when pairing fails, Timeout after timeout seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        link = self.connect_link(address, timeout, le=le)
        a, typ = _addr.parse(link.address)
        with self._cv:
            n = len(self._paired)
        s = self._handle()  # (takes the lock itself)
        errors.check(self._sec_call(lib.l2k_pair, s, byref(a), typ), "pair with " + link.address)
        with self._cv:
            while True:
                done = [exc for who, exc in self._paired[n:] if who == link.address]
                if done:
                    if done[0] is not None:
                        raise done[0]
                    break
                if link.handle not in self._links:
                    raise errors.make(_lib.L2K_ELINKLOSS, message="pair with %s: the link went down" % link.address)
                rem = None if deadline is None else deadline - time.monotonic()
                if rem is not None and rem <= 0:
                    raise errors.make(_lib.L2K_ETIMEDOUT, message="pair with %s: timed out" % link.address)
                self._cv.wait(SLICE_MS / 1000 if rem is None else min(rem, SLICE_MS / 1000))
        rem = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self.secure(link, "medium", rem)

    def secure(self, link, level="medium", timeout=30.0):
        """Raise an open link (a Link, its handle or the peer's address) to at least level
        ("low", "medium", "high", "fips" or 1..4) as a channel at that level would: with the
        stored key or by pairing (the agent is asked), then encrypting.  Returns the link's
        LinkSecurity; raises AuthenticationError when the level cannot be had (Just Works where
        "high" needs MITM protection, the agent refused, the key is too short ...), Timeout."""
        h = self._link_handle(link)
        lv = _sec.level(level)
        if lv == 0:
            return self.link_security(h)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            self._secure_token += 1
            token = self._secure_token
            self._secured[token] = None
        try:
            s = self._handle()  # (takes the lock itself)
            errors.check(self._sec_call(lib.l2k_link_secure, s, h, lv, self._secured_cb, token),
                         "link 0x%03x" % h)
            with self._cv:
                while self._secured[token] is None:
                    if self._s is None:
                        raise errors.make(_lib.L2K_ENETDOWN, message="the stack is closed")
                    rem = None if deadline is None else deadline - time.monotonic()
                    if rem is not None and rem <= 0:
                        raise errors.make(_lib.L2K_ETIMEDOUT, message="secure link 0x%03x: timed out" % h)
                    self._cv.wait(SLICE_MS / 1000 if rem is None else min(rem, SLICE_MS / 1000))
                err = self._secured.pop(token)
        except BaseException:
            with self._cv:
                self._secured.pop(token, None)  # a done that comes later is ignored
            raise
        if err < 0:
            raise errors.make(err, message="cannot raise link 0x%03x to %s: %s" % (
                h, _sec.LEVEL_NAMES[lv], _lib.strerror(err)))
        return self.link_security(h)

    def bonds(self):
        """The bonds in the key store: a list of l2kit.Bond."""
        s = self._handle()  # (takes the lock itself)
        n = errors.check(self._sec_call(lib.l2k_bonds, s, None, 0), "bonds")
        arr = (_lib.Bond * max(n, 1))()
        n = errors.check(self._sec_call(lib.l2k_bonds, s, arr, n), "bonds") if n else 0
        return [_sec.bond_from(arr[i]) for i in range(min(n, len(arr)))]

    def remove_bond(self, address):
        """Forget the bond with address (its keys are deleted); KeyError when there is none."""
        a, typ = _addr.parse(address)
        s = self._handle()  # (takes the lock itself)
        r = self._sec_call(lib.l2k_bond_remove, s, byref(a), typ)
        if r == _lib.L2K_ENOENT:
            raise KeyError("no bond with %s" % address)
        errors.check(r, "remove the bond with " + address)

    def oob_local(self):
        """Our Out of Band data for BR/EDR Secure Simple Pairing (read anew from the controller;
        only the last values read pair): a dict with "c192", "r192" and, with Secure
        Connections, "c256", "r256" (bytes, HCI order).  Give it to the peer by other means."""
        d = _lib.OobData()
        errors.check(lib.l2k_oob_local(self._handle(), byref(d)), "local OOB data")
        out = {}
        if d.has_p192:
            out["c192"], out["r192"] = bytes(d.c192), bytes(d.r192)
        if d.has_p256:
            out["c256"], out["r256"] = bytes(d.c256), bytes(d.r256)
        return out

    def oob_remote(self, address, data):
        """The peer's Out of Band data as oob_local gave it there (None: forget it): pairing
        with address then uses it (BR/EDR Secure Simple Pairing)."""
        a, typ = _addr.parse(address)
        if typ != _lib.ADDR_BREDR:
            raise ValueError("OOB data for Simple Pairing is for BR/EDR addresses, not " + address)
        d = None
        if data is not None:
            d = _lib.OobData()
            for name in ("c192", "r192", "c256", "r256"):
                v = data.get(name)
                if v is not None:
                    if len(v) != 16:
                        raise ValueError("%s: 16 bytes, not %d" % (name, len(v)))
                    getattr(d, name)[:] = list(v)
            d.has_p192 = "c192" in data and "r192" in data
            d.has_p256 = "c256" in data and "r256" in data
            if not (d.has_p192 or d.has_p256):
                raise ValueError("OOB data needs c192 and r192, or c256 and r256")
        s = self._handle()  # (takes the lock itself)
        errors.check(self._sec_call(lib.l2k_oob_remote, s, byref(a), byref(d) if d is not None else None),
                     "OOB data of " + address)

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
            self._cv.notify_all()  # the agent's thread ends
            t = self._agent_thread
        if s is not None:
            with self._agent_mu:  # no agent reply is under way (new ones see self._s None)
                pass
            lib.l2k_stack_close(s)  # stops l2kit's thread; no callback comes after this
        if t is not None and t is not threading.current_thread():
            t.join(1.0)
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
