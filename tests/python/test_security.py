"""Security from Python: l2kit.Security options, the agent (a function on a thread of its own),
channels at a security level, Stack.pair, link_security, bonds in a key file, legacy PIN
pairing, auto-accept without an agent, and the errors of a pairing that fails.  Over the
in-process simulator (whose controllers pair as real ones do: Secure Simple Pairing, Secure
Connections, the HCI events of each association model) and over vctrl."""

import os
import threading
import uuid

import pytest

import l2kit
from l2kit import _lib


class Agent:
    """Records every question and answers as told: confirm/just-works/authorize with `yes`,
    passkey entry with what `passkey()` returns, PIN with `pin`."""

    def __init__(self, yes=True, passkey=None, pin=None):
        self.yes = yes
        self.passkey = passkey or (lambda: None)
        self.pin = pin
        self.asked = []
        self.threads = set()

    def __call__(self, req):
        self.asked.append(req)
        self.threads.add(threading.current_thread().name)
        if req.ask == "passkey-entry":
            return self.passkey()
        if req.ask == "pin":
            return self.pin
        return self.yes

    def asks(self):
        return [r.ask for r in self.asked]


def spec(air, addr):
    return "%s,addr=%s" % (air, addr)


A_ADDR, B_ADDR = "00:AA:01:00:00:0A", "00:AA:01:00:00:0B"


@pytest.fixture
def specs(request, tmp_path):
    """Two transport specs that reach each other, with fixed addresses (a bond names them)."""
    if request.param == "sim":
        air = "sim:air=pysec-%s,profile=unlimited" % uuid.uuid4().hex[:12]
        yield spec(air, A_ADDR), spec(air, B_ADDR)
    else:
        from conftest import Vctrl
        v = Vctrl(str(tmp_path), "--type", "dual", "--profile", "unlimited")
        try:
            yield v.spec, v.spec
        finally:
            v.stop()


def serve_one(listener, out):
    def run():
        try:
            c, peer = listener.accept()
        except OSError as e:
            out.append(e)
            return
        out.append(c)
        with c:
            while True:
                d = c.recv(65535)
                if not d and c.eof:
                    return
                c.send(d)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_options_are_checked():
    with pytest.raises(ValueError, match="io_cap"):
        l2kit.Security("telepathy")
    with pytest.raises(ValueError, match="min_key_size"):
        l2kit.Security(min_key_size=6)
    with pytest.raises(ValueError, match="passkey"):
        l2kit.Security(passkey=1000000)
    with pytest.raises(ValueError, match="PIN"):
        l2kit.Security(pin="")
    with pytest.raises(TypeError, match="Security"):
        l2kit.Stack("sim:air=pysec-none", security={"io_cap": "yesno"})
    with pytest.raises(TypeError, match="agent"):
        l2kit.Stack("sim:air=pysec-none", agent="yes")


def test_security_options_reach_the_c_structure(tmp_path):
    key_file = str(tmp_path / "keys")
    o = l2kit.Security("keyboard-display", bonding=False, key_file=key_file, sc_only=True,
                       min_key_size=16, auto_accept=True, passkey=123456, pin="0000")._opts()
    assert o.io_cap == _lib.IO_KEYBOARD_DISPLAY and o.no_bonding and o.sc_only
    assert o.min_key_size == 16 and o.auto_accept and o.passkey == 123456 and o.pin == b"0000"
    assert o.key_file == os.fsencode(key_file) and not o.legacy_pairing and not o.debug_keys
    d = l2kit.Security()._opts()
    assert d.io_cap == _lib.IO_NO_INPUT_NO_OUTPUT and not d.no_bonding and d.min_key_size == 7
    assert not d.key_file and not d.auto_accept


@pytest.mark.parametrize("level,want", [("none", 0), ("low", 1), ("medium", 2), ("HIGH", 3),
                                        ("fips", 4), (3, 3)])
def test_sec_level_names(air, level, want):
    with l2kit.Stack(air) as st:
        sk = st.socket(sec_level=level)
        assert sk._opts.sec_level == want
        sk.close()


@pytest.mark.parametrize("bad", ["secret", 5, -1])
def test_sec_level_out_of_range(air, bad):
    with l2kit.Stack(air) as st:
        with pytest.raises(ValueError):
            st.socket(sec_level=bad)


