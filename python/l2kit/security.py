"""Security: pairing, encryption and bonds (docs/security.md, docs/python.md "Security").

``l2kit.Security`` holds a stack's security options (``Stack(security=...)``); channels ask for a
level with the ``sec_level`` keyword (``"low"``, ``"medium"``, ``"high"``, ``"fips"`` or 0..4).
A person's answers come from an agent: ``Stack(agent=fn)``, where ``fn(request)`` is called on a
thread of its own with an ``AgentRequest`` and returns the answer (see ``AgentRequest``).
"""

import collections
import ctypes

from . import _addr, _lib

LEVELS = {"none": _lib.SEC_NONE, "sdp": _lib.SEC_NONE, "low": _lib.SEC_LOW, "medium": _lib.SEC_MEDIUM,
          "high": _lib.SEC_HIGH, "fips": _lib.SEC_FIPS}
LEVEL_NAMES = {_lib.SEC_NONE: "none", _lib.SEC_LOW: "low", _lib.SEC_MEDIUM: "medium",
               _lib.SEC_HIGH: "high", _lib.SEC_FIPS: "fips"}

# the names l2cat's --io-cap takes, and the long ones
IO_CAPS = {
    "noio": _lib.IO_NO_INPUT_NO_OUTPUT, "no-input-no-output": _lib.IO_NO_INPUT_NO_OUTPUT,
    "display": _lib.IO_DISPLAY_ONLY, "display-only": _lib.IO_DISPLAY_ONLY,
    "yesno": _lib.IO_DISPLAY_YESNO, "display-yesno": _lib.IO_DISPLAY_YESNO,
    "keyboard": _lib.IO_KEYBOARD_ONLY, "keyboard-only": _lib.IO_KEYBOARD_ONLY,
    "keyboard-display": _lib.IO_KEYBOARD_DISPLAY,
}

ASKS = {_lib.ASK_CONFIRM: "confirm", _lib.ASK_JUST_WORKS: "just-works",
        _lib.ASK_PASSKEY_ENTRY: "passkey-entry", _lib.ASK_PASSKEY_DISPLAY: "passkey-display",
        _lib.ASK_PIN: "pin", _lib.ASK_AUTHORIZE: "authorize"}


def level(v):
    """A security level from a name ("low", "medium", "high", "fips", "none") or 0..4."""
    if isinstance(v, str):
        try:
            return LEVELS[v.lower()]
        except KeyError:
            raise ValueError("unknown security level %r (none, low, medium, high or fips)" % v) from None
    v = int(v)
    if not _lib.SEC_NONE <= v <= _lib.SEC_FIPS:
        raise ValueError("security level %d is out of range 0..4 (none, low, medium, high, fips)" % v)
    return v


LinkSecurity = collections.namedtuple(
    "LinkSecurity", "encrypted key_size authenticated secure_connections bonded level")
LinkSecurity.__doc__ = (
    "What a link has now: encrypted, key_size (octets, 0 when not encrypted), authenticated (the "
    "key was made with MITM protection), secure_connections (P-256 pairing), bonded (the key is "
    "stored), level ('none', 'low', 'medium', 'high' or 'fips').")

Bond = collections.namedtuple(
    "Bond", "address type key_size authenticated secure_connections link_key ltk irk")
Bond.__doc__ = (
    "A stored bond: the peer's identity address (with /le-public or /le-random for LE), its type, "
    "the key size, authenticated, secure_connections, and which keys there are (link_key: "
    "BR/EDR, ltk: LE long-term key, irk: the peer's identity resolving key), as booleans.")

AgentRequest = collections.namedtuple("AgentRequest", "ask address handle value psm")
AgentRequest.__doc__ = """A question for the agent.

``ask`` says what is asked and what the agent returns:

================== ============================================== ===========================
ask                meaning                                        return
================== ============================================== ===========================
``"confirm"``      numeric comparison: does ``value`` (6 digits)  True or False
                   match the number the peer shows?
``"just-works"``   pair without a value to compare?               True or False
``"passkey-entry"`` type the passkey the peer shows                an int 0..999999, or None
                                                                  (refuse)
``"passkey-display"`` show ``value``: it is typed on the peer      ignored
``"pin"``          legacy pairing: the PIN                        a str (1..16 characters), or
                                                                  None (refuse)
``"authorize"``    may this peer use the service ``psm``?         True or False
================== ============================================== ===========================

``address`` is the peer ("AA:BB:..", with /le-public or /le-random for LE), ``handle`` its link.
"""


