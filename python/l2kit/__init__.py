"""l2kit: Bluetooth L2CAP channels from Python, over l2kit's user-space stack.

Pure Python over the l2kit shared library (ctypes); nothing outside the standard library.

    import l2kit
    with l2kit.Stack("tcp:127.0.0.1:9000") as stack:          # or "usb", "hci0", "sim" ...
        with stack.connect("00:AA:01:00:00:02", 0x1001) as ch:  # an L2CAPSocket
            ch.send(b"hello")
            print(ch.recv(672))

Faces: ``l2kit.Stack`` and ``l2kit.L2CAPSocket`` (Python socket conventions), asyncio
(``await stack.open_channel(...)``, ``await stack.start_server(...)``, l2kit.aio),
``l2kit.bluetooth`` (PyBluez's L2CAP surface) and ``l2kit.micropython`` (MicroPython's
``bluetooth.BLE`` L2CAP subset).  See docs/python.md.
"""

from ._lib import ABI_VERSION, path as library_path
from .errors import (AbortedError, AuthenticationError, Error, LinkLostError, RefusedError, ResetError, ShutdownError,
                     Timeout, TransportError, UnreachableError, WouldBlockError, timeout)
from .socket import AF_BLUETOOTH, BTPROTO_L2CAP, ChannelInfo, L2CAPSocket, SOCK_SEQPACKET
from .security import AgentRequest, Bond, LinkSecurity, Security
from .stack import ControllerInfo, Link, Stack

__version__ = "0.1.0"

__all__ = [
    "Stack", "L2CAPSocket", "ControllerInfo", "Link", "ChannelInfo",
    "Error", "TransportError", "Timeout", "timeout", "WouldBlockError", "RefusedError",
    "ResetError", "AbortedError", "LinkLostError", "UnreachableError", "ShutdownError",
    "AuthenticationError", "Security", "AgentRequest", "LinkSecurity", "Bond",
    "AF_BLUETOOTH", "BTPROTO_L2CAP", "SOCK_SEQPACKET", "ABI_VERSION", "library_path",
]
