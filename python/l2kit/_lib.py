"""The shared library and its C declarations, through ctypes.

Everything here mirrors api/l2kit.h (the only header the package binds).  The structures are
laid out by ctypes from the field lists below; tests/python/test_layout.py compiles a small C
program against the header and compares every size and offset, and checks every function's
arguments and return size, so a change to the header that is not made here fails the tests.
At load time the library's l2k_abi_version() must equal ABI_VERSION.
"""

import ctypes
import ctypes.util
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_bool, c_char_p, c_int, c_int8, c_long,
                    c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

# The L2K_ABI_VERSION this package is written for (api/l2kit.h).
ABI_VERSION = 4

# File names of the shared library on every system (library_names(): this system's).
LIBRARY_NAMES = ("libl2kit.so.0", "libl2kit.so", "l2kit.dll", "libl2kit.dylib")


# ---- opaque handles ---------------------------------------------------------------------------
# Subclasses of c_void_p so that each handle has its own type (the signature check maps them to
# their C names) and comes back from a call as an object, not as an int.

class StackP(c_void_p):
    c_name = "l2k_stack *"


class SockP(c_void_p):
    c_name = "l2k_sock *"


class ChanP(c_void_p):
    c_name = "l2k_chan *"


class ServerP(c_void_p):
    c_name = "l2k_server *"


# ---- structures --------------------------------------------------------------------------------
# enums are ints (c_int); bool is c_bool.  c_name is the type's name in C, for the layout test.

class Addr(Structure):
    c_name = "l2k_addr"
    _fields_ = [("b", c_uint8 * 6)]


class StackOpts(Structure):
    c_name = "struct l2k_stack_opts"
    _fields_ = [
        ("btsnoop_path", c_char_p),
        ("cmd_timeout_ms", c_uint32),
        ("no_page_scan", c_bool),
        ("max_rx_pdu", c_uint32),
        ("link_tx_queue", c_uint32),
        ("no_ctrl_flow", c_bool),
        ("host_acl_buffers", c_uint16),
        ("clock", CFUNCTYPE(c_uint64, c_void_p)),
        ("clock_arg", c_void_p),
        ("security", c_void_p),  # const struct l2k_security_opts * (SecurityOpts; NULL: the defaults)
        ("acl_tx_timeout_ms", c_uint32),
        ("firmware_dir", c_char_p),
        ("no_vendor_init", c_bool),
        ("usb_id_set", c_bool),
        ("usb_vid", c_uint16),
        ("usb_pid", c_uint16),
    ]


class SecurityOpts(Structure):
    c_name = "struct l2k_security_opts"
    _fields_ = [
        ("io_cap", c_int),
        ("no_bonding", c_bool),
        ("sc_only", c_bool),
        ("min_key_size", c_uint8),
        ("debug_keys", c_bool),
        ("legacy_pairing", c_bool),
        ("no_mode4", c_bool),
        ("key_file", c_char_p),
        ("key_store", c_void_p),  # const struct l2k_key_store * (KeyStore; NULL: key_file or memory)
        ("auto_accept", c_bool),
        ("passkey", c_uint32),
        ("pin", c_char_p),
    ]


class LinkSecurity(Structure):
    c_name = "struct l2k_link_security"
    _fields_ = [
        ("encrypted", c_bool),
        ("key_size", c_uint8),
        ("authenticated", c_bool),
        ("secure_conn", c_bool),
        ("bonded", c_bool),
        ("level", c_uint8),
    ]


class AgentRequest(Structure):
    c_name = "struct l2k_agent_request"
    _fields_ = [
        ("handle", c_uint16),
        ("peer", Addr),
        ("peer_type", c_int),
        ("ask", c_int),
        ("value", c_uint32),
        ("psm", c_uint16),
    ]


class Bond(Structure):
    c_name = "struct l2k_bond"
    _fields_ = [
        ("peer", Addr),
        ("peer_type", c_int),
        ("has_link_key", c_bool),
        ("link_key", c_uint8 * 16),
        ("link_key_type", c_uint8),
        ("pin_len", c_uint8),
        ("has_ltk", c_bool),
        ("has_local_ltk", c_bool),
        ("ltk", c_uint8 * 16),
        ("local_ltk", c_uint8 * 16),
        ("ediv", c_uint16),
        ("local_ediv", c_uint16),
        ("rand", c_uint8 * 8),
        ("local_rand", c_uint8 * 8),
        ("has_irk", c_bool),
        ("has_csrk", c_bool),
        ("irk", c_uint8 * 16),
        ("csrk", c_uint8 * 16),
        ("key_size", c_uint8),
        ("authenticated", c_bool),
        ("secure_conn", c_bool),
    ]


