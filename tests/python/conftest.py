"""Fixtures of the l2kit Python package's tests: the package and library of this tree, unique
simulated airs, a vctrl on a free port.  Run with /usr/bin/python3 -m pytest tests/python
(tests/integration/python_pytest.sh does, in make check).  BUILD (default build) is the build
folder whose libl2kit and vctrl are used."""

import os
import subprocess
import sys
import time
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(REPO, os.environ.get("BUILD", "build"))
# The public header the package binds, as the build stages it for users (<l2kit/l2kit.h> under
# BUILD/include): the layout test compiles against it.
HEADER = os.environ.get("L2KIT_HEADER") or os.path.join(BUILD, "include", "l2kit", "l2kit.h")
PYTHON = sys.executable

sys.path.insert(0, os.path.join(REPO, "python"))
if "L2KIT_LIBRARY" not in os.environ:
    for name in ("libl2kit.so.0", "libl2kit.so", "l2kit.dll", "libl2kit.dylib"):
        if os.path.exists(os.path.join(BUILD, name)):
            os.environ["L2KIT_LIBRARY"] = os.path.join(BUILD, name)
            break

import l2kit  # noqa: E402  (after the library was chosen)


def child_env(**more):
    """The environment for a Python child process that imports this tree's package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(REPO, "python") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(more)
    return env


@pytest.fixture
def air():
    """A sim spec for a fresh air of its own (profile unlimited: no air time)."""
    return "sim:air=py-%s,profile=unlimited" % uuid.uuid4().hex[:12]


class Vctrl:
    def __init__(self, tmp, *args):
        self.log = os.path.join(tmp, "vctrl.log")
        portf = os.path.join(tmp, "port")
        exe = os.path.join(BUILD, "bin", "vctrl")
        if not os.access(exe, os.X_OK):
            pytest.fail("%s is not built (make tools)" % exe)
        self.proc = subprocess.Popen([exe, "--listen", "tcp:127.0.0.1:0", "--port-file", portf] + list(args),
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.monotonic() + 10
        while not (os.path.exists(portf) and open(portf).read().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("vctrl did not start: " + open(self.log).read())
            time.sleep(0.02)
        self.spec = "tcp:127.0.0.1:" + open(portf).read().strip()

    def controllers(self):
        """Addresses of the controllers vctrl made, in order."""
        out = []
        for line in open(self.log):
            if " connected (" in line and "controller " in line:
                out.append(line.rsplit("controller ", 1)[1].strip())
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def vctrl(tmp_path_factory):
    """A vctrl (dual mode, profile unlimited) on a free port: .spec is its transport."""
    v = Vctrl(str(tmp_path_factory.mktemp("vctrl")), "--type", "dual", "--profile", "unlimited")
    yield v
    v.stop()


@pytest.fixture(params=["sim", "vctrl"])
def transports(request, air, tmp_path):
    """Two transport specs that reach each other: the in-process simulator, or vctrl."""
    if request.param == "sim":
        yield air, air
    else:
        v = Vctrl(str(tmp_path), "--type", "dual", "--profile", "unlimited")
        try:
            yield v.spec, v.spec
        finally:
            v.stop()


@pytest.fixture
def pair(transports):
    """Two started stacks that reach each other (a connects, b serves)."""
    a = l2kit.Stack(transports[0])
    try:
        b = l2kit.Stack(transports[1])
    except BaseException:
        a.close()
        raise
    try:
        yield a, b
    finally:
        a.close()
        b.close()
