#!/bin/sh
# make conformance-table: docs/conformance.md's table from the runs themselves.
#   sh tests/conformance_run.sh BUILD CSV
# 1. l2tester against l2iut over vctrl, BR/EDR and LE (tests/integration/l2tester_vctrl.sh:
#    BUILD/artifacts/l2tester_vctrl/br.json, le.json), and over btvirt (l2tester_btvirt.sh:
#    BUILD/artifacts/l2tester_btvirt/bredr.json, le.json), each with --json;
# 2. tests/conformance_table.py --run BUILD (the in-process results: test_ts_* and
#    test_l2tester_cases) with those reports as the columns "vctrl" and "btvirt", written into
#    docs/conformance.md, --check: a case that fails, or is inconclusive without a line in
#    tests/l2tester_inconclusive.txt, makes the exit status 1 (the table is written anyway).
BUILD=${1:-build}
CSV=${2:-../shared/conformance/l2cap-ts.csv}
[ -f "$CSV" ] || { echo "conformance_run: no L2CAP.TS list at $CSV (make conformance-table TS_CSV=PATH)"; exit 2; }
mkdir -p "$BUILD/artifacts"
rc=0
for s in l2tester_vctrl l2tester_btvirt; do
	echo "== $s (log: $BUILD/artifacts/$s.log)"
	t0=$(date +%s)
	BUILD="$BUILD" sh "tests/integration/$s.sh" >"$BUILD/artifacts/$s.log" 2>&1
	r=$?
	echo "$s: exit $r, $(($(date +%s) - t0)) s; $(grep -h "^l2tester_check:.*problem" "$BUILD/artifacts/$s.log" | tr '\n' ' ')"
	[ $r = 0 ] || { rc=1; tail -n 5 "$BUILD/artifacts/$s.log"; }
done
V="$BUILD/artifacts/l2tester_vctrl" W="$BUILD/artifacts/l2tester_btvirt"
python3 tests/conformance_table.py --csv "$CSV" --run "$BUILD" \
	--report vctrl="$V/br.json" --report vctrl="$V/le.json" \
	--report btvirt="$W/bredr.json" --report btvirt="$W/le.json" \
	--allow-inconclusive tests/l2tester_inconclusive.txt --write docs/conformance.md --check || rc=1
echo "conformance_run: docs/conformance.md written; exit $rc"
exit $rc
