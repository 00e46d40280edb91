#!/usr/bin/env python3
"""The verdict table of docs/conformance-kernel.md from the VM scenario l2tester's reports.

    kernel_table.py ARTIFACTS_DIR [BLUEZ_PTS_FILE]

ARTIFACTS_DIR holds l2tester-bredr.json and l2tester-le.json (BUILD/artifacts/vm_l2tester);
BLUEZ_PTS_FILE is tests/vm/bluez_pts_l2cap.txt (BlueZ's own published PTS results, by default
next to this script).  Prints Markdown: the counts per verdict, then one row per case that ran
over its transport (the other run's "not applicable" for a case of the other transport is left
out): ID, verdict, reason, BlueZ's PTS results (Q: doc/qualification/l2cap-pts.rst, Linux 6.1;
A: android/pts-l2cap.txt, Linux 3.18).
"""
import json
import os
import sys

art = sys.argv[1]
pts_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "bluez_pts_l2cap.txt")

pts = {}
with open(pts_path) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        pts[cols[0]] = (cols[1], cols[2])


def cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


rows = {}
order = []
for tr in ("bredr", "le"):
    with open(os.path.join(art, "l2tester-%s.json" % tr)) as f:
        rep = json.load(f)
    for c in rep["cases"]:
        cid, v = c["id"], c["verdict"]
        if cid not in rows:
            order.append(cid)
        # a case of the other transport is "not applicable" in this run: keep the run that ran it
        if cid in rows and v == "not applicable" and rows[cid][1] != "not applicable":
            continue
        rows[cid] = ("-" if cid in rows and v == "not applicable" else tr, v, c.get("reason", ""))

counts = {}
for cid in order:
    counts[rows[cid][1]] = counts.get(rows[cid][1], 0) + 1
print("%d cases: %s." % (len(order), ", ".join("%d %s" % (counts.get(v, 0), v) for v in
                                              ("pass", "fail", "inconclusive", "not applicable"))))
print()
print("| ID | run | verdict | reason | BlueZ PTS (Q: Linux 6.1) | BlueZ PTS (A: Linux 3.18) |")
print("| --- | --- | --- | --- | --- | --- |")
for cid in order:
    tr, v, why = rows[cid]
    q, a = pts.get(cid, ("-", "-"))
    print("| %s | %s | %s | %s | %s | %s |" % (cid, tr, v, cell(why), q, a))
