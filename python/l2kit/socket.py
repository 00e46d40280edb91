"""l2kit.L2CAPSocket: an L2CAP channel that behaves like a Python socket of type SOCK_SEQPACKET."""

import collections
import ctypes
import errno
import select
import socket as _socket
import threading
import time
from ctypes import byref

from . import _addr, _lib, errors
from ._lib import lib
from .stack import SLICE_MS

AF_BLUETOOTH = getattr(_socket, "AF_BLUETOOTH", 31)
BTPROTO_L2CAP = 0
SOCK_SEQPACKET = getattr(_socket, "SOCK_SEQPACKET", 5)
SIZE_MAX = ctypes.c_size_t(-1).value
MSG_TRUNC = getattr(_socket, "MSG_TRUNC", 0x20)
MSG_EOR = getattr(_socket, "MSG_EOR", 0x80)

ChannelInfo = collections.namedtuple(
    "ChannelInfo", "mode link peer handle psm local_cid remote_cid mtu peer_mtu mps peer_mps "
    "credits_tx credits_rx fcs result hci_reason tx_sdus rx_sdus tx_bytes rx_bytes "
    "retransmissions rx_sdus_dropped rx_frames_bad_fcs link_acl_dropped")
ChannelInfo.__doc__ = """What l2kit knows about a channel (struct l2k_chan_info): mode name, link
type ('bredr', 'le-public', 'le-random'), peer address, link handle, PSM, CIDs, MTU and MPS both
ways (ours first), credits, FCS, the peer's last result code, the link's HCI reason, counters
(link_acl_dropped: ACL packets of the channel's link the HCI host dropped as malformed)."""


# ---- options ----------------------------------------------------------------------------------

def _mode(v):
    if isinstance(v, str):
        name = _lib.MODE_ALIASES.get(v.lower(), v.lower())
        if name not in _lib.MODES:
            raise ValueError("unknown mode %r (modes: %s)" % (v, ", ".join(_lib.MODES)))
        v = _lib.MODES[name]
    v = int(v)
    if v not in _lib.MODES.values():
        raise ValueError("unknown mode 0x%02x" % v)
    if not lib.l2k_mode_supported(v):
        raise errors.make(_lib.L2K_ENOTSUP, message="mode %s is not built into this l2kit"
                          % _lib.mode_name(v))
    return v


def _fcs(v):
    if isinstance(v, str):
        if v.lower() not in ("crc16", "none"):
            raise ValueError("fcs is 'crc16' or 'none'")
        return 1 if v.lower() == "crc16" else 0
    return 1 if v else 0


def _uint(bits):
    top = (1 << bits) - 1

    def conv(v):
        v = int(v)
        if not 0 <= v <= top:
            raise ValueError("%d is out of range 0..%d" % (v, top))
        return v
    return conv


def _sec_level(v):
    from .security import level
    return level(v)


def _ms(v):
    return _uint(32)(round(float(v) * 1000))


# keyword -> (struct l2k_chan_opts field, conversion).  New fields of the C options (security
# levels, ...) slot in here.
OPTIONS = {
    "mode": ("mode", _mode),
    "mode_required": ("mode_required", bool),
    "mtu": ("mtu", _uint(16)),
    "mps": ("mps", _uint(16)),
    "credits": ("credits", _uint(16)),
    "manual_credits": ("manual_credits", bool),
    "fcs": ("fcs", _fcs),
    "window": ("tx_window", _uint(16)),
    "max_transmit": ("max_transmit", _uint(8)),
    "ext_window": ("ext_window", bool),
    "flow_spec": ("flow_spec", _uint(8)),
    "flush_timeout": ("flush_timeout", _uint(16)),
    "sec_level": ("sec_level", _sec_level),
    "connect_timeout": ("connect_timeout_ms", _ms),
    "tx_queue_bytes": ("tx_queue_bytes", _uint(32)),
    "rx_queue_bytes": ("rx_queue_bytes", _uint(32)),
}


def _buffer(data):
    """(something ctypes passes as const void *, length) for a bytes-like object."""
    if type(data) is bytes:
        return data, len(data)
    if isinstance(data, str):
        raise TypeError("a bytes-like object is required, not 'str'")
    mv = memoryview(data)
    if not mv.c_contiguous:
        raise BufferError("the buffer is not contiguous")
    n = mv.nbytes
    if n == 0:
        return None, 0
    if mv.readonly:
        return mv.tobytes(), n
    return (ctypes.c_char * n).from_buffer(mv.cast("B") if mv.format != "B" or mv.ndim != 1 else mv), n