# struct l2k_key_store: the application's own key store (l2kit.micropython's secrets)
KS_GET_CB = CFUNCTYPE(c_int, c_void_p, POINTER(Addr), c_int, POINTER(Bond))
KS_PUT_CB = CFUNCTYPE(c_int, c_void_p, POINTER(Bond))
KS_DEL_CB = CFUNCTYPE(c_int, c_void_p, POINTER(Addr), c_int)
KS_LIST_CB = CFUNCTYPE(c_int, c_void_p, POINTER(Bond), c_int)
KS_RESOLVE_CB = CFUNCTYPE(c_int, c_void_p, POINTER(Addr), POINTER(Bond))


class KeyStore(Structure):
    c_name = "struct l2k_key_store"
    _fields_ = [
        ("user", c_void_p),
        ("get", KS_GET_CB),
        ("put", KS_PUT_CB),
        ("del", KS_DEL_CB),
        ("list", KS_LIST_CB),
        ("resolve", KS_RESOLVE_CB),  # NULL: l2kit resolves private addresses from list's IRKs
    ]


class OobData(Structure):
    c_name = "struct l2k_oob_data"
    _fields_ = [
        ("has_p192", c_bool),
        ("has_p256", c_bool),
        ("c192", c_uint8 * 16),
        ("r192", c_uint8 * 16),
        ("c256", c_uint8 * 16),
        ("r256", c_uint8 * 16),
    ]


class ControllerInfo(Structure):
    c_name = "struct l2k_controller_info"
    _fields_ = [
        ("addr", Addr),
        ("hci_version", c_uint8),
        ("hci_revision", c_uint16),
        ("lmp_version", c_uint8),
        ("manufacturer", c_uint16),
        ("lmp_subversion", c_uint16),
        ("acl_mtu", c_uint16),
        ("acl_count", c_uint16),
        ("le_acl_mtu", c_uint16),
        ("le_acl_count", c_uint16),
        ("le_shared", c_bool),
        ("bredr", c_bool),
        ("le", c_bool),
        ("ctrl_flow_supported", c_bool),
        ("ctrl_flow", c_bool),
        ("host_acl_mtu", c_uint16),
        ("host_acl_count", c_uint16),
    ]


class HciStats(Structure):
    c_name = "struct l2k_hci_stats"
    _fields_ = [(n, c_uint64) for n in (
        "acl_rx_packets", "acl_rx_pdus", "acl_bad_header", "acl_unknown_handle", "acl_cont_without_start",
        "acl_overrun", "acl_short_start", "acl_too_big", "acl_incomplete", "evt_malformed", "nocp_excess",
        "rx_after_failure", "cmd_timeouts", "probes")]


class LinkInfo(Structure):
    c_name = "struct l2k_link_info"
    _fields_ = [
        ("handle", c_uint16),
        ("type", c_int),
        ("peer", Addr),
        ("role", c_uint8),
    ]


READY_CB = CFUNCTYPE(None, c_void_p, c_int)
LINK_UP_CB = CFUNCTYPE(None, c_void_p, POINTER(LinkInfo))
LINK_FAILED_CB = CFUNCTYPE(None, c_void_p, POINTER(Addr), c_int, c_uint8)
LINK_DOWN_CB = CFUNCTYPE(None, c_void_p, POINTER(LinkInfo), c_uint8)
ERROR_CB = CFUNCTYPE(None, c_void_p, c_int, c_char_p)
ADV_REPORT_CB = CFUNCTYPE(None, c_void_p, POINTER(Addr), c_int, c_int8, c_void_p, c_size_t)
AGENT_CB = CFUNCTYPE(None, c_void_p, POINTER(AgentRequest))
PAIRED_CB = CFUNCTYPE(None, c_void_p, POINTER(Addr), c_int, c_int, c_char_p)
SECURITY_CB = CFUNCTYPE(None, c_void_p, c_uint16, POINTER(LinkSecurity))
SECURED_CB = CFUNCTYPE(None, c_void_p, c_uint16, c_int)  # l2k_link_secure's done
INQUIRY_RESULT_CB = CFUNCTYPE(None, c_void_p, c_void_p)  # const struct l2k_inquiry_result *
INQUIRY_COMPLETE_CB = CFUNCTYPE(None, c_void_p, c_int, c_uint8)
REMOTE_NAME_CB = CFUNCTYPE(None, c_void_p, POINTER(Addr), c_int, c_uint8, c_char_p)


