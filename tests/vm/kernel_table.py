#!/usr/bin/env python3
"""The verdict tables of docs/conformance-kernel.md from the VM scenario l2tester's reports.

    kernel_table.py ARTIFACTS_DIR [--pts FILE] [--deviations FILE] [--update DOC] [--check]

ARTIFACTS_DIR holds l2tester-bredr.json and l2tester-le.json (BUILD/artifacts/vm_l2tester).
--pts: BlueZ's own published PTS results per ID (default tests/vm/bluez_pts_l2cap.txt);
--deviations: the fails explained as kernel deviations (default tests/vm/kernel_deviations.txt:
ID, what the kernel does, the Core Specification section; tab-separated, # comments).

Prints Markdown: the counts (all, and per group), one table per group with every case that ran
over its transport (ID, run, verdict, reason, BlueZ's PTS results Q: doc/qualification/
l2cap-pts.rst, Linux 6.1, and A: android/pts-l2cap.txt, Linux 3.18), the fails explained as
kernel deviations, the fails NOT classified (neither a deviation in the file nor fixed: they
need a look), the inconclusive cases grouped by their reason, and the deviations listed that no
longer fail.  A case of the other transport is "not applicable" in a run: the run that played it
is kept; one not applicable in both runs is shown with run "-".

--update DOC replaces what lies between the lines "<!-- kernel_table: begin -->" and
"<!-- kernel_table: end -->" in DOC with that output instead of printing it.  --check: exit
status 1 when a fail is not classified or a report is missing a verdict.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICTS = ("pass", "fail", "inconclusive", "not applicable")
BEGIN, END = "<!-- kernel_table: begin -->", "<!-- kernel_table: end -->"


def read_tsv(path, ncols):
    rows = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < ncols:
                raise SystemExit("%s:%d: %d tab-separated columns expected" % (path, n, ncols))
            rows[cols[0]] = cols[1:ncols]
    return rows


def cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


def short(cid):
    return cid[len("L2CAP/"):] if cid.startswith("L2CAP/") else cid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("artifacts")
    ap.add_argument("pts_pos", nargs="?", help=argparse.SUPPRESS)  # the old second argument
    ap.add_argument("--pts", default=None)
    ap.add_argument("--deviations", default=os.path.join(HERE, "kernel_deviations.txt"))
    ap.add_argument("--update", default=None)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    pts = read_tsv(a.pts or a.pts_pos or os.path.join(HERE, "bluez_pts_l2cap.txt"), 3)
    devs = read_tsv(a.deviations, 3) if os.path.exists(a.deviations) else {}

    rows, order, problems = {}, [], []
    for tr in ("bredr", "le"):
        path = os.path.join(a.artifacts, "l2tester-%s.json" % tr)
        try:
            with open(path) as f:
                rep = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("%s: %s" % (path, e))
            continue
        for c in rep.get("cases", []):
            cid, v = c.get("id", "?"), c.get("verdict")
            if v not in VERDICTS:
                problems.append("%s (%s): no verdict" % (cid, tr))
                continue
            grp = c.get("group") or "/".join(short(cid).split("/")[:-1])
            if cid not in rows:
                order.append(cid)
            elif v == "not applicable":
                # a case of the other transport: keep the run that played it
                if rows[cid]["v"] != "not applicable":
                    continue
                rows[cid]["run"] = "-"
                continue
            rows[cid] = {"run": tr, "v": v, "why": c.get("reason", "") or "", "group": grp}

    out = []
    counts = {v: 0 for v in VERDICTS}
    groups, gcount = [], {}
    for cid in order:
        r = rows[cid]
        counts[r["v"]] += 1
        if r["group"] not in gcount:
            groups.append(r["group"])
            gcount[r["group"]] = {v: 0 for v in VERDICTS}
        gcount[r["group"]][r["v"]] += 1
    out.append("%d cases: %s." % (len(order), ", ".join("%d %s" % (counts[v], v) for v in VERDICTS)))
    out.append("")
    out.append("| group | pass | fail | inconclusive | not applicable |")
    out.append("| --- | --- | --- | --- | --- |")
    for g in groups:
        out.append("| %s | %s |" % (g, " | ".join(str(gcount[g][v]) for v in VERDICTS)))
    out.append("")

    for g in groups:
        out.append("### %s" % g)
        out.append("")
        out.append("| ID | run | verdict | reason | BlueZ PTS (Q: Linux 6.1) | BlueZ PTS (A: Linux 3.18) |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for cid in order:
            r = rows[cid]
            if r["group"] != g:
                continue
            q, an = pts.get(cid, ("-", "-"))[:2]
            why = r["why"]
            if r["v"] == "fail":
                why = ("kernel deviation: " if cid in devs else "NOT CLASSIFIED: ") + why
            out.append("| %s | %s | %s | %s | %s | %s |" % (cid, r["run"], r["v"], cell(why), q, an))
        out.append("")

    fails = [c for c in order if rows[c]["v"] == "fail"]
    known = [c for c in fails if c in devs]
    unknown = [c for c in fails if c not in devs]
    out.append("### The fails: kernel deviations (%d)" % len(known))
    out.append("")
    if known:
        out.append("| ID | what the kernel does | Core Specification |")
        out.append("| --- | --- | --- |")
        for c in known:
            out.append("| %s | %s | %s |" % (short(c), cell(devs[c][0]), cell(devs[c][1])))
    else:
        out.append("None.")
    out.append("")
    out.append("### The fails not classified (%d)" % len(unknown))
    out.append("")
    if unknown:
        out.append("Neither a kernel deviation of `tests/vm/kernel_deviations.txt` nor a fixed tester "
                   "bug yet: each needs its capture and the kernel's code read.")
        out.append("")
        out.append("| ID | reason |")
        out.append("| --- | --- |")
        for c in unknown:
            out.append("| %s | %s |" % (short(c), cell(rows[c]["why"])))
    else:
        out.append("None.")
    out.append("")

    inc = {}
    for c in order:
        if rows[c]["v"] != "inconclusive":
            continue
        why = rows[c]["why"]
        m = re.match(r"the IUT cannot do '[^']*': (.*)$", why)
        key = m.group(1) if m else why
        inc.setdefault(key, []).append(short(c))
    out.append("### The inconclusive cases, by reason (%d)" % sum(len(v) for v in inc.values()))
    out.append("")
    if inc:
        out.append("| IDs | why |")
        out.append("| --- | --- |")
        for why, ids in sorted(inc.items(), key=lambda kv: -len(kv[1])):
            out.append("| %s | %s |" % (", ".join(ids), cell(why)))
    else:
        out.append("None.")
    out.append("")
    stale = [c for c in devs if c in rows and rows[c]["v"] != "fail"]
    if stale:
        out.append("Listed as kernel deviations but %s in this run: %s." % (
            "not failing", ", ".join("%s (%s)" % (short(c), rows[c]["v"]) for c in stale)))
        out.append("")
    for p in problems:
        out.append("Report problem: %s." % p)
    text = "\n".join(out).rstrip("\n") + "\n"

    if a.update:
        with open(a.update) as f:
            doc = f.read()
        i, j = doc.find(BEGIN), doc.find(END)
        if i < 0 or j < i:
            raise SystemExit("%s: no '%s' ... '%s' lines" % (a.update, BEGIN, END))
        doc = doc[:i + len(BEGIN)] + "\n\n" + text + "\n" + doc[j:]
        with open(a.update, "w") as f:
            f.write(doc)
    else:
        sys.stdout.write(text)
    if a.check and (unknown or problems):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
