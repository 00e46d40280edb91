"""PyBluez's L2CAP surface over l2kit, so PyBluez L2CAP programs run with one import changed:

    import l2kit.bluetooth as bluetooth          # instead of: import bluetooth

    sock = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    sock.bind(("", 0x1001))
    sock.listen(1)
    client, address = sock.accept()

The controller is the one named by the environment variable ``L2KIT_TRANSPORT`` (``usb``,
``hci0``, ``tcp:127.0.0.1:9000`` ...); one l2kit.Stack is opened for it on first use and closed
at exit (``use_stack()`` gives one of your own instead).

What is here: ``BluetoothSocket`` (L2CAP only: ``bind``, ``listen``, ``accept``, ``connect``,
``connect_ex``, ``send``, ``sendall``, ``recv``, ``close``, ``shutdown``, ``fileno``,
``settimeout``, ``gettimeout``, ``setblocking``, ``getpeername``, ``getsockname``,
``get_l2cap_options``, ``set_l2cap_options``, ``set_l2cap_mtu``, ``setl2capsecurity``,
``setsockopt`` / ``getsockopt`` for ``SOL_BLUETOOTH`` / ``BT_SECURITY`` and ``SOL_L2CAP`` /
``L2CAP_OPTIONS``), the functions ``get_l2cap_options``, ``set_l2cap_options``,
``set_l2cap_mtu``, ``read_local_bdaddr``, ``is_valid_address``, the constants ``L2CAP``,
``RFCOMM``, ``PORT_ANY``, ``SOL_BLUETOOTH``, ``BT_SECURITY``, ``BT_SECURITY_SDP`` ..
``BT_SECURITY_FIPS`` (also in ``l2kit.bluetooth._bluetooth``, where PyBluez programs find them:
``import l2kit.bluetooth._bluetooth as bz``), and ``BluetoothError``.  RFCOMM, SDP, inquiry and
HCI sockets are not (l2kit is L2CAP only).

Security: ``sock.setl2capsecurity(BT_SECURITY_MEDIUM)`` (or ``setsockopt(SOL_BLUETOOTH,
BT_SECURITY, struct.pack("BB", level, 0))``) before ``connect`` or ``listen`` gives the channel
that level, as Linux's socket does: connecting, the link is raised first (paired or encrypted);
a listener's level applies to every channel it accepts (the link falls short: it is raised, or
the channel refused).  On a connected socket a higher level raises the link at once (waiting
as the socket's timeout says).  ``getsockopt(SOL_BLUETOOTH, BT_SECURITY, 2)`` gives
``struct bt_security`` (level, key size): the link's once connected, the level asked before.
PyBluez has no agent: pairing questions go to the stack's (``use_stack(l2kit.Stack(...,
security=, agent=))``); the stack this module opens itself has none and l2kit's default
security (no input or output, bonds in memory), so Just Works is accepted and reaches
BT_SECURITY_MEDIUM, while HIGH and FIPS, which need MITM protection, fail with
``BluetoothError(EACCES)``.
"""

import errno
import struct
import sys
import threading
import types

from . import _addr
from . import errors as _errors
from . import security as _sec
from .stack import Stack

# protocol numbers as PyBluez (and Linux's BTPROTO_*) have them
L2CAP = 0
HCI = 1
SCO = 2
RFCOMM = 3
PORT_ANY = 0
SOL_L2CAP = 6
L2CAP_OPTIONS = 1
# channel modes in get_l2cap_options()[3] (Linux's L2CAP_MODE_* values, which are l2kit's)
L2CAP_MODE_BASIC = 0x00
L2CAP_MODE_ERTM = 0x03
L2CAP_MODE_STREAMING = 0x04
L2CAP_MODE_LE_FLOWCTL = 0x80
L2CAP_MODE_EXT_FLOWCTL = 0x81
# security, as Linux's <bluetooth/bluetooth.h> (and PyBluez's _bluetooth) have them:
# setsockopt(SOL_BLUETOOTH, BT_SECURITY, struct bt_security {u8 level; u8 key_size})
SOL_BLUETOOTH = 274
BT_SECURITY = 4
BT_SECURITY_SDP = 0
BT_SECURITY_LOW = 1
BT_SECURITY_MEDIUM = 2
BT_SECURITY_HIGH = 3
BT_SECURITY_FIPS = 4


