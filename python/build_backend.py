"""A PEP 517 build backend in the standard library only, so that ``pip install`` of the l2kit
package needs nothing from the network (setuptools' backend wants the ``wheel`` package, which
a fresh venv lacks).  It packs l2kit/*.py and, when ``make python`` put it there, the shared
library next to them into a wheel (platform-specific then, pure Python otherwise)."""

import base64
import hashlib
import io
import os
import sysconfig
import tarfile
import zipfile

NAME = "l2kit"
VERSION = "0.1.0"
SUMMARY = "Bluetooth L2CAP channels from Python over l2kit's user-space stack"
LIBRARIES = ("libl2kit.so.0", "libl2kit.so", "l2kit.dll", "libl2kit.dylib")
HERE = os.path.dirname(os.path.abspath(__file__))


def _files():
    pkg = os.path.join(HERE, NAME)
    out = []
    for f in sorted(os.listdir(pkg)):
        if f.endswith(".py") or f in LIBRARIES:
            out.append(("%s/%s" % (NAME, f), os.path.join(pkg, f)))
    return out


def _metadata():
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nLicense: MIT\n"
            "Requires-Python: >=3.8\n" % (NAME, VERSION, SUMMARY)).encode()


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = _files()
    native = any(os.path.basename(p) in LIBRARIES for _, p in files)
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_") if native else "any"
    tag = "py3-none-" + plat
    name = "%s-%s-%s.whl" % (NAME, VERSION, tag)
    info = "%s-%s.dist-info" % (NAME, VERSION)
    wheel = ("Wheel-Version: 1.0\nGenerator: l2kit build_backend\nRoot-Is-Purelib: %s\nTag: %s\n"
             % ("false" if native else "true", tag)).encode()
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        def add(arc, data, mode=0o644):
            zi = zipfile.ZipInfo(arc, date_time=(2026, 1, 1, 0, 0, 0))
            zi.external_attr = mode << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            record.append("%s,%s,%d" % (arc, _digest(data), len(data)))
        for arc, path in files:
            with open(path, "rb") as f:
                add(arc, f.read(), 0o755 if os.path.basename(path) in LIBRARIES else 0o644)
        add(info + "/METADATA", _metadata())
        add(info + "/WHEEL", wheel)
        add(info + "/top_level.txt", (NAME + "\n").encode())
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", date_time=(2026, 1, 1, 0, 0, 0)),
                   ("\n".join(record) + "\n").encode())
    return name


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ("pyproject.toml", "build_backend.py"):
            t.add(os.path.join(HERE, rel), base + "/" + rel)
        for arc, path in _files():
            if os.path.basename(path) not in LIBRARIES:
                t.add(path, base + "/" + arc)
        pkg_info = _metadata()
        ti = tarfile.TarInfo(base + "/PKG-INFO")
        ti.size = len(pkg_info)
        t.addfile(ti, io.BytesIO(pkg_info))
    return name