@pytest.mark.parametrize("specs", ["sim", "vctrl"], indirect=True)
def test_channel_at_level_high_with_numeric_comparison(specs):
    aa, ba = Agent(), Agent()
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno"), agent=aa) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno"), agent=ba) as b:
        paired = []
        a.on_paired = lambda addr, err: paired.append((addr, err))
        ls = b.listen(0x1001, sec_level="high")
        got = []
        t = serve_one(ls, got)
        with a.connect(b.address, 0x1001, timeout=20, sec_level="high") as ch:
            ch.send(b"secret" * 100)
            assert ch.recv(4096) == b"secret" * 100
            for st in (a, b):
                sec = st.link_security(st.links[0])
                assert sec.encrypted and sec.authenticated and sec.secure_connections
                assert sec.key_size == 16 and sec.level in ("high", "fips") and sec.bonded
            assert a.link_security(b.address) == a.link_security(a.links[0])
        t.join(10)
        # both sides were asked to compare the same six-digit number, on the agent's thread
        assert aa.asks() == ["confirm"] and ba.asks() == ["confirm"]
        assert aa.asked[0].value == ba.asked[0].value and 0 <= aa.asked[0].value <= 999999
        assert aa.asked[0].address == b.address and ba.asked[0].address == a.address
        assert aa.threads == {"l2kit-agent"}
        assert paired == [(b.address, None)]
        assert [x.address for x in a.bonds()] == [b.address]
        bond = a.bonds()[0]
        assert bond.type == "bredr" and bond.link_key and bond.authenticated and bond.key_size == 16


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_agent_that_says_no_fails_the_channel(specs):
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno"), agent=Agent(yes=False)) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno"), agent=Agent()) as b:
        ls = b.listen(0x1001, sec_level="high")
        with pytest.raises(l2kit.AuthenticationError) as ei:
            a.connect(b.address, 0x1001, timeout=20, sec_level="high")
        assert isinstance(ei.value, PermissionError) and "security" in str(ei.value)
        assert ei.value.code == _lib.L2K_EAUTH
        assert a.bonds() == [] and b.bonds() == []
        ls.close()


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_acceptor_refuses_with_security_block_when_pairing_fails(specs):
    # a asks for nothing (not even Security Mode 4's level 2, which would make a pair first and
    # fail there); b's service needs level high and b's agent refuses the pairing
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno", no_mode4=True), agent=Agent()) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno"), agent=Agent(yes=False)) as b:
        ls = b.listen(0x1001, sec_level="high")
        got = []
        serve_one(ls, got)
        with pytest.raises(l2kit.RefusedError) as ei:
            a.connect(b.address, 0x1001, timeout=20)
        assert ei.value.result == _lib.RESULT_SECURITY_BLOCK and "security block" in str(ei.value)
        ls.close()


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_an_agent_that_raises_refuses(specs, capsys):
    def broken(req):
        raise RuntimeError("agent bug")
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno"), agent=broken) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno"), agent=Agent()) as b:
        b.listen(0x1001, sec_level="high")
        with pytest.raises(l2kit.AuthenticationError):
            a.connect(b.address, 0x1001, timeout=20, sec_level="high")
    assert "agent bug" in capsys.readouterr().err


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_passkey_entry(specs):
    shown = threading.Event()
    value = []

    def display(req):
        if req.ask == "passkey-display":
            value.append(req.value)
            shown.set()
        return True

    def keyboard():
        assert shown.wait(10)
        return value[0]
    kb = Agent(passkey=keyboard)
    with l2kit.Stack(specs[0], security=l2kit.Security("keyboard"), agent=kb) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("display"), agent=display) as b:
        a.pair(b.address, timeout=20)
        # pairing authenticates and bonds; it does not encrypt (a channel's level or secure() do)
        assert [(x.address, x.authenticated) for x in a.bonds()] == [(b.address, True)]
        assert [(x.address, x.authenticated) for x in b.bonds()] == [(a.address, True)]
        assert kb.asks() == ["passkey-entry"]


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_wrong_passkey_fails_pair(specs):
    with l2kit.Stack(specs[0], security=l2kit.Security("keyboard"),
                     agent=Agent(passkey=lambda: 1)) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("display"), agent=Agent()) as b:
        with pytest.raises(l2kit.AuthenticationError, match="pairing with %s failed" % b.address):
            a.pair(b.address, timeout=20)
        assert a.bonds() == []


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_legacy_pin_pairing(specs):
    aa, ba = Agent(pin="4321"), Agent(pin="4321")
    sec_opts = dict(legacy_pairing=True)
    with l2kit.Stack(specs[0], security=l2kit.Security(**sec_opts), agent=aa) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security(**sec_opts), agent=ba) as b:
        got = []
        serve_one(b.listen(0x1001, sec_level="medium"), got)
        with a.connect(b.address, 0x1001, timeout=20, sec_level="medium") as ch:
            ch.send(b"pin")
            assert ch.recv(10) == b"pin"
            sec = a.link_security(a.links[0])
            assert sec.encrypted and not sec.secure_connections
        assert aa.asks() == ["pin"] and ba.asks() == ["pin"]


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_auto_accept_without_an_agent(specs):
    auto = l2kit.Security("yesno", auto_accept=True)
    with l2kit.Stack(specs[0], security=auto) as a, l2kit.Stack(specs[1], security=auto) as b:
        assert a.pair(b.address, timeout=20).authenticated
    # without auto_accept and without an agent, numeric comparison is refused
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno")) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno")) as b:
        with pytest.raises(l2kit.AuthenticationError):
            a.pair(b.address, timeout=20)


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_bonds_persist_in_the_key_file_and_can_be_removed(specs, tmp_path):
    ka, kb = str(tmp_path / "a.keys"), str(tmp_path / "b.keys")
    aa = Agent()
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno", key_file=ka), agent=aa) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno", key_file=kb), agent=Agent()) as b:
        assert a.pair(b.address, timeout=20).bonded
        assert [x.address for x in b.bonds()] == [a.address]
    assert os.stat(ka).st_mode & 0o777 == 0o600
    # new stacks, same keys: a level-high channel opens without asking anyone
    aa2, ba2 = Agent(), Agent()
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno", key_file=ka), agent=aa2) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno", key_file=kb), agent=ba2) as b:
        assert [x.address for x in a.bonds()] == [b.address]
        securities = []
        a.on_security = lambda link, sec: securities.append((link, sec))
        got = []
        serve_one(b.listen(0x1001, sec_level="high"), got)
        with a.connect(b.address, 0x1001, timeout=20, sec_level="high") as ch:
            ch.send(b"again")
            assert ch.recv(10) == b"again"
        assert aa2.asked == [] and ba2.asked == []
        assert securities and securities[-1][1].encrypted and securities[-1][0].address == b.address
        a.remove_bond(b.address)
        assert a.bonds() == []
        with pytest.raises(KeyError):
            a.remove_bond(b.address)
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno", key_file=ka)) as a:
        assert a.bonds() == []


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_out_of_band_pairing(specs):
    with l2kit.Stack(specs[0], security=l2kit.Security("noio"), agent=Agent()) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("noio"), agent=Agent()) as b:
        ob = b.oob_local()
        assert len(ob["c256"]) == 16 and len(ob["r256"]) == 16
        a.oob_remote(b.address, ob)
        b.oob_remote(a.address, a.oob_local())
        sec = a.pair(b.address, timeout=20)
        # without a wish for MITM protection (as BlueZ, l2kit asks it only where the IO
        # capabilities can give it) the OOB pairing is P-256 but unauthenticated ...
        assert sec.encrypted and sec.secure_connections and not sec.authenticated
        # ... raising the link to "high" pairs again with MITM protection, which OOB data gives
        # even with no input or output
        sec = a.secure(b.address, "high", timeout=20)
        assert sec.authenticated and sec.secure_connections and sec.level in ("high", "fips")
        with pytest.raises(ValueError):
            a.oob_remote(b.address, {"c256": b"short"})
        a.oob_remote(b.address, None)


