"""l2kit.micropython's pairing and bonding, as a MicroPython program uses them: config(io=,
mitm=, bond=, le_secure=), gap_pair, gap_passkey, and the events _IRQ_PASSKEY_ACTION,
_IRQ_ENCRYPTION_UPDATE, _IRQ_GET_SECRET / _IRQ_SET_SECRET (bonds kept by the program); over the
simulator (whose controllers run LE encryption as real ones do; l2kit runs SMP) and vctrl."""

import collections
import errno
import threading
import uuid

import pytest

from l2kit.micropython import BLE, const

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_L2CAP_ACCEPT = const(22)
_IRQ_L2CAP_CONNECT = const(23)
_IRQ_L2CAP_RECV = const(25)
_IRQ_ENCRYPTION_UPDATE = const(28)
_IRQ_GET_SECRET = const(29)
_IRQ_SET_SECRET = const(30)
_IRQ_PASSKEY_ACTION = const(31)

_PASSKEY_ACTION_INPUT = const(2)
_PASSKEY_ACTION_DISPLAY = const(3)
_PASSKEY_ACTION_NUMERIC_COMPARISON = const(4)

_IO_CAPABILITY_DISPLAY_ONLY = const(0)
_IO_CAPABILITY_DISPLAY_YESNO = const(1)
_IO_CAPABILITY_KEYBOARD_ONLY = const(2)
_IO_CAPABILITY_NO_INPUT_OUTPUT = const(3)

WAIT = 20
P_ADDR, C_ADDR = "00:AA:02:00:00:0A", "00:AA:02:00:00:0C"


class Side:
    """A BLE object configured before active(True), recording its events; it answers numeric
    comparison with `accept` from inside the handler, and keeps its secrets in a dict as
    MicroPython's ble_bonding_peripheral.py example does."""

    def __init__(self, transport, secrets=None, accept=1, **config):
        self.ble = BLE(transport=transport)
        self.events = collections.defaultdict(list)
        self.threads = collections.defaultdict(set)
        self.cv = threading.Condition()
        self.accept = accept
        self.secrets = {} if secrets is None else secrets
        self.display_errors = []
        self.rx = bytearray()
        self.ble.irq(self.irq)
        self.ble.config(**config)
        self.ble.active(True)

    def irq(self, event, data):
        ret = None
        if event == _IRQ_PASSKEY_ACTION:
            conn_handle, action, passkey = data
            if action == _PASSKEY_ACTION_NUMERIC_COMPARISON and self.accept is not None:
                self.ble.gap_passkey(conn_handle, action, self.accept)
            elif action == _PASSKEY_ACTION_DISPLAY:
                # a NimBLE program answers with the number it shows: l2kit chose it already
                try:
                    self.ble.gap_passkey(conn_handle, action, (passkey + 1) % 1000000)
                except OSError as e:
                    self.display_errors.append(e.errno)
                self.ble.gap_passkey(conn_handle, action, passkey)
        elif event == _IRQ_SET_SECRET:
            sec_type, key, value = data
            key = sec_type, bytes(key)
            if value is None:
                ret = self.secrets.pop(key, None) is not None
            else:
                self.secrets[key] = bytes(value)
                ret = True
        elif event == _IRQ_GET_SECRET:
            sec_type, index, key = data
            if key is None:
                values = [v for (t, _), v in sorted(self.secrets.items()) if t == sec_type]
                ret = values[index] if index < len(values) else None
            else:
                ret = self.secrets.get((sec_type, bytes(key)))
        elif event == _IRQ_L2CAP_ACCEPT:
            ret = 0
        elif event == _IRQ_L2CAP_RECV:
            buf = bytearray(64)
            while (n := self.ble.l2cap_recvinto(data[0], data[1], buf)):
                self.rx += buf[:n]
        with self.cv:
            self.events[event].append(data)
            self.threads[event].add(threading.current_thread().name)
            self.cv.notify_all()
        return ret

    def wait(self, event, n=1):
        with self.cv:
            assert self.cv.wait_for(lambda: len(self.events[event]) >= n, WAIT), \
                "event %d not seen (%r)" % (event, dict(self.events))
            return self.events[event][n - 1]

    def close(self):
        self.ble.active(False)


def connect(per, cen):
    """The central connects to the advertising peripheral: (central's handle, peripheral's)."""
    per.ble.gap_advertise(100_000)
    cen.ble.gap_connect(*per.ble.config("mac"))
    conn = cen.wait(_IRQ_PERIPHERAL_CONNECT)[0]
    return conn, per.wait(_IRQ_CENTRAL_CONNECT)[0]


@pytest.fixture
def fixed(request):
    """Two sim specs on a fresh air with fixed addresses (a bond names them), or vctrl's."""
    air = "sim:air=pymsec-%s,profile=unlimited" % uuid.uuid4().hex[:12]
    return "%s,addr=%s" % (air, P_ADDR), "%s,addr=%s" % (air, C_ADDR)