class StackCbs(Structure):
    c_name = "struct l2k_stack_cbs"
    _fields_ = [
        ("user", c_void_p),
        ("ready", READY_CB),
        ("link_up", LINK_UP_CB),
        ("link_failed", LINK_FAILED_CB),
        ("link_down", LINK_DOWN_CB),
        ("error", ERROR_CB),
        ("adv_report", ADV_REPORT_CB),
        ("agent", AGENT_CB),
        ("paired", PAIRED_CB),
        ("security", SECURITY_CB),
        ("inquiry_result", INQUIRY_RESULT_CB),
        ("inquiry_complete", INQUIRY_COMPLETE_CB),
        ("remote_name", REMOTE_NAME_CB),
    ]


class ChanOpts(Structure):
    c_name = "struct l2k_chan_opts"
    _fields_ = [
        ("mode", c_int),
        ("mode_required", c_bool),
        ("mtu", c_uint16),
        ("mps", c_uint16),
        ("credits", c_uint16),
        ("manual_credits", c_bool),
        ("fcs", c_uint8),
        ("tx_window", c_uint16),
        ("max_transmit", c_uint8),
        ("ext_window", c_bool),
        ("flow_spec", c_uint8),
        ("flush_timeout", c_uint16),
        ("sec_level", c_uint8),
        ("connect_timeout_ms", c_uint32),
        ("tx_queue_bytes", c_uint32),
        ("rx_queue_bytes", c_uint32),
    ]


OPEN_CB = CFUNCTYPE(None, c_void_p, ChanP)
RECV_CB = CFUNCTYPE(None, c_void_p, ChanP, c_void_p, c_size_t)
SEND_READY_CB = CFUNCTYPE(None, c_void_p, ChanP)
CLOSED_CB = CFUNCTYPE(None, c_void_p, ChanP, c_int)


class ChanCbs(Structure):
    c_name = "struct l2k_chan_cbs"
    _fields_ = [
        ("user", c_void_p),
        ("open", OPEN_CB),
        ("recv", RECV_CB),
        ("send_ready", SEND_READY_CB),
        ("closed", CLOSED_CB),
    ]


class ChanInfo(Structure):
    c_name = "struct l2k_chan_info"
    _fields_ = [
        ("mode", c_int),
        ("link_type", c_int),
        ("peer", Addr),
        ("handle", c_uint16),
        ("psm", c_uint16),
        ("local_cid", c_uint16),
        ("remote_cid", c_uint16),
        ("local_mtu", c_uint16),
        ("remote_mtu", c_uint16),
        ("local_mps", c_uint16),
        ("remote_mps", c_uint16),
        ("credits_tx", c_uint16),
        ("credits_rx", c_uint16),
        ("fcs", c_bool),
        ("result", c_uint16),
        ("hci_reason", c_uint8),
        ("tx_sdus", c_uint64),
        ("rx_sdus", c_uint64),
        ("tx_bytes", c_uint64),
        ("rx_bytes", c_uint64),
        ("retransmissions", c_uint64),
        ("rx_sdus_dropped", c_uint64),
        ("rx_frames_bad_fcs", c_uint64),
        ("link_acl_dropped", c_uint64),
    ]


class ConnRequest(Structure):
    c_name = "struct l2k_conn_request"
    _fields_ = [
        ("peer", Addr),
        ("link_type", c_int),
        ("handle", c_uint16),
        ("psm", c_uint16),
        ("mode", c_int),
        ("peer_mtu", c_uint16),
        ("peer_mps", c_uint16),
        ("chan", ChanP),
    ]


ACCEPT_CB = CFUNCTYPE(c_int, c_void_p, POINTER(ConnRequest), POINTER(ChanOpts), POINTER(ChanCbs))


class ServerCbs(Structure):
    c_name = "struct l2k_server_cbs"
    _fields_ = [
        ("user", c_void_p),
        ("accept", ACCEPT_CB),
    ]


STRUCTS = (Addr, StackOpts, SecurityOpts, LinkSecurity, AgentRequest, Bond, KeyStore, OobData, ControllerInfo,
           HciStats, LinkInfo, StackCbs, ChanOpts, ChanCbs, ChanInfo, ConnRequest, ServerCbs)
