"""l2kit.bluetooth's security, as PyBluez programs use it on Linux: setl2capsecurity(level),
setsockopt / getsockopt(SOL_BLUETOOTH, BT_SECURITY, struct bt_security), the level applied at
connect and by a listener to the channels it accepts, a connected socket raised; the stack's
default (no agent: Just Works) and a stack of one's own with an agent; over the simulator and
vctrl."""

import errno
import struct
import threading

import pytest

import l2kit
import l2kit.bluetooth as bluetooth
import l2kit.bluetooth._bluetooth as bz

PSM = 0x1001


@pytest.fixture
def bt_pair(pair):
    yield pair
    bluetooth.use_stack(None)


def sec(sock):
    """struct bt_security of a socket: (level, key_size)."""
    return struct.unpack("BB", sock.getsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY, 2))


def serve(server, out):
    """Accept one channel, note its security, echo one SDU."""
    def run():
        try:
            c, addr = server.accept()
        except bluetooth.BluetoothError as e:
            out["error"] = e
            return
        out["sec"] = sec(c)
        data = c.recv(1024)
        if data:
            c.send(data)
        out["end"] = c.recv(1024)
        c.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def listener(stack, level=None):
    bluetooth.use_stack(stack)
    server = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    if level is not None:
        server.setl2capsecurity(level)
    server.bind(("", PSM))
    server.listen(1)
    return server


def test_constants_are_pybluez_and_linux_ones():
    # <bluetooth/bluetooth.h>: SOL_BLUETOOTH 274, BT_SECURITY 4, levels 0..4
    assert (bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY) == (274, 4)
    assert [bluetooth.BT_SECURITY_SDP, bluetooth.BT_SECURITY_LOW, bluetooth.BT_SECURITY_MEDIUM,
            bluetooth.BT_SECURITY_HIGH, bluetooth.BT_SECURITY_FIPS] == [0, 1, 2, 3, 4]
    # where PyBluez programs take them: bluetooth._bluetooth
    assert (bz.BT_SECURITY_MEDIUM, bz.SOL_BLUETOOTH, bz.BT_SECURITY, bz.L2CAP) == (2, 274, 4, 0)
    assert bz.error is bluetooth.BluetoothError
    from l2kit.bluetooth._bluetooth import BT_SECURITY_HIGH
    assert BT_SECURITY_HIGH == 3


def test_medium_without_an_agent(bt_pair):
    a, b = bt_pair
    server = listener(b, bluetooth.BT_SECURITY_MEDIUM)
    assert sec(server) == (2, 0)
    out = {}
    t = serve(server, out)
    bluetooth.use_stack(a)
    client = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    assert sec(client) == (1, 0)  # Linux's default: BT_SECURITY_LOW
    client.setsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY, struct.pack("BB", 2, 0))
    assert sec(client) == (2, 0)
    client.connect((b.address, PSM))  # Just Works (no agent, no input or output): encrypted
    client.send(b"sealed")
    assert client.recv(1024) == b"sealed"
    assert sec(client) == (2, 16)  # the link's level and key size
    link = a.link_security(a.links[0])
    assert link.encrypted and not link.authenticated
    client.close()
    t.join(10)
    assert out["sec"] == (2, 16) and out["end"] == b""
    server.close()


def test_a_listeners_level_applies_to_the_channels_it_accepts(bt_pair):
    a, b = bt_pair
    server = listener(b, bluetooth.BT_SECURITY_MEDIUM)
    out = {}
    t = serve(server, out)
    bluetooth.use_stack(a)
    client = bluetooth.BluetoothSocket(bluetooth.L2CAP)  # asks for nothing
    client.connect((b.address, PSM))
    client.send(b"x")
    assert client.recv(10) == b"x"
    assert sec(client) == (2, 16)  # the server raised the link before it accepted
    assert b.link_security(b.links[0]).encrypted
    client.close()
    t.join(10)
    assert out["sec"] == (2, 16)
    server.close()


def test_high_without_an_agent_is_refused(air):
    # the stack l2kit.bluetooth uses has no agent and no input or output: Just Works only,
    # which cannot make the authenticated key BT_SECURITY_HIGH needs
    with l2kit.Stack(air) as a, l2kit.Stack(air) as b:
        try:
            server = listener(b)
            serve(server, {})
            bluetooth.use_stack(a)
            client = bluetooth.BluetoothSocket(bluetooth.L2CAP)
            client.setl2capsecurity(bluetooth.BT_SECURITY_HIGH)
            with pytest.raises(bluetooth.BluetoothError) as ei:
                client.connect((b.address, PSM))
            assert ei.value.errno == errno.EACCES
            assert isinstance(ei.value.l2kit_error, l2kit.AuthenticationError)
            assert not a.link_security(a.links[0]).encrypted
            server.close()
        finally:
            bluetooth.use_stack(None)