@pytest.fixture
def sides_factory():
    made = []

    def make(transport, **kw):
        s = Side(transport, **kw)
        made.append(s)
        return s
    yield make
    for s in reversed(made):
        s.close()


def test_numeric_comparison_encrypts_and_bonds(transports, sides_factory):
    per = sides_factory(transports[0], io=_IO_CAPABILITY_DISPLAY_YESNO, bond=True, mitm=True)
    cen = sides_factory(transports[1], io=_IO_CAPABILITY_DISPLAY_YESNO, bond=True, mitm=True)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)
    c_conn, c_action, c_pk = cen.wait(_IRQ_PASSKEY_ACTION)
    p_conn, p_action, p_pk = per.wait(_IRQ_PASSKEY_ACTION)
    assert (c_conn, c_action, p_conn, p_action) == (conn, 4, h, 4)
    assert c_pk == p_pk and 0 <= c_pk <= 999999  # both sides show the same number
    # conn_handle, encrypted, authenticated, bonded, key_size
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE) == (conn, True, True, True, 16)
    assert per.wait(_IRQ_ENCRYPTION_UPDATE) == (h, True, True, True, 16)
    # the passkey action ran on the stack's agent thread, the encryption update on l2kit's
    assert cen.threads[_IRQ_PASSKEY_ACTION] == {"l2kit-agent"}
    # the bond went to the program's store: sec_type 1, key = address type 1 (LE public) and
    # the peer's address, value = l2kit's bond
    p_mac, c_mac = per.ble.config("mac")[1], cen.ble.config("mac")[1]
    assert list(cen.secrets) == [(1, b"\x01" + p_mac)]
    assert list(per.secrets) == [(1, b"\x01" + c_mac)]
    assert all(len(v) > 16 for v in cen.secrets.values())
    # ... and is read back from it (_IRQ_GET_SECRET with key None lists them)
    bonds = cen.ble.stack.bonds()
    assert [(b.address, b.authenticated, b.secure_connections, b.ltk) for b in bonds] == [
        (per.ble.stack.address + "/le-public", True, True, True)]
    assert any(d[2] is None for d in cen.events[_IRQ_GET_SECRET])
    # an encryption change is not a disconnection; an LE credit channel works on the link
    assert not cen.events[_IRQ_PERIPHERAL_DISCONNECT] and not per.events[_IRQ_CENTRAL_DISCONNECT]
    per.ble.l2cap_listen(0x80, 128)
    cen.ble.l2cap_connect(conn, 0x80, 128)
    cid = cen.wait(_IRQ_L2CAP_CONNECT)[1]
    per.wait(_IRQ_L2CAP_CONNECT)
    assert cen.ble.l2cap_send(conn, cid, b"sealed")
    with per.cv:
        assert per.cv.wait_for(lambda: per.rx == b"sealed", WAIT)
    with pytest.raises(OSError) as ei:  # nothing waits for an answer any more
        cen.ble.gap_passkey(conn, _PASSKEY_ACTION_NUMERIC_COMPARISON, 1)
    assert ei.value.errno == errno.ENOENT


def test_passkey_entry_answered_later_from_another_thread(transports, sides_factory):
    per = sides_factory(transports[0], io=_IO_CAPABILITY_DISPLAY_ONLY)
    cen = sides_factory(transports[1], io=_IO_CAPABILITY_KEYBOARD_ONLY, mitm=True)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)
    assert cen.wait(_IRQ_PASSKEY_ACTION) == (conn, _PASSKEY_ACTION_INPUT, 0)
    p_conn, p_action, shown = per.wait(_IRQ_PASSKEY_ACTION)
    assert (p_conn, p_action) == (h, _PASSKEY_ACTION_DISPLAY) and 0 <= shown <= 999999
    assert per.display_errors == [errno.EINVAL]  # another number than l2kit's is refused
    with pytest.raises(OSError) as ei:
        cen.ble.gap_passkey(conn, _PASSKEY_ACTION_NUMERIC_COMPARISON, 1)  # not what is asked
    assert ei.value.errno == errno.EINVAL
    cen.ble.gap_passkey(conn, _PASSKEY_ACTION_INPUT, shown)  # the person types it, later
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE)[:3] == (conn, True, True)
    assert per.wait(_IRQ_ENCRYPTION_UPDATE)[:3] == (h, True, True)
    # bond=False (MicroPython's default): nothing is stored
    assert not cen.secrets and not cen.events[_IRQ_SET_SECRET]


