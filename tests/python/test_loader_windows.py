"""The package's loader on Windows (python/l2kit/_lib.py), tested on Linux with the Windows file
names: sys.platform is made Windows', ctypes.CDLL and os.add_dll_directory are
recorded instead of called, and a temporary folder plays the package's folder and the source
tree.  What must hold: l2kit.dll (and no Linux name) is looked for in $L2KIT_LIBRARY only when
set, else beside the package, then in the tree's build-win/ and build/, then on PATH
(find_library); the folder of the DLL is put on the DLL search path before it is loaded (for
libgcrypt-20.dll and libgpg-error-0.dll beside it); and when nothing loads the error names every
path tried, the missing libgcrypt DLLs, and how to build it."""

import ctypes
import ctypes.util
import os
import sys

import pytest

from l2kit import _lib


class Recorder:
    """Stands for ctypes.CDLL and os.add_dll_directory: records the calls; loads only `good`."""

    def __init__(self, good=None):
        self.good = good
        self.loaded = []
        self.dll_dirs = []

    def cdll(self, path, *args, **kw):
        self.loaded.append(path)
        if path == self.good:
            return "lib:" + path
        raise OSError("[WinError 126] The specified module could not be found")

    def add_dll_directory(self, path):
        self.dll_dirs.append(path)
        return object()


@pytest.fixture
def windows(monkeypatch, tmp_path):
    """A Windows-looking interpreter whose package folder is tmp/src/python/l2kit."""
    pkg = tmp_path / "src" / "python" / "l2kit"
    pkg.mkdir(parents=True)
    # (sys.platform only: with os.name "nt", pathlib and pytest's own reporting break here)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(_lib, "_HERE", str(pkg))
    monkeypatch.delenv("L2KIT_LIBRARY", raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    rec = Recorder()
    monkeypatch.setattr(ctypes, "CDLL", rec.cdll)
    monkeypatch.setattr(os, "add_dll_directory", rec.add_dll_directory, raising=False)
    monkeypatch.setattr(_lib, "_dll_dirs", [])
    return pkg, tmp_path / "src", rec


def test_windows_names_and_order(windows):
    pkg, root, rec = windows
    assert _lib.library_names() == ("l2kit.dll",)
    assert list(_lib.candidates()) == [
        str(pkg / "l2kit.dll"),
        str(root / "build-win" / "l2kit.dll"),
        str(root / "build" / "l2kit.dll"),
    ]


def test_windows_path_is_searched_last(windows, monkeypatch):
    pkg, root, rec = windows
    monkeypatch.setattr(ctypes.util, "find_library",
                        lambda name: "C:\\l2kit\\l2kit.dll" if name == "l2kit" else None)
    assert list(_lib.candidates())[-1] == "C:\\l2kit\\l2kit.dll"


def test_environment_variable_is_the_only_candidate(windows, monkeypatch, tmp_path):
    pkg, root, rec = windows
    dll = tmp_path / "elsewhere" / "l2kit.dll"
    monkeypatch.setenv("L2KIT_LIBRARY", str(dll))
    assert list(_lib.candidates()) == [str(dll)]


def test_dll_beside_the_package_loads_with_its_folder_on_the_search_path(windows):
    pkg, root, rec = windows
    (pkg / "l2kit.dll").write_bytes(b"MZ")
    rec.good = str(pkg / "l2kit.dll")
    lib, path = _lib._load()
    assert path == str(pkg / "l2kit.dll")
    assert rec.loaded == [str(pkg / "l2kit.dll")]
    assert rec.dll_dirs == [str(pkg)]
    assert len(_lib._dll_dirs) == 1


def test_build_win_is_tried_after_the_package(windows):
    pkg, root, rec = windows
    bw = root / "build-win"
    bw.mkdir()
    (bw / "l2kit.dll").write_bytes(b"MZ")
    rec.good = str(bw / "l2kit.dll")
    lib, path = _lib._load()
    assert path == str(bw / "l2kit.dll")
    assert rec.dll_dirs == [str(bw)]


def test_no_linux_names_on_windows(windows):
    pkg, root, rec = windows
    (pkg / "libl2kit.so.0").write_bytes(b"\x7fELF")
    with pytest.raises(ImportError):
        _lib._load()
    assert rec.loaded == []


def test_clear_error_when_nothing_loads(windows):
    pkg, root, rec = windows
    bw = root / "build-win"
    bw.mkdir()
    (bw / "l2kit.dll").write_bytes(b"MZ")  # present but not loadable, and no libgcrypt beside it
    with pytest.raises(ImportError) as e:
        _lib._load()
    msg = str(e.value)
    assert str(pkg / "l2kit.dll") + " (absent)" in msg
    assert str(bw / "l2kit.dll") + " ([WinError 126]" in msg
    assert "libgcrypt-20.dll and libgpg-error-0.dll not beside it" in msg
    assert str(root / "build" / "l2kit.dll") + " (absent)" in msg
    assert "make windows" in msg and "L2KIT_LIBRARY" in msg
    assert "PATH (no l2kit.dll)" in msg
    assert rec.loaded == [str(bw / "l2kit.dll")]


def test_missing_dependency_not_reported_when_present(windows):
    pkg, root, rec = windows
    for name in ("l2kit.dll", "libgcrypt-20.dll", "libgpg-error-0.dll"):
        (pkg / name).write_bytes(b"MZ")
    with pytest.raises(ImportError) as e:
        _lib._load()
    assert "not beside it" not in str(e.value)
