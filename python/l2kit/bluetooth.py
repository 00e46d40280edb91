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
``get_l2cap_options``, ``set_l2cap_options``, ``set_l2cap_mtu``), the functions
``get_l2cap_options``, ``set_l2cap_options``, ``set_l2cap_mtu``, ``read_local_bdaddr``,
``is_valid_address``, the constants ``L2CAP``, ``RFCOMM``, ``PORT_ANY``, and ``BluetoothError``.
RFCOMM, SDP, inquiry and HCI sockets are not (l2kit is L2CAP only).
"""

import errno
import threading

from . import _addr
from . import errors as _errors
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


class BluetoothError(IOError):
    """Raised for every failed Bluetooth operation (as PyBluez does); errno is set where one
    fits, and ``l2kit_error`` holds the l2kit exception it comes from."""
    l2kit_error = None


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