def _writable(buf, nbytes):
    mv = memoryview(buf)
    if mv.readonly:
        raise TypeError("recv_into needs a writable buffer")
    if mv.format != "B" or mv.ndim != 1:
        mv = mv.cast("B")
    if nbytes == 0 or nbytes > mv.nbytes:
        nbytes = mv.nbytes
    if nbytes == 0:
        return None, 0
    return (ctypes.c_char * nbytes).from_buffer(mv), nbytes


if hasattr(select, "poll"):
    def wait_readable(fd, timeout):
        p = select.poll()
        p.register(fd, select.POLLIN)
        return bool(p.poll(None if timeout is None else max(0, int(timeout * 1000))))
else:  # pragma: no cover
    def wait_readable(fd, timeout):
        return bool(select.select([fd], [], [], timeout)[0])


def _slice_ms(deadline):
    if deadline is None:
        return SLICE_MS
    rem = deadline - time.monotonic()
    return 0 if rem <= 0 else min(SLICE_MS, int(rem * 1000) + 1)


def channel_info(sk):
    """ChanInfo (ctypes) of a C socket."""
    ci = _lib.ChanInfo()
    errors.check(lib.l2k_sock_info(sk, byref(ci)))
    return ci


def _info_tuple(ci):
    return ChannelInfo(
        _lib.mode_name(ci.mode), _addr.TYPE_NAMES.get(ci.link_type, "?"),
        _addr.to_string(ci.peer, ci.link_type), ci.handle, ci.psm, ci.local_cid, ci.remote_cid,
        ci.local_mtu, ci.remote_mtu, ci.local_mps, ci.remote_mps, ci.credits_tx, ci.credits_rx,
        bool(ci.fcs), ci.result, ci.hci_reason, ci.tx_sdus, ci.rx_sdus, ci.tx_bytes, ci.rx_bytes,
        ci.retransmissions, ci.rx_sdus_dropped, ci.rx_frames_bad_fcs, ci.link_acl_dropped)


_NEW, _LISTENING, _CONNECTING, _CONNECTED = "new", "listening", "connecting", "connected"


