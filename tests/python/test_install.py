"""Installing the package into a venv with pip, as docs/python.md says (make python stages it
with the library; its build backend is standard library only, so nothing is downloaded), and
finding the library next to the installed package."""

import os
import shutil
import subprocess

import pytest

from conftest import PYTHON, REPO


def test_pip_install_into_a_venv_finds_the_library_next_to_the_package(tmp_path):
    if subprocess.run([PYTHON, "-c", "import ensurepip, venv"], capture_output=True).returncode:
        pytest.skip("python3-venv is not installed (apt-get install python3-venv)")
    # what `make python` stages: the package, the library next to it, the build files
    stage = tmp_path / "stage"
    (stage / "l2kit").mkdir(parents=True)
    for f in os.listdir(os.path.join(REPO, "python", "l2kit")):
        if f.endswith(".py"):
            shutil.copy(os.path.join(REPO, "python", "l2kit", f), stage / "l2kit")
    shutil.copy(os.path.realpath(os.environ["L2KIT_LIBRARY"]), stage / "l2kit" / "libl2kit.so.0")
    for f in ("pyproject.toml", "build_backend.py"):
        shutil.copy(os.path.join(REPO, "python", f), stage)
    venv = tmp_path / "venv"
    subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("L2KIT_LIBRARY", "PYTHONPATH", "LD_PRELOAD")}
    env["PIP_NO_INDEX"] = "1"  # nothing from the network
    p = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(stage)], capture_output=True,
                       text=True, env=env, cwd=str(tmp_path), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    if "LD_PRELOAD" in os.environ:  # a sanitizer build's library needs its runtime
        env["LD_PRELOAD"] = os.environ["LD_PRELOAD"]
    p = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "import l2kit; s = l2kit.Stack('sim'); print(l2kit.library_path); s.close()"],
                       capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().startswith(str(venv)) and p.stdout.strip().endswith("l2kit/libl2kit.so.0")