@pytest.mark.parametrize("refuser", ["peripheral", "central"])
def test_refused_comparison_fails_and_stores_nothing(refuser, air, sides_factory):
    # the central's own refusal ends the pairing inside its answer (gap_passkey in the handler)
    per = sides_factory(air, io=_IO_CAPABILITY_DISPLAY_YESNO, bond=True,
                        accept=0 if refuser == "peripheral" else 1)
    cen = sides_factory(air, io=_IO_CAPABILITY_DISPLAY_YESNO, bond=True,
                        accept=0 if refuser == "central" else 1)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)
    cen.wait(_IRQ_PASSKEY_ACTION)
    # a failed pairing is told as MicroPython's NimBLE ports tell it: the link as it is
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE) == (conn, False, False, False, 0)
    assert per.wait(_IRQ_ENCRYPTION_UPDATE) == (h, False, False, False, 0)
    assert not cen.secrets and not per.secrets
    assert len(cen.events[_IRQ_ENCRYPTION_UPDATE]) == 1  # told once
    assert cen.ble.stack.link_security(conn).encrypted is False


def test_mitm_refuses_just_works(air, sides_factory):
    per = sides_factory(air)  # no input, no output
    cen = sides_factory(air, mitm=True)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)  # an authenticated key is wanted: Just Works cannot give it
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE) == (conn, False, False, False, 0)
    cen.ble.config(mitm=False)  # may change while active
    cen.ble.gap_pair(conn)  # Just Works, accepted without asking anyone
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE, 2) == (conn, True, False, False, 16)
    # the peripheral heard of both: the failed pairing, then the encryption
    assert per.wait(_IRQ_ENCRYPTION_UPDATE, 1)[:2] == (h, False)
    assert per.wait(_IRQ_ENCRYPTION_UPDATE, 2)[:3] == (h, True, False)
    assert not cen.events[_IRQ_PASSKEY_ACTION] and not per.events[_IRQ_PASSKEY_ACTION]


def test_bonded_reconnect_uses_the_programs_secrets(fixed, sides_factory):
    p_store, c_store = {}, {}
    cfg = dict(io=_IO_CAPABILITY_DISPLAY_YESNO, bond=True, mitm=True)
    per = sides_factory(fixed[0], secrets=p_store, **cfg)
    cen = sides_factory(fixed[1], secrets=c_store, **cfg)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE)[:4] == (conn, True, True, True)
    per.wait(_IRQ_ENCRYPTION_UPDATE)
    assert len(c_store) == 1 and len(p_store) == 1
    per.close()
    cen.close()
    # new stacks (new processes, as it were), the same secrets: encrypted with the stored key,
    # nobody asked
    per = sides_factory(fixed[0], secrets=p_store, **cfg)
    cen = sides_factory(fixed[1], secrets=c_store, **cfg)
    conn, h = connect(per, cen)
    cen.ble.gap_pair(conn)
    assert cen.wait(_IRQ_ENCRYPTION_UPDATE) == (conn, True, True, True, 16)
    assert per.wait(_IRQ_ENCRYPTION_UPDATE) == (h, True, True, True, 16)
    assert not cen.events[_IRQ_PASSKEY_ACTION] and not per.events[_IRQ_PASSKEY_ACTION]
    assert any(d[2] is not None for d in cen.events[_IRQ_GET_SECRET])  # looked up by its key
    # forgetting the bond deletes the secret (_IRQ_SET_SECRET with value None)
    cen.ble.stack.remove_bond(per.ble.stack.address + "/le-public")
    assert c_store == {} and cen.events[_IRQ_SET_SECRET][-1][2] is None


def test_security_config(air):
    ble = BLE(transport=air)
    try:
        assert (ble.config("io"), ble.config("bond"), ble.config("mitm"), ble.config("le_secure")) == \
            (3, False, False, False)  # MicroPython's defaults
        with pytest.raises(ValueError):
            ble.config(io=5)
        ble.config(io=_IO_CAPABILITY_KEYBOARD_ONLY, bond=True, le_secure=True, mitm=True)
        ble.active(True)
        sec = ble.stack.security
        assert (sec.io_cap, sec.bonding, sec.sc_only) == ("keyboard", True, True)
        with pytest.raises(OSError) as ei:
            ble.config(io=_IO_CAPABILITY_DISPLAY_ONLY)  # fixed while active
        assert ei.value.errno == errno.EBUSY
        ble.config(io=_IO_CAPABILITY_KEYBOARD_ONLY, mitm=False)  # the same io, and mitm: fine
        assert ble.config("mitm") is False
        with pytest.raises(OSError) as ei:
            ble.gap_pair(0x0FFF)
        assert ei.value.errno == errno.ENOTCONN
        with pytest.raises(OSError):
            ble.gap_passkey(0x0FFF, _PASSKEY_ACTION_INPUT, 123456)
        ble.active(False)
        ble.config(io=_IO_CAPABILITY_DISPLAY_ONLY)  # inactive again: allowed
        ble.active(True)
        assert ble.stack.security.io_cap == "display"
    finally:
        ble.active(False)
