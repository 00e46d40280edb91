"""l2kit's exceptions: OSError subclasses with an errno where one fits and a readable message.

Every exception the package raises for a failed l2kit call is an ``l2kit.Error`` (an ``OSError``)
and also the built-in ``OSError`` subclass that fits, so code written for sockets catches them:

=========================  =========================================  ======================
l2kit                      also a                                     errno
=========================  =========================================  ======================
``Timeout``                ``TimeoutError`` (``socket.timeout``)      ETIMEDOUT
``WouldBlockError``        ``BlockingIOError``                        EAGAIN, EINPROGRESS
``RefusedError``           ``ConnectionRefusedError``                 ECONNREFUSED
``ResetError``             ``ConnectionResetError``                   ECONNRESET
``AbortedError``           ``ConnectionAbortedError``                 ECONNABORTED
``LinkLostError``          ``ConnectionError``                        ENOLINK
``UnreachableError``       ``ConnectionError``                        EHOSTUNREACH
``ShutdownError``          ``BrokenPipeError``                        ESHUTDOWN
``AuthenticationError``    ``PermissionError``                        EACCES
``TransportError``         (the controller or its transport failed)   EIO, EINVAL
=========================  =========================================  ======================

Attributes: ``code`` (l2kit's negative code, ``l2k_strerror`` names it), ``result`` (the L2CAP
result code of a refusal), ``hci_status`` (the HCI status of a link that failed or was lost).
"""

import errno as _errno

from . import _lib


class Error(OSError):
    """An l2kit call failed."""
    code = None
    result = None
    hci_status = None


class TransportError(Error):
    """The transport could not be opened, the controller did not come up, or the link to it
    failed."""


class Timeout(Error, TimeoutError):
    """A timeout passed (the socket's, or the peer did not answer)."""


timeout = Timeout


class WouldBlockError(Error, BlockingIOError):
    """A non-blocking call would have had to wait."""


class RefusedError(Error, ConnectionRefusedError):
    """The peer refused the channel; ``result`` holds its L2CAP result code."""


class ResetError(Error, ConnectionResetError):
    """The peer disconnected the channel."""


class AbortedError(Error, ConnectionAbortedError):
    """The channel ended: configuration failed, or the peer stopped acknowledging."""


class LinkLostError(Error, ConnectionError):
    """The ACL / LE link (or the transport) went away under the channel."""


class UnreachableError(Error, ConnectionError):
    """The link to the peer could not be created; ``hci_status`` says why."""


class ShutdownError(Error, BrokenPipeError):
    """The channel was shut down or closed on our side."""


class AuthenticationError(Error, PermissionError):
    """Pairing or encryption failed (refused, a wrong value or key, a key too short): the
    message names the step and the reason."""


def _natural_errno(name):
    return getattr(_errno, name, None)


_E = _lib.ERRORS
_SPECIAL = {  # l2kit's own codes: the errno that fits, and the class
    _E["ECTRLTIMEOUT"]: ("EIO", TransportError),
    _E["ECTRL"]: ("EIO", TransportError),
    _E["EFRAMING"]: ("EIO", TransportError),
    _E["EIO"]: ("EIO", TransportError),
    _E["ESPEC"]: ("EINVAL", TransportError),
    _E["ENOLINK"]: ("ENOTCONN", Error),
    _E["ELINKLOSS"]: ("ENOLINK" if hasattr(_errno, "ENOLINK") else "ECONNABORTED", LinkLostError),
    _E["EREFUSED"]: ("ECONNREFUSED", RefusedError),
    _E["EMAXTX"]: ("ECONNABORTED", AbortedError),
    _E["ENOTSUP"]: ("EOPNOTSUPP", Error),
    _E["EAUTH"]: ("EACCES", AuthenticationError),
    _E["EKEYSIZE"]: ("EACCES", AuthenticationError),
}
_CLASS = {
    _E["EAGAIN"]: WouldBlockError, _E["EINPROGRESS"]: WouldBlockError, _E["EALREADY"]: WouldBlockError,
    _E["ETIMEDOUT"]: Timeout,
    _E["ECONNREFUSED"]: RefusedError,
    _E["ECONNRESET"]: ResetError,
    _E["ECONNABORTED"]: AbortedError,
    _E["EHOSTUNREACH"]: UnreachableError, _E["EHOSTDOWN"]: UnreachableError,
    _E["ESHUTDOWN"]: ShutdownError,
}
_NAME = {v: k for k, v in _E.items()}


def make(code, detail=None, *, result=None, hci_status=None, message=None, cls=None):
    """The exception for l2kit error code (negative), with detail appended to l2kit's text
    (or message instead of it); cls overrides the class."""
    name = _NAME.get(code)
    if code in _SPECIAL:
        en_name, klass = _SPECIAL[code]
    else:
        en_name, klass = name, _CLASS.get(code, Error)
    cls = cls or klass
    en = _natural_errno(en_name) if en_name else None
    text = message or _lib.strerror(code)
    if detail:
        text = "%s: %s" % (text, detail)
    e = cls(en, text) if en is not None else cls(text)
    e.code = code
    e.result = result
    e.hci_status = hci_status
    return e


