#!/bin/sh
# l2tester against l2iut on BlueZ's emulator (btvirt: every connection to a /tmp/bt-server-*
# socket is a new controller; l2tester opens its stack anew per case, so each case meets the
# IUT from a fresh controller).  btvirt runs through tests/with_btvirt.sh (a private /tmp, so
# parallel runs do not share its sockets).
#  1. BR/EDR: every applicable case of the library passes (tests/l2tester_check.py: the LE ones
#     and the library's not-applicable entries are not applicable with their reason; inconclusive
#     only the ones listed with a reason in tests/l2tester_inconclusive.txt).
#  2. LE (--iut ADDR/le-public) on the same BR/EDR-only controllers: no LE case runs, each is
#     "not applicable" saying that the tester's controller has no LE (not a fail, not silently
#     left out).  btvirt's LE and dual-mode servers (bt-server-le, bt-server-bredrle) close
#     l2kit's connection during bring-up, so LE runs over vctrl only (l2tester_vctrl.sh).
# The reports (bredr.json, le.json) are what `make conformance-table` puts in
# docs/conformance.md's btvirt column.
BUILD=${BUILD:-build}
export BUILD
for t in l2tester l2iut; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
if [ "${L2T_INNER:-}" != 1 ]; then
	OUT=${L2T_OUT:-$BUILD/artifacts/l2tester_btvirt}
	rm -rf "$OUT"; mkdir -p "$OUT"
	L2T_OUT=$(cd "$OUT" && pwd) L2T_BIN=$(cd "$BUILD" && pwd)/bin L2T_INNER=1 exec sh tests/with_btvirt.sh sh "$0"
fi
OUT=$L2T_OUT B=$L2T_BIN
IPID=
trap '[ -n "$IPID" ] && kill "$IPID" 2>/dev/null' EXIT
fail() { echo "FAIL: $*"; exit 1; }
SRV=/tmp/bt-server-bredr

"$B/l2tester" --list >"$OUT/list"
"$B/l2iut" -t unix:$SRV --control unix:"$OUT/iut.sock" >"$OUT/iut.log" 2>&1 &
IPID=$!
i=0; while ! grep -q " ready, controller" "$OUT/iut.log" 2>/dev/null && [ $i -lt 600 ] && kill -0 $IPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
grep -q " ready, controller" "$OUT/iut.log" || fail "l2iut did not start: $(cat "$OUT/iut.log")"
addr=$(sed -n "s/.* ready, controller \([0-9A-F:]*\).*/\1/p" "$OUT/iut.log")

# side KIND SUFFIX CHECK-ARGS...: l2tester on another controller of $SRV against the IUT given
# as $addr$SUFFIX, reports KIND.json / KIND.out, checked by tests/l2tester_check.py
side() {
	kind=$1 suffix=$2; shift 2
	t0=$(date +%s)
	timeout 800 "$B/l2tester" -t unix:$SRV --iut "$addr$suffix" --iut-agent unix:"$OUT/iut.sock" \
		--json "$OUT/$kind.json" >"$OUT/$kind.out" 2>&1 </dev/null
	rc=$?
	cat "$OUT/$kind.out"
	echo "$kind run: $(($(date +%s) - t0)) s"
	[ $rc = 0 ] || fail "l2tester ($kind) exited $rc"
	python3 tests/l2tester_check.py "$OUT/$kind.json" "$OUT/list" "$@" || fail "$kind: see the problems above"
}

echo "== 1. BR/EDR: every applicable case passes"
side bredr "" --transport bredr --allowed tests/l2tester_inconclusive.txt \
	--unplayable "^the tester's controller has no LE: the case needs a BR/EDR and an LE link to the IUT$"
tail -n 1 "$OUT/bredr.out" | grep -q "^[1-9][0-9]* passed, 0 failed, [0-9]* inconclusive, [0-9]* not applicable$" ||
	fail "bredr: summary line '$(tail -n 1 "$OUT/bredr.out")'"
echo "== 2. LE: not applicable on BR/EDR-only controllers, with that reason"
side le /le-public --transport le --none-run "^the tester's controller \(unix:$SRV\) has no LE: LE cases do not run on this transport$"
tail -n 1 "$OUT/le.out" | grep -q "^0 passed, 0 failed, 0 inconclusive, [0-9]* not applicable$" ||
	fail "le: summary line '$(tail -n 1 "$OUT/le.out")'"
echo "PASS: l2tester against l2iut over btvirt"
