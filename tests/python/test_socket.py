"""l2kit.Stack and l2kit.L2CAPSocket over the in-process simulator and over vctrl: SEQPACKET
data, timeouts, non-blocking calls, select/selectors, errors, the end of a channel, Ctrl-C."""

import errno
import os
import select
import selectors
import signal
import socket
import subprocess
import threading
import time

import pytest

import l2kit
from conftest import PYTHON, child_env


def serve_echo(listener, count=1, prefix=b""):
    """Accept count channels in a thread; echo every SDU of each (prefixed) until its end."""
    def run():
        for _ in range(count):
            c, _ = listener.accept()
            threading.Thread(target=echo, args=(c,), daemon=True).start()

    def echo(c):
        with c:
            while True:
                d = c.recv(65535)
                if not d and c.eof:
                    return
                c.send(prefix + d)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("mode,le", [("basic", False), ("ertm", False), ("le", True)])
def test_sdus_keep_their_boundaries(pair, mode, le):
    a, b = pair
    opts = dict(mode=mode, mtu=4000)
    ls = b.listen(0x80 if le else 0x1001, le=le, **opts)
    t = serve_echo(ls)
    peer = b.address + ("/le-public" if le else "")
    with a.connect(peer, ls.getsockname()[1], timeout=10, **opts) as ch:
        assert ch.getpeername() == (peer, ls.getsockname()[1])
        info = ch.info()
        assert info.mode == mode and info.mtu == 4000 and info.peer_mtu == 4000
        assert info.link == ("le-public" if le else "bredr")
        sizes = [1, 2, 100, 247, 248, 672, 1000, 3999, 4000, 3]
        for i, n in enumerate(sizes):
            ch.send(bytes([i]) * n)
        for i, n in enumerate(sizes):
            assert ch.recv(65535) == bytes([i]) * n  # exactly one SDU per recv
        ch.settimeout(0.05)
        with pytest.raises(socket.timeout):
            ch.recv(100)
    t.join(5)
    ls.close()


def test_recv_truncates_one_sdu_and_says_so(pair):
    a, b = pair
    ls = b.listen(0x1001, mtu=2000)
    with a.connect(b.address, 0x1001, mtu=2000) as ch:
        c, peer = ls.accept()
        assert peer == (a.address, 0x1001)
        ch.send(b"x" * 1000)
        ch.send(b"second")
        ch.send(b"third!")
        ch.send(b"")
        assert c.recv(10) == b"x" * 10          # the rest of that SDU is gone
        buf = bytearray(100)
        assert c.recv_into(buf, 3) == 3 and buf[:3] == b"sec"
        data, anc, flags, addr = c.recvmsg(100)
        assert data == b"third!" and flags & socket.MSG_EOR and not flags & socket.MSG_TRUNC
        assert c.recv(10) == b"" and not c.eof  # an empty SDU is not the end
        ch.send(b"y" * 50)
        data, anc, flags, addr = c.recvmsg(20)
        assert len(data) == 20 and flags & socket.MSG_TRUNC and addr == (a.address, 0x1001)
        c.close()
    ls.close()


def test_timeouts_and_non_blocking_calls(pair):
    a, b = pair
    ls = b.listen(0x1001)
    ls.settimeout(0.05)
    with pytest.raises(l2kit.timeout) as ei:
        ls.accept()
    assert isinstance(ei.value, TimeoutError) and isinstance(ei.value, OSError)
    ls.setblocking(False)
    assert ls.gettimeout() == 0.0 and not ls.getblocking()
    with pytest.raises(BlockingIOError) as ei:
        ls.accept()
    assert ei.value.errno == errno.EAGAIN
    ch = a.connect(b.address, 0x1001)
    assert select.select([ls], [], [], 10)[0] == [ls]  # a connection waits: readable
    c, _ = ls.accept()
    c.setblocking(False)
    with pytest.raises(BlockingIOError):
        c.recv(10)
    ch.send(b"now")
    assert select.select([c], [], [], 10)[0] == [c]
    assert c.recv(10) == b"now"
    with pytest.raises(BlockingIOError):
        c.recv(10)
    c.close()
    ch.close()
    ls.close()