def test_pair_with_nobody_fails(air):
    with l2kit.Stack(air) as a:
        with pytest.raises((l2kit.UnreachableError, l2kit.Timeout)):
            a.pair("00:AA:01:00:00:99", timeout=10)


@pytest.mark.parametrize("specs", ["sim", "vctrl"], indirect=True)
def test_le_credit_channel_at_level_high(specs):
    # LE Secure Connections numeric comparison through SMP, then an LE credit based channel
    aa, ba = Agent(), Agent()
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno"), agent=aa) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("yesno"), agent=ba) as b:
        ls = b.listen(0x81, le=True, sec_level="high")
        got = []
        t = serve_one(ls, got)
        peer = b.address + "/le-public"
        with a.connect(peer, 0x81, timeout=20, sec_level="high") as ch:
            ch.send(b"le secret")
            assert ch.recv(100) == b"le secret"
            sec = a.link_security(ch.info().handle)
            assert sec == a.link_security(peer)
            assert sec.encrypted and sec.authenticated and sec.secure_connections
            assert sec.key_size == 16 and sec.level in ("high", "fips")
        t.join(10)
        assert aa.asks() == ["confirm"] and ba.asks() == ["confirm"]
        assert aa.asked[0].value == ba.asked[0].value
        assert aa.asked[0].address == peer
        bonds = a.bonds()
        assert [(x.address, x.type, x.ltk) for x in bonds] == [(peer, "le-public", True)]


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_secure_refuses_high_with_just_works_only(specs):
    # no input or output on one side: only Just Works is possible, which "high" refuses
    with l2kit.Stack(specs[0], security=l2kit.Security("yesno"), agent=Agent()) as a, \
            l2kit.Stack(specs[1], security=l2kit.Security("noio"), agent=Agent()) as b:
        link = a.connect_link(b.address, 10)
        assert a.secure(link, "low").level == "low"  # nothing to do
        with pytest.raises(l2kit.AuthenticationError) as ei:
            a.secure(link, "high", timeout=20)
        assert ei.value.code in (_lib.L2K_EAUTH,)
        sec = a.secure(link, "medium", timeout=20)  # Just Works gives medium
        assert sec.encrypted and not sec.authenticated and sec.level == "medium"
        with pytest.raises(ValueError):
            a.secure(link, "secret")