def check(r, detail=None):
    """r if it is not negative, else raise the error."""
    if r < 0:
        raise make(r, detail)
    return r


# ---- readable details ---------------------------------------------------------------------------
# Connection result codes: Vol 3 Part A 4.3 (BR/EDR Connection Response) and 4.23 / 4.26 (LE /
# Enhanced Credit Based); HCI status codes: Vol 1 Part F 1.3.

RESULTS_BREDR = {
    0x0000: "success", 0x0001: "pending", 0x0002: "PSM not supported", 0x0003: "security block",
    0x0004: "no resources available", 0x0006: "invalid Source CID",
    0x0007: "Source CID already allocated",
}
RESULTS_CREDIT = {
    0x0000: "success", 0x0002: "SPSM not supported", 0x0004: "no resources available",
    0x0005: "insufficient authentication", 0x0006: "insufficient authorization",
    0x0007: "encryption key size too short", 0x0008: "insufficient encryption",
    0x0009: "invalid Source CID", 0x000A: "Source CID already allocated",
    0x000B: "unacceptable parameters", 0x000C: "invalid parameters",
}
HCI_STATUS = {
    0x00: "Success", 0x02: "Unknown Connection Identifier", 0x04: "Page Timeout",
    0x05: "Authentication Failure", 0x07: "Memory Capacity Exceeded", 0x08: "Connection Timeout",
    0x09: "Connection Limit Exceeded", 0x0B: "ACL Connection Already Exists",
    0x0C: "Command Disallowed", 0x0D: "Connection Rejected due to Limited Resources",
    0x0E: "Connection Rejected due to Security Reasons",
    0x0F: "Connection Rejected due to Unacceptable BD_ADDR",
    0x10: "Connection Accept Timeout Exceeded", 0x11: "Unsupported Feature or Parameter Value",
    0x12: "Invalid HCI Command Parameters", 0x13: "Remote User Terminated Connection",
    0x14: "Remote Device Terminated Connection due to Low Resources",
    0x15: "Remote Device Terminated Connection due to Power Off",
    0x16: "Connection Terminated by Local Host", 0x1A: "Unsupported Remote Feature",
    0x1F: "Unspecified Error", 0x22: "LL Response Timeout",
    0x3B: "Unacceptable Connection Parameters", 0x3E: "Connection Failed to be Established",
}


def result_str(result, credit_based):
    table = RESULTS_CREDIT if credit_based else RESULTS_BREDR
    if result == 0xFFFF:
        return "Command Reject"
    return table.get(result, "unknown result")


def hci_status_str(status):
    return HCI_STATUS.get(status, "unknown status")


def for_channel(code, info=None, what=None):
    """The exception for a channel that failed or ended with code, told with what info (an
    _lib.ChanInfo, or None) knows: the peer's result code, the HCI status."""
    credit = info is not None and (info.link_type != _lib.ADDR_BREDR or info.mode in _lib.LE_MODES)
    result = info.result if info is not None and code in (_E["EREFUSED"], _E["ECONNREFUSED"]) else None
    hci = info.hci_reason if info is not None and info.hci_reason else None
    E = _E
    if code == E["EREFUSED"]:
        msg = "refused by the peer (result 0x%04x: %s)" % (result or 0, result_str(result or 0, credit))
    elif code == E["EHOSTUNREACH"]:
        msg = "the link could not be created" + (
            " (HCI 0x%02x: %s)" % (hci, hci_status_str(hci)) if hci else "")
    elif code == E["ELINKLOSS"]:
        msg = "link lost" + (" (HCI 0x%02x: %s)" % (hci, hci_status_str(hci)) if hci
                             else " (the transport to the controller failed)")
    elif code == E["ECONNRESET"]:
        msg = "the peer disconnected the channel"
    elif code == E["ETIMEDOUT"]:
        msg = "timed out (the peer did not answer)"
    elif code == E["EPROTO"]:
        msg = "the peer violated the protocol; channel closed"
    elif code == E["ECONNABORTED"]:
        msg = "channel configuration could not be agreed"
    elif code == E["EMAXTX"]:
        msg = "the peer stopped acknowledging (MaxTransmit reached); channel closed"
    elif code == E["EAUTH"]:
        msg = "security could not be established (pairing or encryption failed)"
    elif code == E["EKEYSIZE"]:
        msg = "the encryption key is shorter than the security level allows"
    elif code == E["ESHUTDOWN"]:
        msg = "the channel was shut down on our side"
    else:
        msg = _lib.strerror(code)
    if what:
        msg = "%s: %s" % (what, msg)
    return make(code, message=msg, result=result, hci_status=hci)