def test_nonblocking_connect_finishes_through_the_descriptor(pair):
    a, b = pair
    ls = b.listen(0x1001)
    s = a.socket()
    s.setblocking(False)
    with pytest.raises(BlockingIOError) as ei:
        s.connect((b.address, 0x1001))
    assert ei.value.errno == errno.EINPROGRESS
    assert select.select([s], [], [], 10)[0] == [s]
    s.connect((b.address, 0x1001))  # finished: returns
    assert select.select([s], [], [], 0)[0] == []  # seen: only data makes it readable now
    assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
    with pytest.raises(OSError) as ei:
        s.connect((b.address, 0x1001))
    assert ei.value.errno == errno.EISCONN
    s.setblocking(True)
    s.send(b"hi")
    c, _ = ls.accept()
    assert c.recv(10) == b"hi"
    # as with TCP, sending right away (without looking at the outcome) waits for the connect
    s2 = a.socket()
    s2.setblocking(False)
    try:
        s2.connect((b.address, 0x1001))  # in progress (or, on a fast peer, done already)
    except BlockingIOError as e:
        assert e.errno == errno.EINPROGRESS
    s2.setblocking(True)
    s2.send(b"straight")
    c2, _ = ls.accept()
    assert c2.recv(10) == b"straight"
    for x in (c, c2, s, s2, ls):
        x.close()


def test_ten_channels_with_select_and_selectors(pair):
    a, b = pair
    ls = b.listen(0x1001, backlog=10)
    chans = [a.connect(b.address, 0x1001, timeout=10) for _ in range(10)]
    # the server: one selector over the listener and every accepted channel, no threads
    sel = selectors.DefaultSelector()
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    for i, ch in enumerate(chans):
        ch.send(b"ping %d" % i)
    echoed = 0
    got = {}
    deadline = time.monotonic() + 20
    while len(got) < 10:
        assert time.monotonic() < deadline, "echoes missing: %r" % got
        for key, _ in sel.select(0.01):
            s = key.fileobj
            if s is ls:
                c, _ = ls.accept()
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
            else:
                d = s.recv(100)
                if d:
                    s.send(b"echo " + d)
                    echoed += 1
        # the client: select over its ten channels
        for ch in select.select(chans, [], [], 0)[0]:
            got[chans.index(ch)] = ch.recv(100)
    assert echoed == 10
    assert got == {i: b"echo ping %d" % i for i in range(10)}
    for key in list(sel.get_map().values()):
        sel.unregister(key.fileobj)
        key.fileobj.close()
    for ch in chans:
        ch.close()


def test_send_larger_than_the_peers_mtu(pair):
    a, b = pair
    ls = b.listen(0x1001, mtu=100)
    with a.connect(b.address, 0x1001) as ch:
        with pytest.raises(OSError) as ei:
            ch.send(b"z" * 101)
        assert ei.value.errno == errno.EMSGSIZE and "peer's MTU (100)" in str(ei.value)
        assert ch.send(b"z" * 100) == 100
    ls.close()


def test_close_delivers_what_was_sent_then_the_end(pair):
    a, b = pair
    ls = b.listen(0x1001, mode="ertm")
    ch = a.connect(b.address, 0x1001, mode="ertm")
    for i in range(200):
        ch.send(bytes([i % 256]) * 600)
    ch.close()  # lingers: the SDUs still queued go out first
    c, _ = ls.accept()
    for i in range(200):
        assert c.recv(1000) == bytes([i % 256]) * 600
    assert c.recv(1000) == b"" and c.eof
    assert c.close_reason == l2kit.socket._lib.lib.l2k_close_reason_str(1).decode()
    with pytest.raises(l2kit.ResetError) as ei:
        c.send(b"late")
    assert isinstance(ei.value, ConnectionResetError) and ei.value.errno == errno.ECONNRESET
    c.close()
    assert ch.fileno() == -1
    with pytest.raises(OSError) as ei:
        ch.send(b"x")
    assert ei.value.errno == errno.EBADF
    ls.close()


def test_shutdown_then_send_is_a_broken_pipe(pair):
    a, b = pair
    ls = b.listen(0x1001)
    ch = a.connect(b.address, 0x1001)
    c, _ = ls.accept()
    ch.send(b"last words")
    ch.shutdown(socket.SHUT_RDWR)
    assert c.recv(100) == b"last words"
    assert c.recv(100) == b"" and c.eof
    with pytest.raises(BrokenPipeError) as ei:
        ch.send(b"more")
    assert isinstance(ei.value, l2kit.ShutdownError)
    for s in (c, ch, ls):
        s.close()


# ---- errors ---------------------------------------------------------------------------------------

def test_bad_transport():
    with pytest.raises(l2kit.TransportError) as ei:
        l2kit.Stack("nonsense:what")
    assert "nonsense:what" in str(ei.value)
    with pytest.raises(l2kit.TransportError) as ei:
        l2kit.Stack("tcp:127.0.0.1:1", ready_timeout=2)  # nobody listens there
    assert isinstance(ei.value, OSError) and "127.0.0.1:1" in str(ei.value)
    env = dict(os.environ)
    os.environ.pop("L2KIT_TRANSPORT", None)
    try:
        with pytest.raises(l2kit.TransportError) as ei:
            l2kit.Stack()
        assert "L2KIT_TRANSPORT" in str(ei.value)
    finally:
        os.environ.clear()
        os.environ.update(env)