class BluetoothError(IOError):
    """Raised for every failed Bluetooth operation (as PyBluez does); errno is set where one
    fits, and ``l2kit_error`` holds the l2kit exception it comes from."""
    l2kit_error = None


# PyBluez programs take the protocol constants from its C module, bluetooth._bluetooth
# ("import bluetooth._bluetooth as bz; sock.setl2capsecurity(bz.BT_SECURITY_MEDIUM)"): the
# same names here, as l2kit.bluetooth._bluetooth.
_bluetooth = types.ModuleType(__name__ + "._bluetooth", "PyBluez's bluetooth._bluetooth constants "
                              "(protocols, L2CAP options and modes, security), for l2kit.bluetooth.")
for _name in ("L2CAP", "HCI", "SCO", "RFCOMM", "SOL_L2CAP", "L2CAP_OPTIONS", "L2CAP_MODE_BASIC",
              "L2CAP_MODE_ERTM", "L2CAP_MODE_STREAMING", "L2CAP_MODE_LE_FLOWCTL", "L2CAP_MODE_EXT_FLOWCTL",
              "SOL_BLUETOOTH", "BT_SECURITY", "BT_SECURITY_SDP", "BT_SECURITY_LOW", "BT_SECURITY_MEDIUM",
              "BT_SECURITY_HIGH", "BT_SECURITY_FIPS"):
    setattr(_bluetooth, _name, globals()[_name])
_bluetooth.error = BluetoothError
sys.modules[_bluetooth.__name__] = _bluetooth
del _name


_mu = threading.Lock()
_stack = None
_own_stack = False


def use_stack(stack):
    """Make BluetoothSocket use this l2kit.Stack (None: open one from L2KIT_TRANSPORT again)."""
    global _stack, _own_stack
    with _mu:
        _stack, _own_stack = stack, False


def _get_stack():
    global _stack, _own_stack
    with _mu:
        if _stack is None or _stack.closed:
            try:
                _stack = Stack()
            except OSError as e:
                raise _wrap(e) from None
            _own_stack = True
        return _stack


def _wrap(e):
    be = BluetoothError(e.errno, e.strerror) if e.errno is not None else BluetoothError(str(e))
    if isinstance(e, _errors.Error):
        be.l2kit_error = e
    return be


def _call(fn, *args):
    try:
        return fn(*args)
    except OSError as e:
        raise _wrap(e) from e


def is_valid_address(s):
    """True for "AA:BB:CC:DD:EE:FF"."""
    try:
        _addr.from_string(s)
        return True
    except (ValueError, TypeError, AttributeError):
        return False


def read_local_bdaddr():
    """[the controller's address], as PyBluez returns it."""
    return [_get_stack().address]