def request_from(req):
    return AgentRequest(ASKS.get(req.ask, str(req.ask)), _addr.to_string(req.peer, req.peer_type),
                        req.handle, req.value, req.psm)


def link_security_from(sec):
    return LinkSecurity(bool(sec.encrypted), sec.key_size, bool(sec.authenticated), bool(sec.secure_conn),
                        bool(sec.bonded), LEVEL_NAMES.get(sec.level, str(sec.level)))


def bond_from(b):
    return Bond(_addr.to_string(b.peer, b.peer_type), _addr.TYPE_NAMES.get(b.peer_type, "?"), b.key_size,
                bool(b.authenticated), bool(b.secure_conn), bool(b.has_link_key),
                bool(b.has_ltk or b.has_local_ltk), bool(b.has_irk))


class Security:
    """A stack's security options (l2k_security_opts; docs/security.md).

    ``io_cap``: what this device can show and enter: ``"noio"`` (the default), ``"display"``,
    ``"yesno"``, ``"keyboard"`` or ``"keyboard-display"`` (the long names
    ``"no-input-no-output"``, ``"display-only"``, ``"display-yesno"``, ``"keyboard-only"`` too).
    ``bonding``: keep the keys of a pairing (in ``key_file`` when given, else in memory until the
    stack closes).  ``sc_only``: refuse legacy and P-192 pairing.  ``min_key_size``: encryption
    keys shorter than this (7..16 octets) do not count.  ``legacy_pairing``: BR/EDR without
    Secure Simple Pairing (PIN pairing only, as a pre-2.1 device).  ``no_mode4``: BR/EDR without
    the Security Mode 4 minimum (a channel other than SDP at level 1 between two Simple Pairing
    hosts stays unencrypted instead of getting level 2).  ``debug_keys``: LE Secure
    Connections with the debug key pair (a sniffer can decrypt).

    Without an agent (``Stack(agent=...)``): Just Works is accepted; ``auto_accept=True``
    accepts numeric comparison too and answers passkey entry with ``passkey`` (0 when not
    given) and a PIN question with ``pin`` ("0000"); everything else is refused.
    """

    def __init__(self, io_cap="noio", *, bonding=True, key_file=None, sc_only=False, min_key_size=7,
                 legacy_pairing=False, no_mode4=False, debug_keys=False, auto_accept=False, passkey=None,
                 pin=None):
        if io_cap not in IO_CAPS:
            raise ValueError("unknown io_cap %r (%s)" % (io_cap, ", ".join(sorted(IO_CAPS))))
        if not 7 <= int(min_key_size) <= 16:
            raise ValueError("min_key_size %d is out of range 7..16" % int(min_key_size))
        if passkey is not None and not 0 <= int(passkey) <= 999999:
            raise ValueError("passkey %d is out of range 0..999999" % int(passkey))
        if pin is not None and not 1 <= len(pin.encode()) <= 16:
            raise ValueError("a PIN has 1..16 characters")
        self.io_cap = io_cap
        self.bonding = bool(bonding)
        self.key_file = key_file
        self.sc_only = bool(sc_only)
        self.min_key_size = int(min_key_size)
        self.legacy_pairing = bool(legacy_pairing)
        self.no_mode4 = bool(no_mode4)
        self.debug_keys = bool(debug_keys)
        self.auto_accept = bool(auto_accept)
        self.passkey = passkey
        self.pin = pin
        self._key_store = None  # a _CallbackKeyStore instead of key_file (l2kit.micropython)

    def _opts(self):
        """The C options; the returned object keeps the strings alive."""
        o = _lib.SecurityOpts()
        _lib.lib.l2k_security_opts_default(o)
        o.io_cap = IO_CAPS[self.io_cap]
        o.no_bonding = not self.bonding
        o.sc_only = self.sc_only
        o.min_key_size = self.min_key_size
        o.legacy_pairing = self.legacy_pairing
        o.no_mode4 = self.no_mode4
        o.debug_keys = self.debug_keys
        if self.key_file is not None:
            import os
            o.key_file = os.fsencode(self.key_file)
        o.auto_accept = self.auto_accept
        if self.passkey is not None:
            o.passkey = int(self.passkey)
        if self.pin is not None:
            o.pin = self.pin.encode()
        if self._key_store is not None:
            o.key_store = ctypes.addressof(self._key_store.struct)
            o.keep_key_store = self._key_store  # alive as long as the options are
        return o

    def __repr__(self):
        return ("l2kit.Security(%r, bonding=%r, key_file=%r, sc_only=%r, min_key_size=%d)"
                % (self.io_cap, self.bonding, self.key_file, self.sc_only, self.min_key_size))