def test_bad_address_and_bad_psm(pair):
    a, b = pair
    s = a.socket()
    with pytest.raises(ValueError, match="AA:BB:CC:DD:EE:FF"):
        s.connect(("00:11:22:33:44", 0x1001))
    with pytest.raises(ValueError, match="suffix"):
        s.connect((b.address + "/le-moon", 0x1001))
    with pytest.raises(TypeError):
        s.connect(b.address)
    with pytest.raises(l2kit.Error) as ei:  # BR/EDR PSMs are odd
        s.connect((b.address, 0x1000))
    assert ei.value.errno == errno.EINVAL and "invalid PSM" in str(ei.value)
    s.close()
    with pytest.raises(l2kit.Error) as ei:
        b.listen(0x1100)  # the upper octet must be even
    assert ei.value.errno == errno.EINVAL
    with pytest.raises(l2kit.Error) as ei:
        b.listen(0x100, le=True)  # LE SPSMs are 0x0001-0x00FF
    assert ei.value.errno == errno.EINVAL
    ls = b.listen(0x1001)
    with pytest.raises(l2kit.Error) as ei:
        b.listen(0x1001)
    assert ei.value.errno == errno.EADDRINUSE
    ls.close()


@pytest.mark.parametrize("le", [False, True])
def test_peer_refuses(pair, le):
    a, b = pair
    if le:
        b.advertise(True)
    target = b.address + ("/le-public" if le else "")
    with pytest.raises(l2kit.RefusedError) as ei:
        a.connect(target, 0x85 if le else 0x1003, timeout=10)  # nobody serves it
    e = ei.value
    assert isinstance(e, ConnectionRefusedError) and e.errno == errno.ECONNREFUSED
    assert e.result == 0x0002
    assert ("SPSM not supported" if le else "PSM not supported") in str(e)


def test_unreachable_peer(pair):
    a, b = pair
    with pytest.raises(l2kit.UnreachableError) as ei:
        a.connect("00:11:22:33:44:55", 0x1001, connect_timeout=0.3)
    assert isinstance(ei.value, ConnectionError) and ei.value.errno == errno.EHOSTUNREACH


def test_link_loss_ends_the_channel(pair):
    a, b = pair
    ls = b.listen(0x1001)
    ch = a.connect(b.address, 0x1001)
    c, _ = ls.accept()
    (link,) = b.links
    b.disconnect_link(link)
    assert ch.recv(100) == b"" and ch.eof  # the end of the stream
    assert ch.close_reason == "link lost"
    with pytest.raises(l2kit.LinkLostError) as ei:
        ch.send(b"x")
    assert isinstance(ei.value, ConnectionError) and ei.value.hci_status == 0x13
    assert "link lost (HCI 0x13: Remote User Terminated Connection)" in str(ei.value)
    for s in (c, ch, ls):
        s.close()


def test_closing_the_stack_closes_its_sockets(air):
    a = l2kit.Stack(air)
    b = l2kit.Stack(air)
    ls = b.listen(0x1001)
    ls2 = b.listen(0x1003)
    ch = a.connect(b.address, 0x1001)
    blocked = []

    def accept():
        try:
            ls2.accept()
        except OSError as e:
            blocked.append(e)
    t = threading.Thread(target=accept)
    t.start()
    b.close()  # the blocked accept ends (EBADF) and the stack goes
    t.join(10)
    assert not t.is_alive() and blocked[0].errno == errno.EBADF
    assert ls.fileno() == -1
    assert ch.recv(10) == b""  # the peer went away with its stack
    a.close()
    assert ch.fileno() == -1 and a.closed
    with pytest.raises(OSError):
        a.socket()


CTRL_C_SCRIPT = r"""
import sys, time, l2kit
st = l2kit.Stack(sys.argv[1])
ls = st.listen(0x1001)
print("accepting", flush=True)
try:
    ls.accept()
except KeyboardInterrupt:
    print("interrupted after %.3f s" % (time.monotonic() - float(sys.stdin.readline())), flush=True)
    raise
"""


def test_ctrl_c_interrupts_a_blocking_accept(air):
    p = subprocess.Popen([PYTHON, "-c", CTRL_C_SCRIPT, air], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        assert p.stdout.readline().strip() == "accepting"
        time.sleep(0.3)  # well inside the C call (any moment would do)
        t0 = time.monotonic()
        p.stdin.write("%f\n" % t0)
        p.stdin.flush()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    assert "KeyboardInterrupt" in err
    assert out.startswith("interrupted after ")
    # l2kit blocks at most 0.2 s in C between looks at Python's signal flag
    print(out.strip())
    assert float(out.split()[2]) < 2.0