@pytest.mark.parametrize("level", [bluetooth.BT_SECURITY_HIGH, bluetooth.BT_SECURITY_FIPS])
def test_high_with_a_stack_and_agent_of_ones_own(transports, level):
    asked = []

    def agent(req):  # a person who compares the numbers and says yes
        asked.append((req.ask, threading.current_thread().name))
        return True
    yesno = l2kit.Security("yesno")
    with l2kit.Stack(transports[0], security=yesno, agent=agent) as a, \
            l2kit.Stack(transports[1], security=yesno, agent=agent) as b:
        try:
            server = listener(b, level)
            out = {}
            t = serve(server, out)
            bluetooth.use_stack(a)
            client = bluetooth.BluetoothSocket(bluetooth.L2CAP)
            client.setl2capsecurity(level)
            client.connect((b.address, PSM))
            client.send(b"secret")
            assert client.recv(100) == b"secret"
            lv, key_size = sec(client)
            assert lv == bluetooth.BT_SECURITY_FIPS and key_size == 16  # P-256 at both sides
            assert asked == [("confirm", "l2kit-agent")] * 2  # numeric comparison at both sides
            client.close()
            t.join(10)
            assert out["sec"] == (4, 16)
            server.close()
        finally:
            bluetooth.use_stack(None)


def test_a_connected_socket_is_raised(air):
    # without the Security Mode 4 minimum (both stacks do Simple Pairing: a channel at the
    # default level would be encrypted before it opens), so that the link starts at level 1
    plain = l2kit.Security(no_mode4=True)
    with l2kit.Stack(air, security=plain) as a, l2kit.Stack(air, security=plain) as b:
        try:
            server = listener(b)
            out = {}
            t = serve(server, out)
            bluetooth.use_stack(a)
            client = bluetooth.BluetoothSocket(bluetooth.L2CAP)
            client.connect((b.address, PSM))
            assert sec(client) == (1, 0)
            client.settimeout(20)
            client.setl2capsecurity(bluetooth.BT_SECURITY_MEDIUM)  # raises the link now
            assert sec(client) == (2, 16)
            client.setl2capsecurity(bluetooth.BT_SECURITY_LOW)  # lower: nothing changes
            assert sec(client) == (2, 16)
            client.send(b"after")
            assert client.recv(100) == b"after"
            with pytest.raises(bluetooth.BluetoothError) as ei:  # Just Works cannot make it
                client.setl2capsecurity(bluetooth.BT_SECURITY_HIGH)
            assert ei.value.errno == errno.EACCES
            client.close()
            t.join(10)
            server.close()
        finally:
            bluetooth.use_stack(None)


def test_option_errors_and_forms(air):
    with l2kit.Stack(air) as st:
        try:
            bluetooth.use_stack(st)
            s = bluetooth.BluetoothSocket(bluetooth.L2CAP)
            for bad in (bluetooth.BT_SECURITY_SDP, 5):  # Linux refuses SDP's level on a socket
                with pytest.raises(bluetooth.BluetoothError) as ei:
                    s.setl2capsecurity(bad)
                assert ei.value.errno == errno.EINVAL
            with pytest.raises(bluetooth.BluetoothError) as ei:  # struct bt_security is 2 bytes
                s.setsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY, b"\x02")
            assert ei.value.errno == errno.EINVAL
            s.setsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY, 3)  # an int: the level
            assert s.getsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY) == 3  # int form
            assert s.getsockopt(bluetooth.SOL_BLUETOOTH, bluetooth.BT_SECURITY, 1) == b"\x03"
            assert s.l2kit_socket.getopts()["sec_level"] == 3
            with pytest.raises(bluetooth.BluetoothError) as ei:
                s.setsockopt(bluetooth.SOL_BLUETOOTH, 99, 1)
            assert ei.value.errno == errno.ENOPROTOOPT
            with pytest.raises(bluetooth.BluetoothError) as ei:
                s.getsockopt(bluetooth.SOL_BLUETOOTH, 99, 4)
            assert ei.value.errno == errno.ENOPROTOOPT
            # struct l2cap_options through getsockopt / setsockopt, as PyBluez's own
            # get_l2cap_options / set_l2cap_options do it
            raw = s.getsockopt(bluetooth.SOL_L2CAP, bluetooth.L2CAP_OPTIONS, 12)
            opts = list(struct.unpack("HHHBBBH", raw))
            assert opts == s.get_l2cap_options()
            opts[1] = 900
            s.setsockopt(bluetooth.SOL_L2CAP, bluetooth.L2CAP_OPTIONS, struct.pack("HHHBBBH", *opts))
            assert s.get_l2cap_options()[1] == 900
            # a listener's level is fixed at listen()
            s.bind(("", PSM))
            s.listen(1)
            s.setl2capsecurity(bluetooth.BT_SECURITY_HIGH)  # the same: fine
            with pytest.raises(bluetooth.BluetoothError) as ei:
                s.setl2capsecurity(bluetooth.BT_SECURITY_MEDIUM)
            assert ei.value.errno == errno.EINVAL
            s.close()
        finally:
            bluetooth.use_stack(None)
