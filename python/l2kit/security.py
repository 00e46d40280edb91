"""Security: pairing, encryption and bonds (docs/security.md, docs/python.md "Security").

``l2kit.Security`` holds a stack's security options (``Stack(security=...)``); channels ask for a
level with the ``sec_level`` keyword (``"low"``, ``"medium"``, ``"high"``, ``"fips"`` or 0..4).
A person's answers come from an agent: ``Stack(agent=fn)``, where ``fn(request)`` is called on a
thread of its own with an ``AgentRequest`` and returns the answer (see ``AgentRequest``).
"""

import collections

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
    Secure Simple Pairing (PIN pairing only, as a pre-2.1 device).  ``debug_keys``: LE Secure
    Connections with the debug key pair (a sniffer can decrypt).

    Without an agent (``Stack(agent=...)``): Just Works is accepted; ``auto_accept=True``
    accepts numeric comparison too and answers passkey entry with ``passkey`` and a PIN
    question with ``pin``; everything else is refused.
    """

    def __init__(self, io_cap="noio", *, bonding=True, key_file=None, sc_only=False, min_key_size=7,
                 legacy_pairing=False, debug_keys=False, auto_accept=False, passkey=None, pin=None):
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
        self.debug_keys = bool(debug_keys)
        self.auto_accept = bool(auto_accept)
        self.passkey = passkey
        self.pin = pin

    def _opts(self):
        """The C options; the returned object keeps the strings alive."""
        o = _lib.SecurityOpts()
        _lib.lib.l2k_security_opts_default(o)
        o.io_cap = IO_CAPS[self.io_cap]
        o.no_bonding = not self.bonding
        o.sc_only = self.sc_only
        o.min_key_size = self.min_key_size
        o.legacy_pairing = self.legacy_pairing
        o.debug_keys = self.debug_keys
        if self.key_file is not None:
            import os
            o.key_file = os.fsencode(self.key_file)
        o.auto_accept = self.auto_accept
        if self.passkey is not None:
            o.passkey = int(self.passkey)
        if self.pin is not None:
            o.pin = self.pin.encode()
        return o

    def __repr__(self):
        return ("l2kit.Security(%r, bonding=%r, key_file=%r, sc_only=%r, min_key_size=%d)"
                % (self.io_cap, self.bonding, self.key_file, self.sc_only, self.min_key_size))
