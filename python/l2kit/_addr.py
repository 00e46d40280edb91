"""Bluetooth device addresses: "AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random]" as in l2cat."""

from . import _lib

TYPE_NAMES = {_lib.ADDR_BREDR: "bredr", _lib.ADDR_LE_PUBLIC: "le-public", _lib.ADDR_LE_RANDOM: "le-random"}
SUFFIXES = {"bredr": _lib.ADDR_BREDR, "le": _lib.ADDR_LE_PUBLIC, "le-public": _lib.ADDR_LE_PUBLIC,
            "le-random": _lib.ADDR_LE_RANDOM}
ANY = ("", "00:00:00:00:00:00")


def parse(text, le=None):
    """(Addr, addr_type) from "AA:BB:CC:DD:EE:FF" with an optional "/bredr", "/le-public" (or
    "/le"), "/le-random" suffix.  Without one the type is BR/EDR, or LE public when le is true.
    ValueError for anything else."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("ascii", "replace")
    if not isinstance(text, str):
        raise ValueError("a Bluetooth address is a string like 'AA:BB:CC:DD:EE:FF[/le-public]', not %r"
                         % (text,))
    base, slash, suffix = text.partition("/")
    if slash:
        if suffix not in SUFFIXES:
            raise ValueError("bad address %r: the suffix is /bredr, /le-public (or /le) or /le-random"
                             % text)
        typ = SUFFIXES[suffix]
        if le is False and typ != _lib.ADDR_BREDR:
            raise ValueError("bad address %r: an LE address for a BR/EDR channel" % text)
    else:
        typ = _lib.ADDR_LE_PUBLIC if le else _lib.ADDR_BREDR
    return from_string(base, text), typ


def from_string(base, whole=None):
    parts = base.split(":")
    if len(base) != 17 or len(parts) != 6:
        raise ValueError("bad address %r: expected AA:BB:CC:DD:EE:FF" % (whole or base))
    a = _lib.Addr()
    try:
        for i, p in enumerate(parts):  # most significant first; b[0] is the least significant
            if len(p) != 2:
                raise ValueError
            a.b[5 - i] = int(p, 16)
    except ValueError:
        raise ValueError("bad address %r: expected AA:BB:CC:DD:EE:FF" % (whole or base)) from None
    return a


def to_string(addr, typ=None):
    """"AA:BB:CC:DD:EE:FF" (most significant first), with "/le-public" or "/le-random" for LE."""
    s = ":".join("%02X" % addr.b[5 - i] for i in range(6))
    if typ is not None and typ != _lib.ADDR_BREDR:
        s += "/" + TYPE_NAMES.get(typ, "le-public")
    return s


def from_msb_bytes(b):
    """Addr from 6 bytes, most significant first (MicroPython's order)."""
    b = bytes(b)
    if len(b) != 6:
        raise ValueError("an address is 6 bytes, got %d" % len(b))
    a = _lib.Addr()
    for i in range(6):
        a.b[5 - i] = b[i]
    return a


def to_msb_bytes(addr):
    return bytes(addr.b[5 - i] for i in range(6))