class BluetoothSocket:
    """A PyBluez BluetoothSocket for L2CAP, on an l2kit channel."""

    def __init__(self, proto=RFCOMM, _sock=None):
        if proto != L2CAP:
            raise BluetoothError(errno.EPROTONOSUPPORT, "l2kit.bluetooth supports L2CAP only "
                                 "(BluetoothSocket(bluetooth.L2CAP))")
        self._proto = proto
        self._sock = _sock if _sock is not None else _call(_get_stack().socket)

    # PyBluez's read-only attributes
    family = property(lambda self: self._sock.family)
    type = property(lambda self: self._sock.type)
    proto = property(lambda self: self._proto)
    timeout = property(lambda self: self._sock.gettimeout())

    def bind(self, addrport):
        return _call(self._sock.bind, addrport)

    def listen(self, backlog=1):
        return _call(self._sock.listen, backlog)

    def accept(self):
        c, addr = _call(self._sock.accept)
        return BluetoothSocket(L2CAP, c), addr

    def connect(self, addrport):
        return _call(self._sock.connect, addrport)

    def connect_ex(self, addrport):
        return _call(self._sock.connect_ex, addrport)

    def send(self, data, flags=0):
        if isinstance(data, str):  # PyBluez takes text as its UTF-8 bytes
            data = data.encode("utf-8")
        return _call(self._sock.send, data, flags)

    def sendall(self, data, flags=0):
        self.send(data, flags)

    def recv(self, bufsize, flags=0):
        return _call(self._sock.recv, bufsize, flags)

    def recv_into(self, buffer, nbytes=0, flags=0):
        return _call(self._sock.recv_into, buffer, nbytes, flags)

    def close(self):
        return _call(self._sock.close)

    def shutdown(self, how=2):
        return _call(self._sock.shutdown, how)

    def fileno(self):
        return self._sock.fileno()

    def settimeout(self, timeout):
        return self._sock.settimeout(timeout)

    def gettimeout(self):
        return self._sock.gettimeout()

    def setblocking(self, flag):
        return self._sock.setblocking(flag)

    def getpeername(self):
        return _call(self._sock.getpeername)

    def getsockname(self):
        return _call(self._sock.getsockname)

    def get_l2cap_options(self):
        return get_l2cap_options(self)

    def set_l2cap_options(self, options):
        return set_l2cap_options(self, options)

    def set_l2cap_mtu(self, mtu):
        return set_l2cap_mtu(self, mtu)

    # ---- security (Linux's BT_SECURITY) ------------------------------------------------------

    def setl2capsecurity(self, level):
        """Ask for a security level: BT_SECURITY_LOW (1), MEDIUM (2: encrypted), HIGH (3: an
        authenticated key) or FIPS (4: Secure Connections, 16-octet key).  Before connect() or
        listen() it applies to the channel (a listener's to every channel it accepts); on a
        connected socket a higher level raises the link now.  BluetoothError(EINVAL) for
        another level (as Linux refuses BT_SECURITY_SDP), or on a listener (l2kit fixes its
        level at listen())."""
        self._set_security(int(level))

    def setsockopt(self, level, optname, value):
        """SOL_BLUETOOTH / BT_SECURITY (struct bt_security: bytes level, key_size - key_size is
        ignored, as Linux does - or an int level), SOL_L2CAP / L2CAP_OPTIONS (struct
        l2cap_options: "HHHBBBH", as set_l2cap_options); other options: ENOPROTOOPT."""
        if level == SOL_BLUETOOTH and optname == BT_SECURITY:
            if isinstance(value, int):
                return self._set_security(value & 0xFF)
            raw = bytes(value)
            if len(raw) < 2:
                raise BluetoothError(errno.EINVAL, "BT_SECURITY takes struct bt_security (2 bytes: "
                                     "level, key_size)")
            return self._set_security(raw[0])
        if level == SOL_L2CAP and optname == L2CAP_OPTIONS:
            raw = bytes(value)
            if len(raw) != _L2CAP_OPTIONS.size:
                raise BluetoothError(errno.EINVAL, "L2CAP_OPTIONS takes struct l2cap_options (%d bytes)"
                                     % _L2CAP_OPTIONS.size)
            return set_l2cap_options(self, list(_L2CAP_OPTIONS.unpack(raw)))
        raise BluetoothError(errno.ENOPROTOOPT, "l2kit.bluetooth has SOL_BLUETOOTH/BT_SECURITY and "
                             "SOL_L2CAP/L2CAP_OPTIONS only")

    def getsockopt(self, level, optname, buflen=0):
        """SOL_BLUETOOTH / BT_SECURITY: struct bt_security (level, key_size): the link's level
        and encryption key size once connected (an unencrypted link is BT_SECURITY_LOW, key
        size 0), the level asked before.  SOL_L2CAP / L2CAP_OPTIONS: struct l2cap_options.
        SOL_SOCKET / SO_ERROR.  With buflen, bytes (at most buflen), else an int, as Python's
        sockets."""
        import socket as _socket
        if level == _socket.SOL_SOCKET and optname == _socket.SO_ERROR:
            return _call(self._sock.getsockopt, level, optname)
        if level == SOL_BLUETOOTH and optname == BT_SECURITY:
            raw = struct.pack("BB", *self._security())
        elif level == SOL_L2CAP and optname == L2CAP_OPTIONS:
            raw = _L2CAP_OPTIONS.pack(*get_l2cap_options(self))
        else:
            raise BluetoothError(errno.ENOPROTOOPT, "l2kit.bluetooth has SOL_BLUETOOTH/BT_SECURITY and "
                                 "SOL_L2CAP/L2CAP_OPTIONS only")
        if not buflen:
            return int.from_bytes(raw[:4], sys.byteorder)
        if not 0 < buflen <= 1024:
            raise BluetoothError("getsockopt buflen out of range")
        return raw[:buflen]

    def _set_security(self, level):
        if not BT_SECURITY_LOW <= level <= BT_SECURITY_FIPS:
            raise BluetoothError(errno.EINVAL, "security level %d: BT_SECURITY_LOW (1) .. BT_SECURITY_FIPS "
                                 "(4)" % level)
        s = self._sock
        state = s._state
        if state == "new":
            s.setopts(sec_level=level)
            return
        if state == "listening":
            if level == max(s._opts.sec_level, BT_SECURITY_LOW):
                return
            raise BluetoothError(errno.EINVAL, "l2kit fixes a listening socket's security at listen(): "
                                 "call setl2capsecurity before listen()")
        if state != "connected":
            raise BluetoothError(errno.EINVAL, "the socket is connecting: set its security before "
                                 "connect(), or once it is connected")
        s.setopts(sec_level=level)
        timeout = s.gettimeout()
        try:
            handle = s.info().handle
            s.stack.secure(handle, level, timeout=timeout)
        except _errors.Timeout:
            if timeout != 0:
                raise _wrap(sys.exc_info()[1]) from None
            # non-blocking: the link is being raised (as Linux's BT_SK_SUSPEND)
        except OSError as e:
            raise _wrap(e) from e

    def _security(self):
        """(level, key_size) as Linux's getsockopt(BT_SECURITY) gives them."""
        s = self._sock
        if s._state == "connected":
            try:
                ls = s.stack.link_security(s.info().handle)
            except OSError:
                pass  # the link is gone: what was asked
            else:
                return max(_sec.LEVELS[ls.level], BT_SECURITY_LOW), ls.key_size if ls.encrypted else 0
        return max(s._opts.sec_level, BT_SECURITY_LOW), 0

    @property
    def l2kit_socket(self):
        """The l2kit.L2CAPSocket underneath."""
        return self._sock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<l2kit.bluetooth.BluetoothSocket %r>" % (self._sock,)


