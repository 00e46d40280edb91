#!/usr/bin/env python3
"""Build the conformance table of docs/conformance.md from the test sources.

Usage:
  tests/conformance_table.py [--csv PATH] [--run BUILD] [--report COLUMN=FILE ...]
                             [--allow-inconclusive FILE] [--write docs/conformance.md] [--check]

What it reads:
  - the L2CAP.TS list (CSV: id,group,feature,role,purpose; default ../shared/conformance/
    l2cap-ts.csv beside the repository);
  - tests/conformance/test_ts_*.c: every `static void test_...(void **state)` function; the IDs it
    covers are the L2CAP.TS IDs named in the comment just above it or in its body
    ("L2CAP/LE/CFC/BV-02-C" or "COS/CED/BV-03-C"); a TESTER_SKIP("why") in its body marks it
    skipped with that reason;
  - "not applicable" lines of the files' header comments:  " *   L2CAP/X/Y/BV-NN-C -- reason";
  - l2tester's case library, tools/l2tester/cases_*.c (the one definition of each case it runs
    against other devices, run in-process by BUILD/tests/test_l2tester_cases, one cmocka test
    named by the ID): a table entry {"L2CAP/ID", "GROUP", LT_..., "role", fn, NULL, iut_central} is a
    case, one with a reason string instead of NULL is not applicable.  The table names them `l2tester`.
With --run BUILD the test binaries BUILD/tests/test_ts_* are run and each test's real outcome
(pass / FAIL / skipped) is used instead of "tested".  --write replaces the text between the
markers <!-- conformance-table:begin --> and <!-- conformance-table:end --> of the given file
(without it the table goes to stdout).  --check exits 1 when an ID of the covered groups has
neither a test nor a not-applicable line, or (with --run) when a test failed.

With --report COLUMN=FILE (repeatable; `make conformance-table` gives them) the table gets one
verdict column per COLUMN, filled from l2tester's --json reports (docs/l2tester.md, Reports) of
runs through a real transport against l2iut: e.g. vctrl=br.json vctrl=le.json btvirt=bredr.json
btvirt=le.json.  Several reports of one column merge per ID: a verdict other than "not
applicable" wins (a BR/EDR run says the LE cases are not applicable, the LE run gives their
verdict).  A cell is "pass", "FAIL: reason", "inconclusive: reason" or "n/a: reason"; "not run"
when no report of the column has the ID (a legacy test_ts_* test, or no such run).  With --check,
every library case of a column must pass or be not applicable there; an inconclusive one only
when its ID is in --allow-inconclusive FILE (lines "ID -- reason"; # comments), a fail never.
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys

# The groups this table covers: every group of the L2CAP.TS list (the AMP-era LSC, CCH and MCH
# and the ATT/EATT TIM groups as l2tester's not-applicable entries).
GROUPS = ("COS/CED", "COS/CFD", "COS/IEX", "COS/ECH", "COS/CFC", "LE/CFC", "LE/CPU", "LE/REJ",
          "LE/CID", "FIX", "CLS/CLR", "CLS/UCD", "CLS/CID", "ECFC", "COS/ECFC", "EXF", "CMC",
          "FOC", "COS/FLC", "COS/RTX", "STM", "OFS", "EWC", "COS/CID", "LSC", "CCH", "MCH", "TIM",
          "ERM", "ECF")

ID_RE = re.compile(r"\b(?:L2CAP/)?((?:COS/[A-Z]+|LE/[A-Z]+|CLS/[A-Z]+|FIX|ECFC)/B[VI]-\d\d-[CI])\b")
NA_RE = re.compile(r"^\s*\*\s+L2CAP/(\S+)\s+--\s+(.*?)\s*$")
FUNC_RE = re.compile(r"^static void (test_\w+)\(void \*\*state\)\s*$", re.M)
NAME_ID_RE = re.compile(r"^test_((?:COS|LE|CLS)_[A-Z]+|FIX|ECFC)_(B[VI])_(\d\d)_([CI])_")
SKIP_RE = re.compile(r'TESTER_SKIP\("((?:[^"\\]|\\.)*)"\)')
LIB_RE = re.compile(r'\{"(L2CAP/[^"]+)",\s*"[^"]+",\s*LT_\w+,\s*(?:NULL|"[^"]*"),\s*\w+,\s*(NULL|"(?:[^"\\]|\\.)*")\s*(?:,\s*(?:true|false)\s*)?\}')
# l2tester's reason for a case of the other transport than the IUT was given as (tools/l2tester.c)
OTHER_TRANSPORT_RE = re.compile(r"^an? (?:LE|BR/EDR) case; the IUT was given as ")
BEGIN = "<!-- conformance-table:begin -->"
END = "<!-- conformance-table:end -->"


def read_csv(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.append(r)
    return rows


def scan_sources(root):
    """Returns (tests, na): tests = list of dict(file, name, ids, skip); na = {id: (file, why)}."""
    tests, na = [], {}
    for path in sorted(glob.glob(os.path.join(root, "tests/conformance/test_ts_*.c"))):
        src = open(path).read()
        fname = os.path.basename(path)
        header = src.split("#include", 1)[0]
        for line in header.splitlines():
            m = NA_RE.match(line)
            if m:
                why = re.sub(r"^n/a:\s*", "", m.group(2))
                na[m.group(1)] = (fname, why)
        registered = set(re.findall(r"cmocka_unit_test\w*\((test_\w+)", src))
        funcs = list(FUNC_RE.finditer(src))
        for i, m in enumerate(funcs):
            # the comment right above the function (back to the previous function's end)
            start = funcs[i - 1].end() if i else max(src.find("#include"), 0)
            prev_end = src.rfind("\n}\n", start, m.start())
            above = src[(prev_end + 3) if prev_end >= 0 else start:m.start()]
            body_end = src.find("\n}\n", m.end())
            body = src[m.end():body_end if body_end >= 0 else len(src)]
            ids = []
            nm = NAME_ID_RE.match(m.group(1))
            if nm:
                ids.append("%s/%s-%s-%s" % (nm.group(1).replace("_", "/"), nm.group(2), nm.group(3), nm.group(4)))
            for t in ID_RE.findall(above + body):
                if t not in ids:
                    ids.append(t)
            sk = SKIP_RE.search(body)
            tests.append({"file": fname, "name": m.group(1), "ids": ids,
                          "skip": sk.group(1) if sk else None,
                          "registered": m.group(1) in registered})
    for path in sorted(glob.glob(os.path.join(root, "tools/l2tester/cases_*.c"))):
        src = open(path).read()
        for m in LIB_RE.finditer(src):
            gid = m.group(1).replace("L2CAP/", "", 1)
            if m.group(2) != "NULL":
                na[gid] = ("l2tester", m.group(2)[1:-1])
            else:
                tests.append({"file": "l2tester", "name": m.group(1), "ids": [gid], "skip": None,
                              "registered": True})
    return tests, na


def run_binaries(build):
    """Runs BUILD/tests/test_ts_*; returns {test name: 'pass'|'FAIL'|'skipped'}."""
    out = {}
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout")
    for exe in sorted(glob.glob(os.path.join(build, "tests/test_ts_*")) +
                      [os.path.join(build, "tests/test_l2tester_cases")]):
        if not os.path.exists(exe) or not os.access(exe, os.X_OK):
            continue
        try:
            p = subprocess.run([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=600, text=True)
            text = p.stdout
        except subprocess.TimeoutExpired:
            text = ""
        seen_run = re.findall(r"^\[ RUN      \] (\S+)", text, re.M)
        for name in seen_run:
            out[name] = "FAIL"  # unless a later line says otherwise (crash = FAIL)
        for name in re.findall(r"^\[       OK \] (\S+)", text, re.M):
            out[name] = "pass"
        for name in re.findall(r"^\[  SKIPPED \] (\S+)", text, re.M):
            out[name] = "skipped"
        for name in re.findall(r"^\[  (?:FAILED|ERROR)   ?\] (\S+)", text, re.M):
            if name in seen_run:
                out[name] = "FAIL"
    return out


def read_reports(specs):
    """specs: ["COLUMN=FILE", ...] -> (columns in order, {column: {gid: (verdict, reason)}})."""
    cols, data = [], {}
    rank = {"not applicable": 0, "pass": 1, "inconclusive": 2, "fail": 3}

    def weight(v):
        if v[0] == "not applicable" and OTHER_TRANSPORT_RE.match(v[1]):
            return -1
        return rank.get(v[0], 3)
    for spec in specs:
        if "=" not in spec:
            raise SystemExit("conformance_table: --report wants COLUMN=FILE, not %r" % spec)
        col, path = spec.split("=", 1)
        if col not in data:
            cols.append(col)
            data[col] = {}
        if not os.path.exists(path):
            print("conformance_table: no report %s (its run did not get that far)" % path, file=sys.stderr)
            continue
        with open(path) as f:
            j = json.load(f)
        if j.get("tool") != "l2tester":
            raise SystemExit("conformance_table: %s is not an l2tester --json report" % path)
        for c in j["cases"]:
            gid = c["id"].replace("L2CAP/", "", 1)
            v = (c["verdict"], c.get("reason") or "")
            old = data[col].get(gid)
            # a real verdict beats "not applicable", and a run of the case's own transport a
            # run that only says it is another transport's case; of two real ones the worse
            if old is None or weight(v) > weight(old):
                data[col][gid] = v
    return cols, data


def read_allowed(path):
    """Lines "ID -- reason" (L2CAP/ may be left out): {gid: reason}."""
    allowed = {}
    if not path:
        return allowed
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        gid, _, why = line.partition("--")
        allowed[gid.strip().replace("L2CAP/", "", 1)] = why.strip()
    return allowed


def cell(v):
    verdict, reason = v
    reason = reason.replace("|", "/").replace("\n", " ")
    if len(reason) > 160:
        reason = reason[:157] + "..."
    if verdict == "pass":
        return "pass"
    name = {"fail": "FAIL", "not applicable": "n/a"}.get(verdict, verdict)
    return name + (": " + reason if reason else "")


def id_key(i):
    return i


def build_table(rows, tests, na, results, rcols=(), rdata=None, allowed=None):
    by_id = {}
    for t in tests:
        for i in t["ids"]:
            by_id.setdefault(i, []).append(t)
    rdata = rdata or {}
    allowed = allowed or {}
    # a group outside GROUPS is in the table once l2tester's library has an entry of it
    lib_ids = set(i for t in tests if t["file"] == "l2tester" for i in t["ids"])
    lib_ids |= set(i for i, v in na.items() if v[0] == "l2tester")
    status_head = "status (in-process)" if rcols else "status"
    head = "| ID | feature | %s |" % status_head + "".join(" %s |" % c for c in rcols) + " tests |"
    lines = [head, "|" + " --- |" * (4 + len(rcols))]
    problems = []
    counts = {}
    rcounts = {c: {} for c in rcols}
    for r in rows:
        gid = r["id"].replace("L2CAP/", "", 1)
        if r["group"] not in GROUPS and gid not in lib_ids:
            continue
        ts = by_id.get(gid, [])
        if gid in na:
            status = "not applicable: " + na[gid][1]
        elif not ts:
            status = "MISSING"
            problems.append(gid + ": no test and no not-applicable line")
        else:
            states = []
            for t in ts:
                if t["skip"]:
                    states.append("skipped: " + t["skip"])
                elif not t["registered"]:
                    states.append("not registered in main()")
                    problems.append(gid + ": " + t["name"] + " is not registered")
                elif results is not None:
                    s = results.get(t["name"], "not run")
                    states.append(s)
                    if s != "pass" and s != "skipped":
                        problems.append(gid + ": " + t["name"] + " " + s)
                else:
                    states.append("tested")
            uniq = sorted(set(states), key=states.index)
            status = "; ".join(uniq)
        key = status.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
        names = "<br>".join("`%s`: `%s`" % (t["file"], t["name"]) for t in ts)
        lib_case = any(t["file"] == "l2tester" for t in ts)
        rcells = []
        for c in rcols:
            v = rdata[c].get(gid)
            if v is None:
                text = "not run"
                if lib_case:
                    problems.append("%s: %s: no verdict in the %s reports" % (gid, c, c))
            else:
                # the library's own not-applicable entry: its reason is in the status column
                text = "n/a" if (v[0] == "not applicable" and gid in na) else cell(v)
                if v[0] == "fail":
                    problems.append("%s: %s: FAIL: %s" % (gid, c, v[1]))
                elif v[0] == "inconclusive" and gid not in allowed:
                    problems.append("%s: %s: inconclusive (not in the allowed list): %s" % (gid, c, v[1]))
            k = text.split(":")[0]
            rcounts[c][k] = rcounts[c].get(k, 0) + 1
            rcells.append(text)
        lines.append("| %s | %s | %s |%s %s |" % (r["id"], r["feature"], status.replace("|", "/"),
                                                 "".join(" %s |" % x for x in rcells), names))
    summary = ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))
    lib = sum(1 for r in rows if any(
        t["file"] == "l2tester" for t in by_id.get(r["id"].replace("L2CAP/", "", 1), [])))
    lib_na = sum(1 for r in rows if
                 na.get(r["id"].replace("L2CAP/", "", 1), ("",))[0] == "l2tester")
    summary += ("; %d IDs are l2tester's library cases (%d more are its not-applicable entries), the "
                "others the legacy test_ts_* suites'" % (lib, lib_na))
    for c in rcols:
        summary += "; %s: %s" % (c, ", ".join("%d %s" % (v, k) for k, v in sorted(rcounts[c].items())))
    extra = [t for t in tests if not t["ids"]]
    lines.append("")
    lines.append("Summary: " + summary + ".")
    lines.append("")
    lines.append("Further tests without an L2CAP.TS ID (malformed input, interoperability, security):")
    lines.append("")
    lines.append("| test | status |")
    lines.append("| --- | --- |")
    for t in extra:
        st = ("skipped: " + t["skip"]) if t["skip"] else (results.get(t["name"], "not run") if results is not None else "tested")
        if results is not None and st not in ("pass",) and not t["skip"]:
            problems.append(t["name"] + " " + st)
        lines.append("| `%s`: `%s` | %s |" % (t["file"], t["name"], st))
    return "\n".join(lines) + "\n", problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", default=os.path.join(root, "..", "shared", "conformance", "l2cap-ts.csv"))
    ap.add_argument("--run", metavar="BUILD", help="run BUILD/tests/test_ts_* and report real outcomes")
    ap.add_argument("--write", metavar="FILE", help="replace the table between the markers in FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 on a missing ID or a failing test")
    ap.add_argument("--report", metavar="COLUMN=FILE", action="append", default=[],
                    help="an l2tester --json report filling the verdict column COLUMN (repeatable)")
    ap.add_argument("--allow-inconclusive", metavar="FILE",
                    help="IDs that may be inconclusive in a report column (lines 'ID -- reason')")
    a = ap.parse_args()
    if not os.path.exists(a.csv):
        print("conformance_table: no CSV at %s (use --csv)" % a.csv, file=sys.stderr)
        return 2
    rows = read_csv(a.csv)
    tests, na = scan_sources(root)
    results = run_binaries(a.run) if a.run else None
    rcols, rdata = read_reports(a.report)
    table, problems = build_table(rows, tests, na, results, rcols, rdata, read_allowed(a.allow_inconclusive))
    if a.write:
        doc = open(a.write).read()
        if BEGIN not in doc or END not in doc:
            print("conformance_table: markers missing in %s" % a.write, file=sys.stderr)
            return 2
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        open(a.write, "w").write(head + BEGIN + "\n" + table + END + tail)
    else:
        sys.stdout.write(table)
    for p in problems:
        print("conformance_table: " + p, file=sys.stderr)
    return 1 if (a.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
