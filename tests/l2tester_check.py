#!/usr/bin/env python3
"""Check an l2tester --json report of a whole-library run through a real transport (against
l2iut) against the library's own list (l2tester --list):

  tests/l2tester_check.py REPORT LIST --transport bredr|le [--allowed FILE] [--none-run REGEX]

Every case of LIST must be in REPORT exactly once, and:
  - an entry of LIST that is not applicable ("n/a: reason") is "not applicable" with that reason;
  - a case of the other transport is "not applicable";
  - a case of this transport passes ("every applicable case passes"), or is inconclusive only
    when its ID is in --allowed FILE (lines "ID -- reason", # comments: the documented
    exceptions, tests/l2tester_inconclusive.txt); a fail never passes the check;
  - with --none-run REGEX no case of this transport runs: each is "not applicable" with a
    reason matching REGEX (btvirt's BR/EDR-only controllers for the LE cases);
  - with --unplayable REGEX a case of this transport may be "not applicable" with a reason
    matching REGEX: what the tester's controller cannot play (btvirt's BR/EDR-only controllers
    for the LE/CID cases, which need an LE link too); each is printed.
Prints one line per problem and a summary; exit status 1 on any problem.
"""
import argparse
import json
import re
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("list")
    ap.add_argument("--transport", choices=("bredr", "le"), required=True)
    ap.add_argument("--allowed", help="IDs that may be inconclusive (lines 'ID -- reason')")
    ap.add_argument("--none-run", metavar="REGEX", help="no case of this transport runs: n/a with REGEX")
    ap.add_argument("--unplayable", metavar="REGEX", help="a case may be n/a with a reason matching REGEX")
    a = ap.parse_args()
    allowed = {}
    if a.allowed:
        for line in open(a.allowed):
            line = line.strip()
            if line and not line.startswith("#"):
                gid, _, why = line.partition("--")
                gid = gid.strip()
                allowed[gid if gid.startswith("L2CAP/") else "L2CAP/" + gid] = why.strip()
    lib = {}
    for line in open(a.list):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 4:
            lib[f[0]] = (f[1], f[3])
    j = json.load(open(a.report))
    problems = []
    seen = {}
    for c in j["cases"]:
        if c["id"] in seen:
            problems.append("%s: twice in the report" % c["id"])
        seen[c["id"]] = c
    counts = {}
    for cid, (tr, what) in lib.items():
        c = seen.get(cid)
        if c is None:
            problems.append("%s: not in the report" % cid)
            continue
        v, why = c["verdict"], c.get("reason") or ""
        counts[v] = counts.get(v, 0) + 1
        if what.startswith("n/a: "):
            if v != "not applicable" or why != what[5:]:
                problems.append("%s: a not-applicable entry, the report says %s (%s)" % (cid, v, why))
        elif tr not in ("any", a.transport):
            if v != "not applicable":
                problems.append("%s: an %s case in a %s run is %s (%s)" % (cid, tr, a.transport, v, why))
        elif a.none_run:
            if v != "not applicable" or not re.search(a.none_run, why):
                problems.append("%s: should not run here (%s), the report says %s (%s)" % (cid, a.none_run, v, why))
        elif v == "not applicable" and a.unplayable and re.search(a.unplayable, why):
            print("%s: not applicable here: %s" % (cid, why))
        elif v == "inconclusive" and cid in allowed:
            print("%s: inconclusive, allowed (%s): %s" % (cid, allowed[cid], why))
        elif v != "pass":
            problems.append("%s: %s: %s" % (cid, v.upper() if v == "fail" else v, why))
    for cid in seen:
        if cid not in lib:
            problems.append("%s: in the report, not in the library's list" % cid)
    for p in problems:
        print("l2tester_check: " + p)
    print("l2tester_check: %s (%s): %s; %d problem(s)" % (a.report, a.transport,
          ", ".join("%d %s" % (n, v) for v, n in sorted(counts.items())), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
