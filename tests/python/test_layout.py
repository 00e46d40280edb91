"""The ctypes declarations of l2kit/_lib.py against the C compiler's view of the header: every
structure's size and every field's offset, every enum's size, every bound function's argument
list and return size (a small generated C program), and the ABI version at import."""

import ctypes
import os
import re
import shutil
import subprocess
import textwrap

from conftest import HEADER, PYTHON, REPO, child_env

from l2kit import _lib

CC = os.environ.get("CC") or shutil.which("cc") or "gcc"


def compile_and_run(tmp_path, source, run=True):
    """Compile source against the header (-Werror -Wconversion); run it when run, else only
    compile it (-c: nothing is linked)."""
    c = tmp_path / "probe.c"
    c.write_text(source)
    out = tmp_path / ("probe" if run else "probe.o")
    hdr_dir = os.path.dirname(HEADER)
    cmd = [CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wconversion", "-Wno-unused-variable",
           "-I", hdr_dir, "-I", os.path.dirname(hdr_dir), "-I", REPO] + ([] if run else ["-c"]) + [str(c), "-o", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 0, "the probe does not compile:\n" + p.stderr + "\n" + source
    if not run:
        return ""
    return subprocess.run([str(out)], capture_output=True, text=True, check=True).stdout


def test_structure_sizes_and_offsets_match_the_compiler(tmp_path):
    lines = []
    for st in _lib.STRUCTS:
        lines.append('printf("%%s %%zu\\n", "%s", sizeof(%s));' % (st.c_name, st.c_name))
        for name, _ in st._fields_:
            lines.append('printf("%%s.%%s %%zu\\n", "%s", "%s", offsetof(%s, %s));'
                         % (st.c_name, name, st.c_name, name))
    for e in _lib.ENUMS:
        lines.append('printf("%%s %%zu\\n", "%s", sizeof(%s));' % (e, e))
    src = ('#include <stddef.h>\n#include <stdio.h>\n#include <l2kit/l2kit.h>\nint main(void)\n{\n'
           + textwrap.indent("\n".join(lines), "\t") + "\n\treturn 0;\n}\n")
    got = {}
    for line in compile_and_run(tmp_path, src).splitlines():
        k, v = line.rsplit(" ", 1)
        got[k] = int(v)
    want = {}
    for st in _lib.STRUCTS:
        want[st.c_name] = ctypes.sizeof(st)
        for name, _ in st._fields_:
            want["%s.%s" % (st.c_name, name)] = getattr(st, name).offset
    for e in _lib.ENUMS:
        want[e] = ctypes.sizeof(ctypes.c_int)
    diff = {k: (want[k], got.get(k)) for k in want if want[k] != got.get(k)}
    assert not diff, "ctypes (left) and the compiler (right) disagree: %r" % diff
    # every field of the C structures is declared: the sizes agree only if none is missing,
    # but a missing trailing bool could hide in padding; the field counts come from the header
    # the public headers: l2kit.h and the ones it includes (types, errors) beside it
    hdir = os.path.dirname(HEADER)
    text = "".join(open(os.path.join(hdir, f)).read() for f in sorted(os.listdir(hdir)) if f.endswith(".h"))
    for st in _lib.STRUCTS:
        m = re.search(r"struct %s\s*\{(.*?)\}" % re.escape(st.c_name.replace("struct ", ""))
                      if st.c_name.startswith("struct ") else r"typedef struct\s*\{([^}]*)\}\s*%s;" % st.c_name,
                      text, re.S)
        assert m, "no definition of %s in %s" % (st.c_name, HEADER)
        body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
        names = []
        for decl in body.split(";"):
            decl = decl.strip()
            if not decl:
                continue
            fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
            if fp:
                names.append(fp.group(1))
                continue
            for part in decl.split(","):
                names.append(re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", part.strip())[0])
        assert names == [n for n, _ in st._fields_], "%s: header fields %s" % (st.c_name, names)


def c_type(t):
    if t is None:
        return "void"
    simple = {ctypes.c_int: "int", ctypes.c_long: "long", ctypes.c_size_t: "size_t", ctypes.c_bool: "bool",
              ctypes.c_uint8: "uint8_t", ctypes.c_uint16: "uint16_t", ctypes.c_uint32: "uint32_t",
              ctypes.c_uint64: "uint64_t", ctypes.c_int8: "int8_t", ctypes.c_char_p: "char *",
              ctypes.c_void_p: "void *"}
    if t in simple:
        return simple[t]
    if isinstance(t, type) and issubclass(t, ctypes._CFuncPtr):  # a callback (CFUNCTYPE)
        return "__typeof__(%s (*)(%s))" % (c_type(t._restype_),
                                           ", ".join(c_type(a) for a in t._argtypes_) or "void")
    if hasattr(t, "c_name") and issubclass(t, ctypes.c_void_p):
        return t.c_name
    if issubclass(t, ctypes._Pointer):
        return c_type(t._type_) + (" *" if not c_type(t._type_).endswith("*") else "*")
    if hasattr(t, "c_name"):
        return t.c_name
    raise AssertionError("no C name for %r" % t)


def test_function_signatures_match_the_header(tmp_path):
    """Each bound function is called (in a function that is compiled, never run) with
    arguments of exactly the ctypes types: a missing or extra argument, a pointer to the wrong
    type, or an integer that C takes narrower than ctypes passes does not compile (-Werror
    -Wconversion); the size of what it returns must be the restype's."""
    blocks = []
    for name, restype, argtypes in _lib.FUNCTIONS:
        decls = ["%s a%d = %s;" % (c_type(t), i, "NULL" if c_type(t).endswith("*") else "0")
                 for i, t in enumerate(argtypes)]
        call = "%s(%s)" % (name, ", ".join("a%d" % i for i in range(len(argtypes))))
        if restype is None:
            check = ["%s;" % call,
                     "_Static_assert(__builtin_types_compatible_p(__typeof__(%s), void), \"%s returns void\");"
                     % (call, name)]
        else:
            check = ["(void)%s;" % call,
                     "_Static_assert(sizeof(%s) == %d, \"%s returns %d bytes\");"
                     % (call, ctypes.sizeof(restype), name, ctypes.sizeof(restype))]
        blocks.append("void probe_%s(void);\nvoid probe_%s(void)\n{\n%s\n}\n"
                      % (name, name, textwrap.indent("\n".join(decls + check), "\t")))
    src = ('#include <stddef.h>\n#include <stdint.h>\n#include <stdbool.h>\n#include <l2kit/l2kit.h>\n\n'
           + "\n".join(blocks))
    compile_and_run(tmp_path, src, run=False)


def test_abi_version_of_the_package_is_the_headers():
    m = re.search(r"#define\s+L2K_ABI_VERSION\s+(\d+)", open(HEADER).read())
    assert m and int(m.group(1)) == _lib.ABI_VERSION
    assert _lib.lib.l2k_abi_version() == _lib.ABI_VERSION


def test_import_refuses_a_library_of_another_abi(tmp_path):
    src = tmp_path / "fake.c"
    src.write_text("int l2k_abi_version(void);\nint l2k_abi_version(void) { return %d; }\n" % (_lib.ABI_VERSION + 41))
    so = tmp_path / "libfake.so"
    subprocess.run([CC, "-shared", "-fPIC", str(src), "-o", str(so)], check=True)
    p = subprocess.run([PYTHON, "-c", "import l2kit"], capture_output=True, text=True,
                       env=child_env(L2KIT_LIBRARY=str(so)))
    assert p.returncode != 0
    assert "ImportError" in p.stderr
    assert "ABI version %d but this package is written for %d" % (_lib.ABI_VERSION + 41, _lib.ABI_VERSION) in p.stderr


def test_import_names_the_places_it_looked(tmp_path):
    p = subprocess.run([PYTHON, "-c", "import l2kit"], capture_output=True, text=True,
                       env=child_env(L2KIT_LIBRARY=str(tmp_path / "nothing.so")))
    assert p.returncode != 0
    assert "shared library was not found" in p.stderr and "nothing.so" in p.stderr
