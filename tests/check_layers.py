#!/usr/bin/env python3
"""The house's layering, checked (docs/architecture.md, "Layers").

    tests/check_layers.py [BUILD]

From the bottom up: base/ <- transport/, hci/ <- core/ (the L2CAP engine) <- sm/ <- api/ (the
public face) <- tools/.  Checks, and prints every breach:

 1. includes: a file includes only headers of its own layer or of the layers it may use;
    tools/ include only the public headers (<l2kit/...>) and their own;
 2. no circle of includes between folders, and no file-level circle that spans folders;
 3. with BUILD (object files in BUILD/obj): no object of the engine (base, transport, hci, core,
    sm) refers to a symbol that an api/ object defines (the engine never calls the public face),
    and the tools' objects refer to no library symbol but the public l2k_* ones.

Exit 0 when the house is straight, 1 otherwise."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = ["base", "transport", "hci", "core", "sm", "api", "tools"]
ALLOWED = {
    "base": {"base"},
    "transport": {"base", "transport"},
    "hci": {"base", "hci"},
    "core": {"base", "hci", "core"},
    "sm": {"base", "hci", "core", "sm"},
    "api": {"base", "transport", "hci", "core", "sm", "api"},
    "tools": {"tools", "public"},
}
# the public headers as users (and the tools) include them: <l2kit/NAME.h>
PUBLIC = {"l2kit.h": "api/l2kit.h", "l2kit_sim.h": "api/l2kit_sim.h", "l2k_error.h": "base/l2k_error.h",
          "l2k_types.h": "core/l2k_types.h", "l2k_security.h": "sm/l2k_security.h"}
INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path):
    top = path.split("/", 1)[0]
    return top if top in LAYERS else None


def sources():
    for top in LAYERS:
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), ROOT)


def includes(path):
    """(kind, target) for every include of a file: kind 'file' (a repository path), 'public'
    (<l2kit/...>) or 'system'."""
    text = open(os.path.join(ROOT, path), encoding="utf-8", errors="replace").read()
    out = []
    for q, name in INC.findall(text):
        if q == "<" and name.startswith("l2kit/"):
            out.append(("public", PUBLIC.get(name[len("l2kit/"):], name)))
        elif q == '"' and layer_of(name):
            out.append(("file", name))
        elif q == '"' and os.path.exists(os.path.join(ROOT, os.path.dirname(path), name)):
            out.append(("file", os.path.normpath(os.path.join(os.path.dirname(path), name))))
        else:
            out.append(("system", name))
    return out


def check_includes(errors):
    graph = {}
    for path in sources():
        me = layer_of(path)
        graph[path] = []
        for kind, target in includes(path):
            if kind == "system":
                continue
            graph[path].append(target)
            them = layer_of(target)
            if me == "tools":
                ok = them == "tools" or (kind == "public" and target in PUBLIC.values())
            else:
                ok = them in ALLOWED[me]
            if not ok:
                errors.append("include: %s (%s) includes %s (%s)%s" % (
                    path, me, target, them, ": tools use only <l2kit/...> public headers" if me == "tools" else ""))
    return graph


def sccs(graph):
    """Strongly connected components (Tarjan, iterative)."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = n[0]
        n[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in graph:
                    continue
                if w not in index:
                    index[w] = low[w] = n[0]
                    n[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph.get(w, []))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def check_circles(graph, errors):
    folders = {}
    for f, targets in graph.items():
        for t in targets:
            a, b = os.path.dirname(f), os.path.dirname(t)
            if a != b:
                folders.setdefault(a, set()).add(b)
    for comp in sccs({k: sorted(v) for k, v in folders.items()}):
        if len(comp) > 1:
            errors.append("circle of folders: %s" % " <-> ".join(sorted(comp)))
    for comp in sccs(graph):
        if len(comp) > 1 and len({os.path.dirname(f) for f in comp}) > 1:
            errors.append("circle of includes across folders: %s" % ", ".join(sorted(comp)))


def nm(obj):
    p = subprocess.run(["nm", obj], capture_output=True, text=True)
    defined, undefined = set(), set()
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCVWG":
            defined.add(parts[2])
    return defined, undefined


def check_symbols(build, errors):
    objdir = os.path.join(build, "obj")
    objs = {}
    for top in LAYERS:
        for d, _, files in os.walk(os.path.join(objdir, top)):
            for f in files:
                if f.endswith(".o"):
                    objs[os.path.relpath(os.path.join(d, f), objdir)] = nm(os.path.join(d, f))
    if not objs:
        errors.append("no object files under %s (build first)" % objdir)
        return
    api_defs = set().union(*(d for o, (d, _) in objs.items() if layer_of(o) == "api"))
    lib_defs = set().union(*(d for o, (d, _) in objs.items() if layer_of(o) not in ("tools", None)))
    for o, (_, undef) in sorted(objs.items()):
        lay = layer_of(o)
        if lay in ("base", "transport", "hci", "core", "sm"):
            for sym in sorted(undef & api_defs):
                errors.append("call: %s (%s) calls %s, defined by the public face (api/)" % (o, lay, sym))
        elif lay == "tools":
            for sym in sorted(undef & lib_defs):
                if not sym.startswith("l2k_"):
                    errors.append("call: %s (tools) calls the library's internal %s" % (o, sym))


def main():
    errors = []
    graph = check_includes(errors)
    check_circles(graph, errors)
    if len(sys.argv) > 1:
        check_symbols(sys.argv[1], errors)
    for e in errors:
        print(e)
    print("layers: %d breach%s" % (len(errors), "" if len(errors) == 1 else "es"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