_L2CAP_OPTIONS = struct.Struct("HHHBBBH")  # struct l2cap_options, as PyBluez packs it


def _l2(sock):
    return sock._sock if isinstance(sock, BluetoothSocket) else sock


def get_l2cap_options(sock):
    """[omtu, imtu, flush_to, mode, fcs, max_tx, txwin_size] as PyBluez returns them (the
    fields of Linux's struct l2cap_options): the channel's values once connected, the options
    the next connect/listen uses before."""
    s = _l2(sock)
    o = s.getopts()
    flush = o["flush_timeout"] or 0xFFFF
    max_tx = o["max_transmit"] or 3
    win = o["window"] or 63
    fcs = o["fcs"]
    try:
        i = s.info()
    except OSError:
        i = None
    if i is None:
        le = s._is_le()
        imtu = o["mtu"] or (2048 if le else 672)
        mode = _mode_value(o["mode"] if s._mode_set else ("le" if le else "basic"))
        return [0, imtu, flush, mode, fcs, max_tx, win]
    return [i.peer_mtu, i.mtu, flush, _mode_value(i.mode), 1 if i.fcs else 0, max_tx, win]


def _mode_value(name):
    from ._lib import MODES
    return MODES.get(name, 0)


def set_l2cap_options(sock, options):
    """Set [omtu, imtu, flush_to, mode, fcs, max_tx, txwin_size] for the next connect/listen
    (imtu is the MTU we receive; omtu is the peer's to choose and is ignored)."""
    s = _l2(sock)
    if len(options) != 7:
        raise BluetoothError(errno.EINVAL, "L2CAP options are [omtu, imtu, flush_to, mode, fcs, "
                             "max_tx, txwin_size]")
    omtu, imtu, flush, mode, fcs, max_tx, win = (int(x) for x in options)
    if s._state != "new":
        if list(options) == get_l2cap_options(sock):
            return
        raise BluetoothError(errno.EINVAL, "L2CAP options can only change before connect() or "
                             "listen(): this channel's are fixed")
    try:
        s.setopts(mtu=imtu, flush_timeout=0 if flush == 0xFFFF else flush, mode=mode, fcs=fcs,
                  max_transmit=max_tx, window=win)
    except (ValueError, OSError) as e:
        raise BluetoothError(errno.EINVAL, str(e)) from e


def set_l2cap_mtu(sock, mtu):
    """Set the MTU (the largest SDU we receive) for the next connect/listen; 48..65535."""
    mtu = int(mtu)
    if not 48 <= mtu <= 65535:
        raise BluetoothError(errno.EINVAL, "mtu must be between 48 and 65535, inclusive")
    opts = get_l2cap_options(sock)
    opts[0] = opts[1] = mtu
    set_l2cap_options(sock, opts)
