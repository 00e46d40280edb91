#!/usr/bin/env python3
"""The control protocol of docs/l2tester.md against kiut (tests/vm/kiut.c), inside the VM:
every request and every event, with l2kit's l2cat on the other controller (hci1, HCI user
channel) as the peer of the kernel's channels.

    kiut_check.py SOCKET L2CAT KERNEL_ADDR OUTDIR

Prints one line per check ("ok: ..." / "FAIL: ..."); exit status 1 when a check failed.
A test fixture run by tests/vm/scenario_l2tester.sh.
"""
import os
import re
import socket
import subprocess
import sys
import time

SOCK, L2CAT, K, OUT = sys.argv[1:5]
failed = 0


def check(cond, what):
    global failed
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failed = 1
    return cond


class Agent:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.events = []

    def _line(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return None
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def req(self, line, timeout=15):
        """The answer line to a request; events met meanwhile are kept."""
        self.s.sendall((line + "\n").encode())
        while True:
            ln = self._line(timeout)
            if ln is None:
                return "(no answer)"
            if ln.startswith("event "):
                self.events.append(ln)
                continue
            print("   %s -> %s" % (line if len(line) < 80 else line[:77] + "...", ln), flush=True)
            return ln

    def event(self, prefix, timeout=20):
        """The first event (kept or coming) that starts with prefix; None if none in time."""
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.startswith(prefix):
                    del self.events[i]
                    print("   " + (e if len(e) < 120 else e[:117] + "..."), flush=True)
                    return e
            left = end - time.monotonic()
            if left <= 0:
                return None
            ln = self._line(left)
            if ln is None:
                return None
            if ln.startswith("event "):
                self.events.append(ln)


def field(line, key):
    m = re.search(r"(?:^| )%s=(\S*)" % re.escape(key), line or "")
    return m.group(1) if m else None


def l2cat(args, stdin_data=None, hold=0, name="l2cat"):
    """l2cat on hci1; stdin is stdin_data then kept open hold seconds (the channel stays)."""
    out = open(os.path.join(OUT, name + ".out"), "wb")
    err = open(os.path.join(OUT, name + ".err"), "wb")
    cmd = [L2CAT, "-t", "hci1", "-v", "--btsnoop", os.path.join(OUT, name + ".btsnoop")] + args
    print("   $ " + " ".join(cmd), flush=True)
    sh = "printf '%s'; sleep %d" % (stdin_data or "", hold)
    feeder = subprocess.Popen(["sh", "-c", sh], stdout=subprocess.PIPE)
    p = subprocess.Popen(cmd, stdin=feeder.stdout, stdout=out, stderr=err)
    feeder.stdout.close()
    p.feeder = feeder
    p.outpath = out.name
    return p


def finish(p, timeout=30):
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.feeder.kill()
    p.feeder.wait()
    return p.returncode


def hexs(b):
    return b.hex()


a = Agent(SOCK)
L = None

# ---- hello, malformed requests -----------------------------------------------------------------
ans = a.req("hello")
check(ans.startswith("ok kiut 1 ") and field(ans, "addr") == K, "hello names protocol 1 and hci0's address %s" % K)
check(a.req("frobnicate") == "err unknown request frobnicate", "an unknown request is refused")
check(a.req("listen psm=4097 transport=bredr colour=red") == "err unknown key colour", "an unknown key is refused")
check(a.req("listen psm=4097 transport=bredr mode=basic mps=100").startswith("err not supported"),
      "mps= is not supported (the kernel chooses the MPS)")
check(a.req("listen psm=128 transport=le mode=le credits=3").startswith("err not supported"),
      "credits= is not supported (the kernel chooses the credits)")
check(a.req("listen psm=4097 transport=bredr accept=no").startswith("err not supported"),
      "accept=no is not supported")
check(a.req("listen psm=128 transport=le accept=4").startswith("err not supported"),
      "accept=4 is not supported (the kernel refuses LE channels with 0x0006 only)")
check(a.req("set defect=wrong-ident").startswith("err not supported"), "set defect= is not supported")
check(a.req("cl-listen psm=4097").startswith("err not supported"), "cl-listen is not supported (no SOCK_DGRAM)")
check(a.req("cl-send addr=00:11:22:33:44:55 psm=4097 hex=00").startswith("err not supported"),
      "cl-send is not supported (no SOCK_DGRAM)")
check(a.req("set pin=0000").startswith("err not supported"), "set pin= is not supported (bluetoothd's agent)")
check(a.req("set io=display-yesno").startswith("err not supported"), "set io= is not supported (bluetoothd's agent)")
check(a.req("unpair addr=00:11:22:33:44:55 transport=bredr").startswith("err unknown request"),
      "unpair is not known")
check(a.req("set colour=red") == "err unknown setting", "an unknown setting")
check(a.req("send chan=9 hex=00") == "err no such chan", "send on no channel")
check(a.req("unlisten psm=4099 transport=bredr").startswith("err not listening"), "unlisten of nothing")
check(a.req("listen psm=4097 transport=bredr mode=basic mtu=47").startswith("err setsockopt L2CAP_OPTIONS"),
      "an MTU below 48 is refused by the kernel")
check(a.req("listen psm=4097 transport=bredr mode=retrans").startswith("err not supported"),
      "mode=retrans is not supported (the kernel has no legacy modes)")
check(a.req("listen psm=4097 transport=bredr mode=ertm flush-timeout=100").startswith("err not supported"),
      "a finite flush-timeout= is not supported (the kernel never proposes one)")
check(a.req("listen psm=4097 transport=bredr mode=ertm ext-window=yes window=10").startswith("err not supported"),
      "ext-window=yes with a window of 63 or less is not supported")
check(a.req("listen psm=4097 transport=bredr mode=ertm fcs=2") == "err bad fcs '2' (0 or 1)", "fcs=2 is refused")
check(a.req("listen psm=4097 transport=bredr mode=ertm required=maybe") == "err required= yes or no",
      "required=maybe is refused")
check(a.req("listen psm=4097 transport=bredr mode=ertm required=yes").startswith("err not supported"),
      "required=yes (ERTM) is not supported (the kernel clears CONF_STATE2_DEVICE: no mandatory mode)")
check(a.req("connect addr=00:11:22:33:44:55 transport=bredr psm=4097 mode=streaming required=yes")
      .startswith("err not supported"), "required=yes (Streaming) is not supported")
check(a.req("listen psm=4097 transport=bredr mode=basic required=yes") == "ok", "required=yes for Basic: ok")
check(a.req("unlisten psm=4097 transport=bredr") == "ok", "unlisten after the Basic listen")
check(a.req("busy chan=9 on=yes") == "err no such chan", "busy on no channel")

# ---- BR/EDR: the tester's side connects to a listening kernel socket ----------------------------
check(a.req("listen psm=4097 transport=bredr mode=basic mtu=500") == "ok", "listen BR/EDR basic, MTU 500")
p = l2cat([K, "0x1001"], "hello-kernel", hold=40, name="l2cat-bredr-connect")
e = a.event("event link-up", 40)
check(e and field(e, "addr") == os.environ.get("L2K_ADDR", field(e, "addr")) and (field(e, "handle") or "").isdigit(),
      "event link-up names l2cat's address and the handle")
e = a.event("event open", 40)
check(e and field(e, "mode") == "basic" and field(e, "mtu") == "500" and field(e, "peer-mtu") == "672",
      "event open: basic, mtu 500 (ours), peer-mtu 672 (l2cat's)")
ch = field(e, "chan") or "0"
e = a.event("event data", 20)
check(e and field(e, "hex") == hexs(b"hello-kernel") and field(e, "len") == "12", "event data: the SDU l2cat sent")
check(a.req("send chan=%s hex=%s" % (ch, hexs(b"hello-l2cat"))) == "ok", "send an SDU")
check(a.req("credits chan=%s n=1" % ch).startswith("err not supported"), "credits are not supported")
check(a.req("busy chan=%s on=yes" % ch).startswith("err not supported"), "busy is not supported")
# the address of l2cat's controller: the peer of the link
time.sleep(2)
with open(p.outpath, "rb") as f:
    check(f.read() == b"hello-l2cat", "l2cat received the SDU")
L = os.environ.get("L2K_ADDR")
if L:
    check(a.req("echo addr=%s hex=c0ffee" % L) == "ok", "echo request sent")
    e = a.event("event echo", 15)
    check(e and field(e, "err") == "0" and field(e, "hex") == "c0ffee", "event echo: the data came back")
check(a.req("disconnect chan=%s" % ch) == "ok", "disconnect")
e = a.event("event closed chan=%s" % ch, 5)
check(e and field(e, "reason") == "local", "event closed reason=local")
finish(p)
e = a.event("event link-down", 20)
check(e is not None and field(e, "reason") is not None, "event link-down when l2cat's stack ends the link")

# ---- the peer ends the channel ------------------------------------------------------------------
p = l2cat([K, "0x1001"], "bye", hold=0, name="l2cat-bredr-remote")
e = a.event("event open", 40)
ch = field(e, "chan") or "0"
e = a.event("event data chan=%s" % ch, 20)
check(e and field(e, "hex") == hexs(b"bye"), "event data before the end")
e = a.event("event closed chan=%s" % ch, 20)
check(e and field(e, "reason") == "remote", "event closed reason=remote when l2cat disconnects")
finish(p)
a.event("event link-down", 20)
check(a.req("unlisten psm=4097 transport=bredr") == "ok", "unlisten")

# ---- BR/EDR: the kernel connects (ERTM), a refused PSM --------------------------------------------
if L:
    p = l2cat(["-m", "ertm", "-l", "0x1003"], "to-kernel", hold=60, name="l2cat-bredr-listen")
    time.sleep(3)
    # the mode options: L2CAP_OPTIONS fcs, txwin_size, max_tx
    ans = a.req("connect addr=%s transport=bredr psm=0x1003 mode=ertm mtu=600 fcs=0 window=10 max-transmit=5 "
                "required=no" % L)
    check(ans.startswith("ok chan="), "connect answers ok chan=N at once")
    ch = field(ans, "chan")
    e = a.event("event open chan=%s" % ch, 40)
    check(e and field(e, "mode") == "ertm" and field(e, "mtu") == "600", "event open: ertm, mtu 600")
    check(e and (field(e, "mps") or "0") != "0" and (field(e, "mps") or "").isdigit() and
          (field(e, "peer-mps") or "0") != "0" and (field(e, "peer-mps") or "").isdigit(),
          "event open: ertm mps and peer-mps from the configuration's RFC options")
    e = a.event("event data chan=%s" % ch, 20)
    check(e and field(e, "hex") == hexs(b"to-kernel"), "event data: l2cat's SDU")
    check(a.req("send chan=%s hex=%s" % (ch, hexs(b"ertm-sdu"))) == "ok", "send on ERTM")
    ans = a.req("connect addr=%s transport=bredr psm=0x1005 mode=basic" % L)
    ch2 = field(ans, "chan")
    e = a.event("event closed chan=%s" % ch2, 30)
    check(e and field(e, "reason") == "refused" and field(e, "result") == "2",
          "a PSM nobody serves: event closed reason=refused result=2 (PSM not supported)")
    time.sleep(2)
    check(a.req("reset") == "ok", "reset closes every channel")
    finish(p)
    with open(p.outpath, "rb") as f:
        check(f.read() == b"ertm-sdu", "l2cat received the ERTM SDU")
    # the kernel's Configuration Request (the first with MTU 600) carries the options asked
    try:
        dec = subprocess.run(["btmon", "-r", os.path.join(OUT, "l2cat-bredr-listen.btsnoop")],
                             capture_output=True, text=True, timeout=60).stdout
    except Exception as ex:
        dec = "btmon: %s" % ex
    req = dec[dec.find("MTU: 600"):][:900]
    check("TX window size: 10" in req and "Max transmit: 5" in req and "FCS: No FCS" in req,
          "the kernel's Configuration Request: TX window 10, MaxTransmit 5, no FCS")
    a.event("event link-down", 20)

# ---- LE credit based and enhanced credit based: l2cat connects --------------------------------------
for mode, psm in (("le", 0x80), ("ecfc", 0x81)):
    ans = a.req("listen psm=%d transport=le mode=%s mtu=300" % (psm, mode))
    check(ans == "ok", "listen LE %s, MTU 300" % mode)
    if ans != "ok":
        continue
    # one credit at a time from l2cat: kiut queues what the kernel has no credits for
    p = l2cat(["-m", mode, "--mtu", "200", "--credits", "1", K + "/le-public", str(psm)], "le-" + mode, hold=40,
              name="l2cat-" + mode)
    e = a.event("event open", 40)
    check(e and field(e, "mode") == mode and field(e, "mtu") == "300" and field(e, "peer-mtu") == "200",
          "event open: %s, mtu 300, peer-mtu 200" % mode)
    check(e and (field(e, "mps") or "").isdigit() and (field(e, "peer-mps") or "").isdigit(),
          "event open: mps and peer-mps from the signaling")
    ch = field(e, "chan") or "0"
    e = a.event("event data chan=%s" % ch, 20)
    check(e and field(e, "hex") == hexs(("le-" + mode).encode()), "event data over %s" % mode)
    check(all(a.req("send chan=%s hex=%s" % (ch, hexs(x))) == "ok" for x in (b"from-kernel", b"-2", b"-3")),
          "send 3 SDUs over %s" % mode)
    check(a.req("echo addr=00:00:00:00:00:00") == "err addr= missing or bad", "echo to 00:00:00:00:00:00 is refused")
    time.sleep(2)
    check(a.req("disconnect chan=%s" % ch) == "ok", "disconnect %s" % mode)
    finish(p)
    with open(p.outpath, "rb") as f:
        check(f.read() == b"from-kernel-2-3", "l2cat received the 3 SDUs in order over %s" % mode)
    a.event("event link-down", 20)
    a.req("unlisten psm=%d transport=le" % psm)

# ---- accept=6 on LE: the kernel refuses (Insufficient Authorization) ---------------------------
check(a.req("listen psm=130 transport=le mode=le accept=6") == "ok", "listen LE accept=6")
p = l2cat(["-m", "le", "-w", "8000", K + "/le-public", "130"], "x", hold=10, name="l2cat-refused")
rc = finish(p, 40)
with open(os.path.join(OUT, "l2cat-refused.err"), "rb") as f:
    err = f.read().decode(errors="replace")
check(rc != 0 and "0x0006" in err, "l2cat was refused with 0x0006 (exit %s)" % rc)
a.event("event link-down", 20)
a.req("unlisten psm=130 transport=le")

# ---- accept=pending: the kernel defers, the peer waits ----------------------------------------
check(a.req("listen psm=4097 transport=bredr mode=basic accept=pending") == "ok", "listen accept=pending")
p = l2cat(["-w", "4000", K, "0x1001"], "x", hold=10, name="l2cat-pending")
rc = finish(p, 40)
check(rc != 0 and a.event("event open", 1) is None, "a deferred channel never opens (l2cat timed out: exit %s)" % rc)
a.event("event link-down", 20)

check(a.req("quit") == "ok", "quit")
print("kiut_check: %s" % ("PASS" if not failed else "FAIL"), flush=True)
sys.exit(failed)
