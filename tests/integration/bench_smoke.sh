#!/bin/sh
# The in-process sections of `make bench` that take well under a second of CPU (virtual time):
# latency, fairness, the FCS and pairing run with --quick and pass their own checks (no starved
# channel, every pairing encrypted at its level), and results.json has their figures.  The
# figures themselves are for `make bench`, not asserted here beyond l2bench's own limits.
BUILD=${BUILD:-build}
B="$BUILD/bin/l2bench"
[ -x "$B" ] || { echo "skipped: $B is not built"; exit 77; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$B" --quick --only latency,fair,fcs,pair --bindir "$BUILD/bin" --out "$D" >"$D/out" 2>&1 || {
	cat "$D/out"
	fail "l2bench exited $?"
}
for row in "LE SC numeric comparison" "BR/EDR SSP Just Works" "bredr-3dh5" "le-1m"; do
	grep -q "^$row" "$D/out" || { cat "$D/out"; fail "no row '$row'"; }
done
python3 - "$D/results.json" <<'P' || fail "results.json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["all_passed"] is True, r.get("all_passed")
cases = {c["case"]: c for c in r["pairing"]}
assert len(cases) == 4, cases
for c in cases.values():
    assert 0 < c["cpu_ms_per_pairing"] < 1000 and c["air_ms"] > 0, c
assert len(r["fairness"]) == 3
print("results.json: %d pairing cases, %d fairness cases" % (len(cases), len(r["fairness"])))
P
echo "ok: l2bench --quick latency, fair, fcs, pair"