BOND_SIZE = ctypes.sizeof(_lib.Bond)
_MAX_LISTED = 4096  # a store that never says "no more" is cut off here


def bond_key(peer, peer_type):
    """The key under which a _CallbackKeyStore keeps a bond: the address type (0 BR/EDR, 1 LE
    public, 2 LE random) and the address, most significant octet first (7 octets)."""
    return bytes([peer_type]) + _addr.to_msb_bytes(peer)


class _CallbackKeyStore:
    """A struct l2k_key_store whose calls go to Python functions, for a store the application
    keeps itself (l2kit.micropython's _IRQ_GET_SECRET / _IRQ_SET_SECRET):

    ``get(key)`` -> the value stored under key, or None; ``put(key, value)`` -> True when
    stored; ``delete(key)`` -> True when there was one; ``nth(i)`` -> the i-th value (0, 1 ...),
    None past the last.  ``key`` is bond_key(); a value is the bond as l2kit lays it out (the
    octets of struct l2k_bond, BOND_SIZE of them): opaque, to be kept and given back as it is.
    The calls come from the thread that drives the stack (l2kit's), the stack waiting for them;
    a function that raises is reported (traceback) and counts as a failure."""

    def __init__(self, get, put, delete, nth):
        self._get, self._put, self._delete, self._nth = get, put, delete, nth
        st = _lib.KeyStore()
        st.get = _lib.KS_GET_CB(self._c_get)
        st.put = _lib.KS_PUT_CB(self._c_put)
        setattr(st, "del", _lib.KS_DEL_CB(self._c_del))
        st.list = _lib.KS_LIST_CB(self._c_list)
        self.struct = st  # its function pointers stay alive with it

    @staticmethod
    def _bond(value):
        """value as bytes when it can be a bond, else None."""
        if value is None:
            return None
        try:
            b = bytes(value)
        except TypeError:
            return None
        return b if len(b) == BOND_SIZE else None

    @staticmethod
    def _report():
        import traceback
        traceback.print_exc()

    def _c_get(self, user, peer, typ, out):
        try:
            want = bond_key(peer.contents, typ)
            b = self._bond(self._get(want))
            if b is None:
                return _lib.L2K_ENOENT
            bond = _lib.Bond.from_buffer_copy(b)
            if bond_key(bond.peer, bond.peer_type) != want:
                return _lib.L2K_ENOENT  # not this peer's (a store that mixed them up)
            ctypes.memmove(out, b, BOND_SIZE)
            return 0
        except Exception:
            self._report()
            return _lib.L2K_EIO

    def _c_put(self, user, bond):
        try:
            b = bond.contents
            value = ctypes.string_at(ctypes.addressof(b), BOND_SIZE)
            return 0 if self._put(bond_key(b.peer, b.peer_type), value) else _lib.L2K_EIO
        except Exception:
            self._report()
            return _lib.L2K_EIO

    def _c_del(self, user, peer, typ):
        try:
            return 0 if self._delete(bond_key(peer.contents, typ)) else _lib.L2K_ENOENT
        except Exception:
            self._report()
            return _lib.L2K_EIO

    def _c_list(self, user, out, max_out):
        try:
            n = 0
            while n < _MAX_LISTED:
                b = self._bond(self._nth(n))
                if b is None:
                    break
                if out and n < max_out:
                    ctypes.memmove(ctypes.addressof(out.contents) + n * BOND_SIZE, b, BOND_SIZE)
                n += 1
            return n
        except Exception:
            self._report()
            return _lib.L2K_EIO
