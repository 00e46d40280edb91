#!/bin/sh
# l2tester against l2iut on BlueZ's emulator (btvirt: every connection to a /tmp/bt-server-*
# socket is a new controller; l2tester opens its stack anew per case, so each case meets the
# IUT from a fresh controller).  btvirt runs through tests/with_btvirt.sh (a private /tmp).
#  1. BR/EDR: every applicable case passes; the JSON report agrees with the summary line.
# The LE cases cannot run here: btvirt closes l2kit's connection to its LE and dual-mode servers
# during bring-up (as in l2kit's other btvirt tests, BR/EDR only); l2tester_vctrl.sh runs them.
BUILD=${BUILD:-build}
export BUILD
for t in l2tester l2iut; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
if [ "${L2T_INNER:-}" != 1 ]; then
	OUT="$BUILD/artifacts/l2tester_btvirt"
	rm -rf "$OUT"; mkdir -p "$OUT"
	L2T_OUT=$(cd "$OUT" && pwd) L2T_BIN=$(cd "$BUILD" && pwd)/bin L2T_INNER=1 exec sh tests/with_btvirt.sh sh "$0"
fi
OUT=$L2T_OUT B=$L2T_BIN
IPID=
trap '[ -n "$IPID" ] && kill "$IPID" 2>/dev/null' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# side KIND SERVER: l2iut on a btvirt controller of SERVER, then l2tester on another (KIND
# bredr: the BR/EDR cases; le: the LE ones)
side() {
	kind=$1 srv=$2
	"$B/l2iut" -t unix:$srv --control unix:"$OUT/iut-$kind.sock" >"$OUT/iut-$kind.log" 2>&1 &
	IPID=$!
	i=0; while ! grep -q " ready, controller" "$OUT/iut-$kind.log" 2>/dev/null && [ $i -lt 600 ] && kill -0 $IPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q " ready, controller" "$OUT/iut-$kind.log" || fail "l2iut did not start: $(cat "$OUT/iut-$kind.log")"
	addr=$(sed -n "s/.* ready, controller \([0-9A-F:]*\).*/\1/p" "$OUT/iut-$kind.log")
	suffix=; [ "$kind" = le ] && suffix=/le-public
	timeout 600 "$B/l2tester" -t unix:$srv --iut "$addr$suffix" --iut-agent unix:"$OUT/iut-$kind.sock" \
		--json "$OUT/$kind.json" >"$OUT/$kind.out" 2>&1 </dev/null
	rc=$?
	cat "$OUT/$kind.out"
	[ $rc = 0 ] || fail "l2tester ($kind) exited $rc"
	tail -n 1 "$OUT/$kind.out" | grep -q "^[1-9][0-9]* passed, 0 failed, 0 inconclusive, [0-9]* not applicable$" ||
		fail "$kind: not every applicable case passed"
	python3 -c "
import json, sys
j = json.load(open('$OUT/$kind.json'))
s = j['summary']
assert s['failed'] == 0 and s['inconclusive'] == 0 and s['passed'] > 0, s
assert all(c['verdict'] in ('pass', 'not applicable') for c in j['cases'])
print('$kind report:', s)" || fail "$kind: bad JSON report"
	kill "$IPID"; wait "$IPID" 2>/dev/null; IPID=
}

echo "== 1. BR/EDR"
side bredr /tmp/bt-server-bredr
# (no LE section: btvirt closes l2kit's connection to its LE and dual-mode servers, bt-server-le
# and bt-server-bredrle, during bring-up; the LE cases run over vctrl, l2tester_vctrl.sh)
echo "PASS: l2tester against l2iut over btvirt"
