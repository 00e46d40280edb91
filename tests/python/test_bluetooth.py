"""l2kit.bluetooth, PyBluez's L2CAP surface: in process over the simulator and vctrl, and the
PyBluez-style examples (python/examples/l2cap-server.py, l2cap-client.py) as two processes on
vctrl with the controller from L2KIT_TRANSPORT."""

import errno
import os
import re
import subprocess
import threading

import pytest

import l2kit.bluetooth as bluetooth
from conftest import PYTHON, REPO, Vctrl, child_env

EXAMPLES = os.path.join(REPO, "python", "examples")


@pytest.fixture
def bt_pair(pair):
    yield pair
    bluetooth.use_stack(None)


def test_pybluez_server_and_client(bt_pair):
    a, b = bt_pair
    bluetooth.use_stack(b)
    server = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    assert server.proto == bluetooth.L2CAP
    bluetooth.set_l2cap_mtu(server, 1000)
    assert bluetooth.get_l2cap_options(server)[1] == 1000
    server.bind(("", 0x1001))
    server.listen(1)
    assert bluetooth.read_local_bdaddr() == [b.address]
    bluetooth.use_stack(a)
    client = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    client.set_l2cap_mtu(700)
    out = {}

    def serve():
        c, addr = server.accept()
        out["addr"] = addr
        out["opts"] = bluetooth.get_l2cap_options(c)
        out["data"] = c.recv(1024)
        c.send(b"Echo: " + out["data"])
        out["end"] = c.recv(1024)
        c.close()
    t = threading.Thread(target=serve)
    t.start()
    client.connect((b.address, 0x1001))
    assert client.getpeername() == (b.address, 0x1001)
    client.send("hello")  # PyBluez takes text as UTF-8
    assert client.recv(1024) == b"Echo: hello"
    # [omtu, imtu, flush_to, mode, fcs, max_tx, txwin_size], as PyBluez returns them
    opts = client.get_l2cap_options()
    assert len(opts) == 7 and opts[:2] == [1000, 700] and opts[3] == bluetooth.L2CAP_MODE_BASIC
    with pytest.raises(bluetooth.BluetoothError) as ei:
        bluetooth.set_l2cap_mtu(client, 2000)  # fixed once connected
    assert ei.value.errno == errno.EINVAL
    client.close()
    t.join(10)
    assert out["addr"] == (a.address, 0x1001)
    assert out["opts"][:2] == [700, 1000]
    assert out["data"] == b"hello" and out["end"] == b""
    server.close()


def test_pybluez_errors(bt_pair):
    a, b = bt_pair
    bluetooth.use_stack(a)
    with pytest.raises(bluetooth.BluetoothError) as ei:
        bluetooth.BluetoothSocket(bluetooth.RFCOMM)
    assert ei.value.errno == errno.EPROTONOSUPPORT
    s = bluetooth.BluetoothSocket(bluetooth.L2CAP)
    with pytest.raises(bluetooth.BluetoothError) as ei:
        s.connect((b.address, 0x1001))  # nobody listens
    assert isinstance(ei.value, IOError) and ei.value.errno == errno.ECONNREFUSED
    assert "PSM not supported" in str(ei.value)
    with pytest.raises(bluetooth.BluetoothError):
        bluetooth.set_l2cap_mtu(bluetooth.BluetoothSocket(bluetooth.L2CAP), 47)
    assert bluetooth.is_valid_address("01:23:45:67:89:AB")
    assert not bluetooth.is_valid_address("01:23:45:67:89")


def test_the_environment_chooses_the_controller(vctrl):
    p = subprocess.run([PYTHON, "-c", "import l2kit.bluetooth as b; print(b.read_local_bdaddr()[0])"],
                       capture_output=True, text=True, env=child_env(L2KIT_TRANSPORT=vctrl.spec), timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == vctrl.controllers()[-1]
    env = child_env()
    env.pop("L2KIT_TRANSPORT", None)
    p = subprocess.run([PYTHON, "-c", "import l2kit.bluetooth as b; b.BluetoothSocket(b.L2CAP)"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode != 0 and "BluetoothError" in p.stderr and "L2KIT_TRANSPORT" in p.stderr


def test_examples_differ_from_pybluez_programs_only_in_the_import():
    for name in ("l2cap-server.py", "l2cap-client.py"):
        code = [l for l in open(os.path.join(EXAMPLES, name)) if not l.lstrip().startswith("#")]
        mentions = [l.strip() for l in code if "l2kit" in l]
        assert mentions == ["import l2kit.bluetooth as bluetooth"], name


def test_the_pybluez_examples_run(tmp_path):
    v = Vctrl(str(tmp_path), "--type", "dual")
    env = child_env(L2KIT_TRANSPORT=v.spec)
    server = subprocess.Popen([PYTHON, "-u", os.path.join(EXAMPLES, "l2cap-server.py")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("Waiting for a connection on PSM 0x1001"), line + server.stderr.read()
        (addr,) = v.controllers()
        client = subprocess.run([PYTHON, "-u", os.path.join(EXAMPLES, "l2cap-client.py"), addr],
                                input="hello\nL2CAP world\n\n", capture_output=True, text=True, env=env,
                                timeout=60)
        assert client.returncode == 0, client.stderr
        assert client.stdout.splitlines() == [
            "Trying to connect to %s on PSM 0x1001" % addr, "Connected. Type something...",
            "Data received: Echo: hello", "Data received: Echo: L2CAP world"]
        out, err = server.communicate(timeout=30)
        assert server.returncode == 0, err
        lines = out.splitlines()
        assert re.match(r"Accepted connection from \('([0-9A-F:]{17})', 4097\)$", lines[0]), lines
        assert lines[1:] == ["Data received: hello", "Data received: L2CAP world", "Client disconnected"]
    finally:
        if server.poll() is None:
            server.kill()
        v.stop()