# enums whose size must be an int's
ENUMS = ("enum l2k_addr_type", "enum l2k_mode", "enum l2k_close_reason", "enum l2k_result",
         "enum l2k_sec_level", "enum l2k_io_cap", "enum l2k_agent_ask")

# ---- constants (api/l2kit.h, base/l2k_error.h) -------------------------------------------------

ADDR_BREDR, ADDR_LE_PUBLIC, ADDR_LE_RANDOM = 0, 1, 2

MODES = {  # name -> enum l2k_mode (l2k_mode_name's names)
    "basic": 0x00, "retrans": 0x01, "flowctl": 0x02, "ertm": 0x03, "streaming": 0x04,
    "le": 0x80, "ecfc": 0x81,
}
MODE_ALIASES = {"le-credit": "le", "lecredit": "le", "le_credit": "le"}
LE_MODES = (0x80, 0x81)

CLOSE_LOCAL, CLOSE_REMOTE, CLOSE_LINK_LOST, CLOSE_REFUSED, CLOSE_TIMEOUT, CLOSE_PROTOCOL, \
    CLOSE_MAX_TRANSMIT, CLOSE_CONFIG_FAILED, CLOSE_LINK_FAILED, CLOSE_SECURITY, CLOSE_CONTROLLER = range(11)

# security (l2k_types.h enum l2k_sec_level, l2k_security.h enum l2k_io_cap / l2k_agent_ask)
SEC_NONE, SEC_LOW, SEC_MEDIUM, SEC_HIGH, SEC_FIPS = range(5)
IO_DISPLAY_ONLY, IO_DISPLAY_YESNO, IO_KEYBOARD_ONLY, IO_NO_INPUT_NO_OUTPUT, IO_KEYBOARD_DISPLAY = range(5)
ASK_CONFIRM, ASK_JUST_WORKS, ASK_PASSKEY_ENTRY, ASK_PASSKEY_DISPLAY, ASK_PIN, ASK_AUTHORIZE = range(1, 7)

RESULT_PSM_NOT_SUPPORTED = 0x0002
RESULT_SECURITY_BLOCK = 0x0003
RESULT_NO_RESOURCES = 0x0004
RESULT_AUTHORIZATION = 0x0006
RESULT_UNACCEPTABLE_PARAMS = 0x000B
MAX_TRANSMIT_UNLIMITED = 0xFF

# error codes by name (values are l2kit's own, the same on every platform)
ERRORS = {
    "EPERM": -1, "ENOENT": -2, "EINTR": -4, "EIO": -5, "EBADF": -9, "EAGAIN": -11,
    "ENOMEM": -12, "EACCES": -13, "EBUSY": -16, "EEXIST": -17, "ENODEV": -19, "EINVAL": -22,
    "EMSGSIZE": -90, "EPROTO": -71, "EBADMSG": -74, "ENOTSUP": -95, "EADDRINUSE": -98,
    "ENETDOWN": -100, "ECONNABORTED": -103, "ECONNRESET": -104, "ENOBUFS": -105,
    "EISCONN": -106, "ENOTCONN": -107, "ESHUTDOWN": -108, "ETIMEDOUT": -110,
    "ECONNREFUSED": -111, "EHOSTDOWN": -112, "EHOSTUNREACH": -113, "EALREADY": -114,
    "EINPROGRESS": -115,
    "ECTRLTIMEOUT": -1001, "ECTRL": -1002, "EFRAMING": -1003, "ENOLINK": -1004,
    "ELINKLOSS": -1005, "EREFUSED": -1006, "EMAXTX": -1007, "ESPEC": -1008,
    "EAUTH": -1009, "EKEYSIZE": -1010,
}
globals().update({"L2K_" + k: v for k, v in ERRORS.items()})

# ---- functions ---------------------------------------------------------------------------------
# (name, restype, argtypes): every function the package calls, as declared in api/l2kit.h.