class L2CAPSocket:
    """An L2CAP channel, or a listener, following Python's socket conventions (SOCK_SEQPACKET:
    each send is one SDU, each recv returns one SDU, truncated to the buffer as on Linux).

    Made by ``stack.socket(**options)`` (or ``L2CAPSocket(stack, **options)``); options are
    keywords that fill ``struct l2k_chan_opts`` and apply to the next connect() or listen():

    ``mode`` ('basic', 'retrans', 'flowctl', 'ertm', 'streaming', 'le', 'ecfc'), ``mode_required``,
    ``mtu`` (largest SDU we receive), ``mps``, ``credits``, ``manual_credits``, ``fcs``
    ('crc16'/'none' or bool), ``window`` (ERTM / legacy receive window), ``max_transmit``,
    ``ext_window``, ``flow_spec``, ``flush_timeout``, ``sec_level`` (the security the channel
    needs: 'none', 'low', 'medium' (encrypted), 'high' (encrypted, MITM-protected pairing),
    'fips' (Secure Connections, 16-octet key) or 0..4; docs/security.md), ``connect_timeout``
    (seconds), ``tx_queue_bytes``, ``rx_queue_bytes``; and ``le`` (serve / connect over LE,
    implied by mode 'le' and by '/le-public' / '/le-random' addresses), ``linger`` (seconds
    close() waits for queued SDUs to be delivered; 0: drop them).

    Addresses are ``(address, psm)`` tuples with ``"AA:BB:CC:DD:EE:FF"`` for BR/EDR and
    ``"AA:BB:CC:DD:EE:FF/le-public"`` (or ``/le-random``) for LE.
    """

    family = AF_BLUETOOTH
    type = SOCK_SEQPACKET
    proto = BTPROTO_L2CAP

    def __init__(self, stack, *, le=None, linger=5.0, advertise=True, _sk=None, _peer=None, **options):
        self._stack = stack
        self._sk = None
        self._state = _NEW
        self._closing = False
        self._busy = 0
        self._cv = threading.Condition()
        self._timeout = None
        self._opts = _lib.chan_opts_default()
        self._mode_set = False
        self._le = le
        self._psm = 0
        self._peer = _peer
        self._eof = False
        self._rbuf = None
        self._rlock = threading.Lock()
        self._last_full = 0
        self.linger = linger
        self.advertise = advertise
        self.setopts(**options)
        stack._add_socket(self)
        if _sk is not None:
            self._sk = _sk
            self._state = _CONNECTED

    # ---- options ---------------------------------------------------------------------------

    def setopts(self, **options):
        """Set channel options (see the class) for the next connect() or listen()."""
        for k, v in options.items():
            if k not in OPTIONS:
                raise TypeError("unknown option %r (options: %s)" % (k, ", ".join(OPTIONS)))
            field, conv = OPTIONS[k]
            setattr(self._opts, field, conv(v))
            if k == "mode":
                self._mode_set = True

    def getopts(self):
        """The options as they stand, as a dict of the keywords setopts() takes."""
        out = {}
        for k, (field, _) in OPTIONS.items():
            v = getattr(self._opts, field)
            out[k] = _lib.mode_name(v) if k == "mode" else v / 1000 if k == "connect_timeout" else v
        return out

    def _is_le(self, typ=None):
        if typ is not None:
            return typ != _lib.ADDR_BREDR
        if self._le is not None:
            return bool(self._le)
        return self._mode_set and self._opts.mode == _lib.MODES["le"]

    def _opts_for(self, le):
        o = _lib.ChanOpts()
        ctypes.memmove(byref(o), byref(self._opts), ctypes.sizeof(o))
        if not self._mode_set:
            o.mode = _lib.MODES["le"] if le else _lib.MODES["basic"]
        return o

    # ---- timeouts ----------------------------------------------------------------------------

    def settimeout(self, value):
        """None: block; 0: non-blocking (BlockingIOError); > 0: seconds (l2kit.timeout)."""
        if value is not None:
            value = float(value)
            if value < 0:
                raise ValueError("Timeout value out of range")
        self._timeout = value

    def gettimeout(self):
        return self._timeout

    def setblocking(self, flag):
        self._timeout = None if flag else 0.0

    def getblocking(self):
        return self._timeout != 0.0

    @property
    def timeout(self):
        return self._timeout

    # ---- the C socket, one call at a time ------------------------------------------------------
    # A call marks the socket busy while it uses the C socket; close() waits until no call is
    # busy before it releases it (a blocking call gives up within SLICE_MS once close() began).

    def _begin(self, want=None):
        with self._cv:
            if self._sk is None or self._closing:
                if self._state == _NEW and not self._closing:
                    raise errors.make(_lib.L2K_ENOTCONN, message="the socket is not connected")
                raise errors.make(_lib.L2K_EBADF, message="the socket is closed")
            if want is not None and self._state != want and not (want == _CONNECTED and self._state == _CONNECTING):
                # (data calls on a connecting socket wait for the connect, as l2k_send does)
                if want == _LISTENING:
                    raise errors.make(_lib.L2K_EINVAL, message="the socket is not listening")
                raise errors.make(_lib.L2K_ENOTCONN, message="the socket is not connected")
            self._busy += 1
            return self._sk

    def _end(self):
        with self._cv:
            self._busy -= 1
            if self._closing and not self._busy:
                self._cv.notify_all()

    def _check_closing(self):
        if self._closing:
            raise errors.make(_lib.L2K_EBADF, message="the socket was closed")

    def _chan_error(self, sk, code, what=None):
        try:
            ci = channel_info(sk)
        except OSError:
            ci = None
        return errors.for_channel(code, ci, what)

    def _raise(self, sk, code, what):
        if code == _lib.L2K_EAGAIN:
            raise errors.make(code, message="%s would block" % what)
        if code == _lib.L2K_ETIMEDOUT:
            raise errors.make(code, message="timed out")
        raise self._chan_error(sk, code, what)

    # ---- data ---------------------------------------------------------------------------------

    def _recv_raw(self, sk, ptr, cap):
        full = ctypes.c_size_t()
        t = self._timeout
        if t == 0:
            n = lib.l2k_recv(sk, ptr, cap, byref(full), 0)
        else:
            deadline = None if t is None else time.monotonic() + t
            while True:
                n = lib.l2k_recv(sk, ptr, cap, byref(full), _slice_ms(deadline))
                if n != _lib.L2K_ETIMEDOUT and n != _lib.L2K_EAGAIN:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    n = _lib.L2K_ETIMEDOUT
                    break
                self._check_closing()
        if n < 0:
            self._raise(sk, n, "recv")
        self._last_full = full.value
        if n == 0 and full.value == SIZE_MAX:
            self._eof = True
        return n

    def recv(self, bufsize, flags=0):
        """One SDU (bytes), truncated to bufsize (the rest of that SDU is discarded); b'' at the
        end of the stream (see ``eof``: an empty SDU also gives b'')."""
        self._no_flags(flags)
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        sk = self._begin(_CONNECTED)
        try:
            if self._rlock.acquire(False):
                try:
                    buf = self._rbuf
                    if buf is None or len(buf) < bufsize:
                        buf = self._rbuf = ctypes.create_string_buffer(max(bufsize, 1))
                    n = self._recv_raw(sk, buf, bufsize)
                    return ctypes.string_at(buf, n)
                finally:
                    self._rlock.release()
            buf = ctypes.create_string_buffer(max(bufsize, 1))
            n = self._recv_raw(sk, buf, bufsize)
            return ctypes.string_at(buf, n)
        finally:
            self._end()

    def recv_into(self, buffer, nbytes=0, flags=0):
        """One SDU into buffer (at most nbytes, 0: all of it); returns the bytes written."""
        self._no_flags(flags)
        ptr, cap = _writable(buffer, nbytes)
        sk = self._begin(_CONNECTED)
        try:
            return self._recv_raw(sk, ptr, cap)
        finally:
            self._end()

    def recvmsg(self, bufsize, ancbufsize=0, flags=0):
        """(data, [], msg_flags, address) like socket.recvmsg: MSG_TRUNC in msg_flags when the
        SDU was longer than bufsize, MSG_EOR with every whole SDU."""
        data = self.recv(bufsize, flags)
        fl = 0
        if not self._eof:
            fl = MSG_EOR | (MSG_TRUNC if self._last_full > len(data) else 0)
        return data, [], fl, self._peer

    @property
    def eof(self):
        """True once recv returned the end of the stream (the channel closed)."""
        return self._eof

    def send(self, data, flags=0):
        """Send data as one SDU; returns its length.  Blocks (as the timeout says) while the
        channel's queue is full or the peer gives no credits."""
        self._no_flags(flags)
        ptr, n = _buffer(data)
        sk = self._begin(_CONNECTED)
        try:
            t = self._timeout
            if t == 0:
                r = lib.l2k_send(sk, ptr, n, 0)
            else:
                deadline = None if t is None else time.monotonic() + t
                while True:
                    r = lib.l2k_send(sk, ptr, n, _slice_ms(deadline))
                    if r != _lib.L2K_ETIMEDOUT and r != _lib.L2K_EAGAIN:
                        break
                    st = lib.l2k_sock_error(sk)
                    if st < 0 and st != _lib.L2K_EINPROGRESS:
                        r = st  # the channel ended (its timeout reason included)
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        r = _lib.L2K_ETIMEDOUT
                        break
                    self._check_closing()
            if r < 0:
                if r == _lib.L2K_EMSGSIZE:
                    mtu = channel_info(sk).remote_mtu
                    raise errors.make(r, message="an SDU of %d bytes is larger than the peer's MTU (%d)"
                                      % (n, mtu))
                self._raise(sk, r, "send")
            return r
        finally:
            self._end()

    def sendall(self, data, flags=0):
        """Send data as one SDU (on a SEQPACKET socket that is what send does)."""
        self.send(data, flags)

    def _no_flags(self, flags):
        if flags:
            raise errors.make(_lib.L2K_ENOTSUP, message="flags are not supported")

    def give_credits(self, n):
        """With manual_credits: let the peer send n more K-frames."""
        sk = self._begin(_CONNECTED)
        try:
            errors.check(lib.l2k_sock_give_credits(sk, n), "give credits")
        finally:
            self._end()

    # ---- connecting ------------------------------------------------------------------------

    def _parse(self, address):
        try:
            addr, psm = address
        except (TypeError, ValueError):
            raise TypeError("an L2CAP address is a tuple (address, psm), e.g. "
                            "('AA:BB:CC:DD:EE:FF', 0x1001)") from None
        psm = int(psm)
        if not 0 <= psm <= 0xFFFF:
            raise errors.make(_lib.L2K_EINVAL, message="PSM 0x%x is out of range" % psm)
        return addr, psm

    def connect(self, address):
        """Connect to (address, psm).  A non-blocking socket raises BlockingIOError (EINPROGRESS)
        and the attempt goes on: fileno() turns readable when it finished, then connect() again
        (or getsockopt(SOL_SOCKET, SO_ERROR)) tells the outcome."""
        with self._cv:
            if self._closing or (self._sk is None and self._state != _NEW):
                raise errors.make(_lib.L2K_EBADF, message="the socket is closed")
            state = self._state
        if state == _CONNECTING:
            return self._finish_connect(self._timeout)
        if state == _CONNECTED:
            raise errors.make(_lib.L2K_EISCONN, message="the socket is already connected")
        if state == _LISTENING:
            raise errors.make(_lib.L2K_EINVAL, message="the socket is listening")
        text, psm = self._parse(address)
        a, typ = _addr.parse(text, self._is_le() or None)
        le = self._is_le(typ)
        opts = self._opts_for(le)
        peer = _addr.to_string(a, typ)
        s = self._stack._handle()
        sk = _lib.SockP()
        r = lib.l2k_connect(s, byref(a), typ, psm, byref(opts), 0, byref(sk))
        what = "connect to %s psm 0x%04x" % (peer, psm)
        if r < 0 and r != _lib.L2K_EINPROGRESS:
            if sk:
                e = self._chan_error(sk, r, what)
                lib.l2k_close(sk)
                raise e
            if r == _lib.L2K_EINVAL:
                raise errors.make(r, message="%s: invalid PSM or options (BR/EDR PSMs are odd with an "
                                  "even upper octet, e.g. 0x1001; LE SPSMs 0x0001-0x00FF)" % what)
            raise errors.make(r, what)
        with self._cv:
            if self._closing:  # closed meanwhile by another thread
                lib.l2k_close(sk)
                raise errors.make(_lib.L2K_EBADF, message="the socket was closed")
            self._sk = sk
            self._state = _CONNECTING
            self._peer = (peer, psm)
            self._psm = psm
            self._what = what
        return self._finish_connect(self._timeout)

    def _finish_connect(self, timeout):
        sk = self._begin()
        gave_up = False
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            fd = lib.l2k_sock_fd(sk)
            while True:
                st = lib.l2k_sock_error(sk)
                if st != _lib.L2K_EINPROGRESS:
                    break
                if timeout == 0:
                    raise errors.make(_lib.L2K_EINPROGRESS, message="connect in progress")
                rem = None if deadline is None else deadline - time.monotonic()
                if rem is not None and rem <= 0:
                    gave_up = True
                    raise errors.make(_lib.L2K_ETIMEDOUT, message="timed out")
                self._check_closing()
                wait_readable(fd, SLICE_MS / 1000 if rem is None else min(rem, SLICE_MS / 1000))
            if st < 0:
                gave_up = True
                raise self._chan_error(sk, st, self._what)
        except KeyboardInterrupt:
            gave_up = True
            raise
        finally:
            self._end()
            if gave_up:
                self._drop()
        with self._cv:
            self._state = _CONNECTED
        return None

    def _drop(self):
        """Release the C socket now (a connect given up or failed); the object is closed."""
        with self._cv:
            self._closing = True
            while self._busy:
                self._cv.wait()
            sk, self._sk = self._sk, None
        if sk and self._stack._s is not None:
            lib.l2k_close(sk)
        self._stack._forget_socket(self)

    def connect_ex(self, address):
        """connect(), returning an errno (0 when connected) instead of raising."""
        try:
            self.connect(address)
        except OSError as e:
            if e.errno is None:
                raise
            return e.errno
        return 0

    # ---- serving --------------------------------------------------------------------------

    def bind(self, address):
        """Bind to ("", psm) (or our own address; "AA:..:FF/le-public" or le=True for LE).
        psm 0 picks a free PSM at listen()."""
        text, psm = self._parse(address)
        if self._state != _NEW:
            raise errors.make(_lib.L2K_EINVAL, message="the socket is already bound or connected")
        base, slash, suffix = (text or "").partition("/")
        if slash:
            typ = _addr.parse(text)[1]
            self._le = typ != _lib.ADDR_BREDR
        if base not in _addr.ANY and base.upper() != self._stack.address:
            raise errors.make(_lib.L2K_EINVAL, message="cannot bind to %s: the controller's address "
                              "is %s" % (text, self._stack.address))
        self._psm = psm

    def listen(self, backlog=1):
        """Serve the bound PSM: up to backlog channels wait for accept() (more are refused with
        'no resources').  An LE listener makes the controller advertise (connectable) unless
        the socket was made with advertise=False."""
        if self._state != _NEW:
            raise errors.make(_lib.L2K_EINVAL, message="the socket is already listening or connected")
        le = self._is_le()
        opts = self._opts_for(le)
        s = self._stack._handle()
        sk = _lib.SockP()
        if self._psm:
            psms = [self._psm]
        elif le:
            psms = range(0x80, 0x100)  # the dynamic SPSMs
        else:  # the dynamic PSMs: odd, with an even upper octet
            psms = [p for p in range(0x1001, 0x10000, 2) if not (p >> 8) & 1]
        r = _lib.L2K_EADDRINUSE
        for psm in psms:
            r = lib.l2k_listen(s, psm, le, byref(opts), max(1, int(backlog)), byref(sk))
            if r != _lib.L2K_EADDRINUSE or self._psm:
                break
        if r < 0:
            if r == _lib.L2K_EINVAL:
                raise errors.make(r, message="cannot listen on 0x%04x: invalid PSM or options (BR/EDR "
                                  "PSMs are odd with an even upper octet, e.g. 0x1001; LE SPSMs "
                                  "0x0001-0x00FF)" % self._psm)
            raise errors.make(r, "cannot listen on 0x%04x" % self._psm)
        with self._cv:
            self._sk = sk
            self._psm = psm
            self._state = _LISTENING
            self._le = le
        if le and self.advertise:
            self._stack.advertise(True)

    def accept(self):
        """The next channel: (L2CAPSocket, (address, psm))."""
        sk = self._begin(_LISTENING)
        child = _lib.SockP()
        try:
            t = self._timeout
            if t == 0:
                r = lib.l2k_accept(sk, 0, byref(child))
            else:
                deadline = None if t is None else time.monotonic() + t
                while True:
                    r = lib.l2k_accept(sk, _slice_ms(deadline), byref(child))
                    if r != _lib.L2K_ETIMEDOUT and r != _lib.L2K_EAGAIN:
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        r = _lib.L2K_ETIMEDOUT
                        break
                    self._check_closing()
            if r < 0:
                if r in (_lib.L2K_EAGAIN, _lib.L2K_ETIMEDOUT):
                    self._raise(sk, r, "accept")
                raise errors.make(r, "accept")
            # wrapped while the listener is busy: the stack cannot close under the new socket
            ci = _lib.ChanInfo()
            try:
                errors.check(lib.l2k_sock_info(child, byref(ci)))
                peer = (_addr.to_string(ci.peer, ci.link_type), ci.psm)
                new = L2CAPSocket(self._stack, _sk=child, _peer=peer, linger=self.linger, le=self._le)
            except BaseException:
                lib.l2k_close(child)
                raise
        finally:
            self._end()
        new._psm = ci.psm
        if self._le and self.advertise and not self._stack._advertising:
            try:  # the controller stopped advertising when the central connected
                self._stack.advertise(True)
            except OSError:
                pass
        return new, peer

    # ---- the end ------------------------------------------------------------------------------

    def shutdown(self, how=_socket.SHUT_RDWR):
        """End the channel gracefully: no more sends, wait until every SDU sent has left (and,
        in ERTM and the credit modes, reached the peer's L2CAP), disconnect and wait for the
        peer's answer; received SDUs stay readable until the end of the stream.  Raises when the
        delivery could not be confirmed (ResetError: the peer disconnected first ...)."""
        sk = self._begin(_CONNECTED)
        try:
            self._shutdown(sk, self._timeout)
        finally:
            self._end()

    def _shutdown(self, sk, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            r = lib.l2k_shutdown(sk, _slice_ms(deadline) if timeout != 0 else 0)
            if r in (_lib.L2K_ETIMEDOUT, _lib.L2K_EAGAIN):
                st = lib.l2k_sock_error(sk)
                if st < 0 and st != _lib.L2K_EINPROGRESS:
                    r = lib.l2k_shutdown(sk, 0)  # it ended: the final verdict, at once
                    if r == 0:
                        return
                    break
                if timeout == 0 or (deadline is not None and time.monotonic() >= deadline):
                    r = _lib.L2K_ETIMEDOUT if timeout != 0 else _lib.L2K_EAGAIN
                    break
                self._check_closing()
                continue
            if r == 0:
                return
            break
        if r == _lib.L2K_ECONNRESET:
            raise errors.make(r, message="the peer disconnected before everything sent was delivered")
        self._raise(sk, r, "shutdown")

    def close(self):
        """Release the socket.  An open channel is first ended gracefully for up to ``linger``
        seconds so that what was sent is delivered (0: drop queued SDUs at once)."""
        with self._cv:
            if self._closing or self._sk is None:
                self._closing = True
                self._stack._forget_socket(self)
                return
            self._closing = True
            while self._busy:
                self._cv.wait()
            sk, self._sk = self._sk, None
            state = self._state
        if self._stack._s is None:  # the stack is gone, and its sockets with it
            self._stack._forget_socket(self)
            return
        try:
            if state in (_CONNECTED, _CONNECTING) and self.linger and lib.l2k_sock_error(sk) == 0:
                try:
                    self._shutdown_linger(sk)
                except OSError:
                    pass
        finally:
            lib.l2k_close(sk)
            self._stack._forget_socket(self)

    def _shutdown_linger(self, sk):
        deadline = time.monotonic() + self.linger
        while True:
            r = lib.l2k_shutdown(sk, _slice_ms(deadline))
            if r != _lib.L2K_ETIMEDOUT or time.monotonic() >= deadline:
                return r
            st = lib.l2k_sock_error(sk)
            if st < 0 and st != _lib.L2K_EINPROGRESS:
                return st

    def detach(self):  # pragma: no cover - socket API completeness
        raise errors.make(_lib.L2K_ENOTSUP, message="an l2kit socket cannot be detached")

    def __del__(self):
        sk = getattr(self, "_sk", None)
        if sk:
            self._sk = None
            try:
                if self._stack._s is not None:
                    lib.l2k_close(sk)  # (also from l2kit's thread, should the collector run there)
            except Exception:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- what it is ------------------------------------------------------------------------------

    def fileno(self):
        """A descriptor readable while recv() (accept() for a listener) would not block, and
        when a non-blocking connect finished; -1 once closed.  Read nothing from it."""
        sk = self._sk
        return lib.l2k_sock_fd(sk) if sk else -1

    def send_fileno(self):
        """A descriptor readable while send() would not block for want of room (l2k_sock_send_fd)."""
        sk = self._begin(_CONNECTED)
        try:
            return errors.check(lib.l2k_sock_send_fd(sk))
        finally:
            self._end()

    def getpeername(self):
        """(address, psm) of the peer."""
        if self._peer is None or self._state not in (_CONNECTED, _CONNECTING):
            raise errors.make(_lib.L2K_ENOTCONN, message="the socket is not connected")
        return self._peer

    def getsockname(self):
        """(our address, psm): "/le-public" on LE."""
        a = self._stack.address
        if self._le or (self._peer and "/" in self._peer[0]):
            a += "/le-public"
        return (a, self._psm)

    def getsockopt(self, level, optname, buflen=None):
        """Only SOL_SOCKET / SO_ERROR: the errno of a finished connect (0 when it opened)."""
        if level == _socket.SOL_SOCKET and optname == _socket.SO_ERROR:
            sk = self._sk
            if not sk:
                return 0
            st = lib.l2k_sock_error(sk)
            if st == 0:
                with self._cv:
                    if self._state == _CONNECTING:
                        self._state = _CONNECTED
                return 0
            if st == _lib.L2K_EINPROGRESS:
                return errno.EINPROGRESS
            return errors.make(st).errno or errno.EIO
        raise errors.make(_lib.L2K_ENOTSUP, message="option not supported")

    def info(self):
        """ChannelInfo of the channel (live, or as it was when it closed)."""
        sk = self._begin(_CONNECTED)
        try:
            return _info_tuple(channel_info(sk))
        finally:
            self._end()

    @property
    def close_reason(self):
        """Why the channel ended ('local', 'remote', 'link lost', 'refused' ...), once it did."""
        sk = self._sk
        if not sk:
            return None
        s = lib.l2k_close_reason_str(lib.l2k_sock_close_reason(sk))
        return s.decode() if s else None

    @property
    def stack(self):
        return self._stack

    def __repr__(self):
        st = "closed" if self._sk is None and self._state != _NEW else self._state
        more = ""
        if self._peer:
            more = " peer=%s psm=0x%04x" % self._peer
        elif self._psm:
            more = " psm=0x%04x" % self._psm
        return "<l2kit.L2CAPSocket %s%s>" % (st, more)