CALLBACK_CALLS_L2KIT = """
import sys, threading, l2kit
A, B = sys.argv[1:3]

def agent(yes):
    return lambda req: yes if req.ask != "passkey-entry" else None

seen = []
told = threading.Event()
with l2kit.Stack(A, security=l2kit.Security("yesno"), agent=agent(False)) as a, \\
        l2kit.Stack(B, security=l2kit.Security("yesno"), agent=agent(True)) as b:
    def on_paired(address, err):
        seen.append((address, err, a.link_security(address)))  # l2kit, from the report
        told.set()
    a.on_paired = on_paired
    b.advertise(True)
    peer = b.address + "/le-public"
    link = a.connect_link(peer, 10)
    try:
        a.secure(link, "high", timeout=20)
    except l2kit.AuthenticationError:
        pass
    assert told.wait(10)
    address, err, sec = seen[0]
    assert len(seen) == 1 and address == peer and isinstance(err, l2kit.AuthenticationError)
    assert not sec.encrypted
print("OK")
"""


@pytest.mark.parametrize("specs", ["sim"], indirect=True)
def test_callbacks_may_call_l2kit_when_our_agent_refuses(specs):
    # LE: our agent's refusal ends the pairing inside its answer (SMP Pairing Failed at once);
    # on_paired, which hears of it, may still call l2kit: no deadlock on the stack's lock,
    # which the answer held.  In a child process: a deadlock there is a failure, not a hang.
    import subprocess
    from conftest import PYTHON, child_env
    try:
        p = subprocess.run([PYTHON, "-c", CALLBACK_CALLS_L2KIT, specs[0], specs[1]], capture_output=True,
                           text=True, env=child_env(), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("deadlock: on_paired calling l2kit after our agent refused")
    assert p.returncode == 0 and p.stdout.strip() == "OK", p.stdout + p.stderr


def test_a_malformed_key_file_keeps_the_stack_from_opening(air, tmp_path):
    bad = tmp_path / "keys"
    bad.write_text("[00:AA:01:00:00:02 bredr]\nbogus = 1\n")
    with pytest.raises(l2kit.TransportError, match="line 2"):
        l2kit.Stack(air, security=l2kit.Security(key_file=str(bad)))
    assert bad.read_text() == "[00:AA:01:00:00:02 bredr]\nbogus = 1\n"  # not overwritten