_P = POINTER
FUNCTIONS = (
    ("l2k_abi_version", c_int, ()),
    ("l2k_strerror", c_char_p, (c_int,)),
    ("l2k_addr_parse", c_int, (c_char_p, _P(Addr))),
    ("l2k_stack_open", c_int, (c_char_p, _P(StackOpts), _P(StackCbs), _P(StackP), c_char_p, c_size_t)),
    ("l2k_stack_close", None, (StackP,)),
    ("l2k_wait_ready", c_int, (StackP, c_int)),
    ("l2k_controller_info", c_int, (StackP, _P(ControllerInfo))),
    ("l2k_last_error", c_char_p, (StackP,)),
    ("l2k_hci_stats", c_int, (StackP, _P(HciStats))),
    ("l2k_link_stats", c_int, (StackP, c_uint16, _P(HciStats))),
    ("l2k_link_connect", c_int, (StackP, _P(Addr), c_int)),
    ("l2k_link_cancel", c_int, (StackP, _P(Addr), c_int)),
    ("l2k_link_disconnect", c_int, (StackP, c_uint16, c_uint8)),
    ("l2k_link_find", c_int, (StackP, _P(Addr), c_int, _P(c_uint16))),
    ("l2k_set_connectable", c_int, (StackP, c_bool)),
    ("l2k_le_advertise", c_int, (StackP, c_bool, c_void_p, c_size_t)),
    ("l2k_le_scan", c_int, (StackP, c_bool)),
    ("l2k_mode_name", c_char_p, (c_int,)),
    ("l2k_mode_supported", c_bool, (c_int,)),
    ("l2k_chan_opts_default", None, (_P(ChanOpts),)),
    ("l2k_close_reason_str", c_char_p, (c_int,)),
    # event face
    ("l2k_chan_connect", c_int, (StackP, _P(Addr), c_int, c_uint16, _P(ChanOpts), _P(ChanCbs), _P(ChanP))),
    ("l2k_chan_send", c_int, (ChanP, c_void_p, c_size_t)),
    ("l2k_chan_close", c_int, (ChanP,)),
    ("l2k_chan_give_credits", c_int, (ChanP, c_uint16)),
    ("l2k_chan_set_busy", c_int, (ChanP, c_bool)),
    ("l2k_chan_get_info", c_int, (ChanP, _P(ChanInfo))),
    ("l2k_chan_send_room", c_size_t, (ChanP,)),
    ("l2k_server_add", c_int, (StackP, c_uint16, c_bool, _P(ChanOpts), _P(ServerCbs), _P(ServerP))),
    ("l2k_server_remove", None, (ServerP,)),
    # socket face
    ("l2k_start", c_int, (StackP,)),
    ("l2k_stop", None, (StackP,)),
    ("l2k_lock", None, (StackP,)),
    ("l2k_unlock", None, (StackP,)),
    ("l2k_listen", c_int, (StackP, c_uint16, c_bool, _P(ChanOpts), c_int, _P(SockP))),
    ("l2k_accept", c_int, (SockP, c_int, _P(SockP))),
    ("l2k_connect", c_int, (StackP, _P(Addr), c_int, c_uint16, _P(ChanOpts), c_int, _P(SockP))),
    ("l2k_connect_ecfc", c_int, (StackP, _P(Addr), c_int, c_uint16, c_int, _P(ChanOpts), c_int, _P(SockP))),
    ("l2k_send", c_long, (SockP, c_void_p, c_size_t, c_int)),
    ("l2k_recv", c_long, (SockP, c_void_p, c_size_t, _P(c_size_t), c_int)),
    ("l2k_shutdown", c_int, (SockP, c_int)),
    ("l2k_close", None, (SockP,)),
    ("l2k_sock_fd", c_int, (SockP,)),
    ("l2k_sock_send_fd", c_int, (SockP,)),
    ("l2k_sock_error", c_int, (SockP,)),
    ("l2k_sock_info", c_int, (SockP, _P(ChanInfo))),
    ("l2k_sock_close_reason", c_int, (SockP,)),
    ("l2k_sock_give_credits", c_int, (SockP, c_uint16)),
    # security
    ("l2k_security_opts_default", None, (_P(SecurityOpts),)),
    ("l2k_agent_reply", c_int, (StackP, c_uint16, c_bool, c_uint32, c_char_p)),
    ("l2k_pair", c_int, (StackP, _P(Addr), c_int)),
    ("l2k_link_secure", c_int, (StackP, c_uint16, c_uint8, SECURED_CB, c_void_p)),
    ("l2k_link_security", c_int, (StackP, c_uint16, _P(LinkSecurity))),
    ("l2k_bonds", c_int, (StackP, _P(Bond), c_int)),
    ("l2k_bond_remove", c_int, (StackP, _P(Addr), c_int)),
    ("l2k_oob_local", c_int, (StackP, _P(OobData))),
    ("l2k_oob_remote", c_int, (StackP, _P(Addr), _P(OobData))),
)


# ---- loading ------------------------------------------------------------------------------------

# The package's own folder (the library may sit beside it: `make python`, a wheel).
_HERE = os.path.dirname(os.path.abspath(__file__))
# On Windows, l2kit.dll of the default build (make windows) needs libgcrypt-20.dll and
# libgpg-error-0.dll; they are looked for beside it.
WINDOWS_DEPENDENCIES = ("libgcrypt-20.dll", "libgpg-error-0.dll")


def _windows():
    return os.name == "nt" or sys.platform == "win32"


def library_names():
    """The file names of the shared library on this system, most specific first."""
    if _windows():
        return ("l2kit.dll",)
    if sys.platform == "darwin":
        return ("libl2kit.dylib",)
    return ("libl2kit.so.0", "libl2kit.so")


def candidates():
    """Where the library is looked for, in order: $L2KIT_LIBRARY, next to the package, the
    build tree the package sits in (python/../build, and on Windows python/../build-win, where
    `make windows` puts l2kit.dll), then the system's library path (on Windows: PATH)."""
    env = os.environ.get("L2KIT_LIBRARY")
    if env:
        yield env
        return
    names = library_names()
    for name in names:
        yield os.path.join(_HERE, name)
    root = os.path.dirname(os.path.dirname(_HERE))
    for tree in (("build-win", "build") if _windows() else ("build",)):
        for name in names:
            yield os.path.join(root, tree, name)
    found = ctypes.util.find_library("l2kit")
    if found:
        yield found


# os.add_dll_directory() handles, kept so that the folders stay on the DLL search path
_dll_dirs = []


def _load():
    tried = []
    for path in candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path + " (absent)")
            continue
        if _windows() and os.path.sep in path and hasattr(os, "add_dll_directory"):
            # Python 3.8+ no longer searches PATH for a DLL's own dependencies: name the
            # folder of l2kit.dll, where libgcrypt-20.dll and libgpg-error-0.dll are
            _dll_dirs.append(os.add_dll_directory(os.path.dirname(os.path.abspath(path))))
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            why = str(e)
            if _windows() and os.path.sep in path:
                gone = [d for d in WINDOWS_DEPENDENCIES
                        if not os.path.exists(os.path.join(os.path.dirname(path), d))]
                if gone:
                    why += "; %s not beside it" % " and ".join(gone)
            tried.append("%s (%s)" % (path, why))
            continue
        return lib, path
    if _windows():
        hint = ("build it with 'make windows' (l2kit.dll with libgcrypt-20.dll and "
                "libgpg-error-0.dll beside it, in build-win/), or set L2KIT_LIBRARY to its path")
        system = "; PATH (no l2kit.dll)"
    else:
        hint = "build it with 'make python' (or 'make lib'), or set L2KIT_LIBRARY to its path"
        system = "; the system's library path (no libl2kit)"
    raise ImportError("l2kit: the shared library was not found; " + hint + ".  Tried: "
                      + "; ".join(tried) + (system if "L2KIT_LIBRARY" not in os.environ else ""))


def _bind(lib, path):
    try:
        abi = lib.l2k_abi_version
    except AttributeError:
        raise ImportError("l2kit: %s has no l2k_abi_version(): it is older than this package "
                          "(which needs ABI %d); rebuild the library" % (path, ABI_VERSION)) from None
    abi.restype = c_int
    abi.argtypes = ()
    have = abi()
    if have != ABI_VERSION:
        raise ImportError("l2kit: %s has ABI version %d but this package is written for %d: use the "
                          "package and the library of the same l2kit" % (path, have, ABI_VERSION))
    missing = []
    for name, restype, argtypes in FUNCTIONS:
        try:
            f = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        f.restype = restype
        f.argtypes = argtypes
    if missing:
        raise ImportError("l2kit: %s lacks %s" % (path, ", ".join(missing)))


lib, path = _load()
_bind(lib, path)


def strerror(code):
    s = lib.l2k_strerror(code)
    return s.decode("utf-8", "replace") if s else "error %d" % code


def mode_name(mode):
    s = lib.l2k_mode_name(mode)
    return s.decode() if s else "0x%02x" % mode


def chan_opts_default():
    o = ChanOpts()
    lib.l2k_chan_opts_default(ctypes.byref(o))
    return o

