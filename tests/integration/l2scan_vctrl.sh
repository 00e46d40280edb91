#!/bin/sh
# Finding devices on vctrl (issue 21): l2scan against stacks of other processes on one air.
#  1. a listening l2cat (BR/EDR) is discoverable: l2scan --bredr finds it, with its name from the
#     Extended Inquiry Response; one listening with --no-discoverable is not found;
#  2. an LE listener (l2cat -m le -l, advertising) is found by l2scan --le, and only LE devices
#     are listed with --le;
#  3. --json: one JSON array (python3 -m json.tool parses it) naming both;
#  4. exit statuses: --le on a BR/EDR-only controller 1, a bad --seconds 2.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2scan_vctrl"
for t in l2cat l2scan vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
P2=; P3=
cleanup2() { [ -n "$P2" ] && kill "$P2" 2>/dev/null; [ -n "$P3" ] && kill "$P3" 2>/dev/null; cleanup; }
trap cleanup2 EXIT
# second / third listeners: start one like listen() does, print its address
start_more() {
	log=$1; shift
	"$B/l2cat" -t $T -v "$@" 2>"$log" &
	echo $! >"$log.pid"
	i=0; while ! grep -q "listening on" "$log" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
	grep -q "listening on" "$log" || fail "listener did not start: $(cat "$log")"
}
addr_of() { sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$1"; }

echo "== 1. a BR/EDR listener is found with its name; a --no-discoverable one is not"
vctrl
listen basic "$OUT/l1.log" --sink -l 0x1001
a1=$laddr
start_more "$OUT/l2.log" --sink --no-discoverable -l 0x1003
P2=$(cat "$OUT/l2.log.pid"); a2=$(addr_of "$OUT/l2.log")
[ -n "$a1" ] && [ -n "$a2" ] || fail "no listener addresses ($a1, $a2)"
timeout 30 "$B/l2scan" -t $T --bredr --seconds 2 >"$OUT/s1.out" 2>"$OUT/s1.err" || fail "l2scan --bredr exited $?: $(cat "$OUT/s1.err")"
cat "$OUT/s1.out"
grep -q "^$a1  bredr .* \"l2cat\"" "$OUT/s1.out" || fail "the listener $a1 was not found with its name"
grep -q "^$a2" "$OUT/s1.out" && fail "the --no-discoverable listener $a2 was found"
[ "$(wc -l <"$OUT/s1.out")" = 1 ] || fail "l2scan --bredr listed more than the one discoverable device"

echo "== 2. an LE advertiser is found by l2scan --le, and only LE devices are listed"
start_more "$OUT/l3.log" -m le --sink -l 0x80
P3=$(cat "$OUT/l3.log.pid"); a3=$(addr_of "$OUT/l3.log")
timeout 30 "$B/l2scan" -t $T --le --seconds 1 >"$OUT/s2.out" 2>"$OUT/s2.err" || fail "l2scan --le exited $?: $(cat "$OUT/s2.err")"
cat "$OUT/s2.out"
grep -q "^$a3  le-public" "$OUT/s2.out" || fail "the advertiser $a3 was not found"
grep -q " bredr " "$OUT/s2.out" && fail "l2scan --le listed a BR/EDR device"

echo "== 3. --json: one array, both found"
timeout 30 "$B/l2scan" -t $T --seconds 2 --json >"$OUT/s3.json" 2>"$OUT/s3.err" || fail "l2scan --json exited $?: $(cat "$OUT/s3.err")"
python3 -m json.tool "$OUT/s3.json" >/dev/null || fail "l2scan --json is not JSON: $(cat "$OUT/s3.json")"
python3 - "$OUT/s3.json" "$a1" "$a3" <<'PY' || fail "--json does not list both devices as expected: $(cat "$OUT/s3.json")"
import json, sys
devs = json.load(open(sys.argv[1]))
by = {(d["address"], d["type"]): d for d in devs}
br = by[(sys.argv[2], "bredr")]
assert br["name"] == "l2cat" and br["name_complete"] and isinstance(br["rssi"], int), br
le = by[(sys.argv[3], "le-public")]
assert isinstance(le["services"], list), le
PY
echo "json ok: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$OUT/s3.json") devices"

echo "== 4. exit statuses"
kill $P2 $P3 2>/dev/null; P2=; P3=
vctrl --type bredr
timeout 30 "$B/l2scan" -t $T --le --seconds 1 >"$OUT/s4.out" 2>"$OUT/s4.err"; rc=$?
[ $rc = 1 ] || fail "l2scan --le on a BR/EDR-only controller exited $rc"
grep -q "does not do LE" "$OUT/s4.err" || fail "no clear message: $(cat "$OUT/s4.err")"
"$B/l2scan" -t $T --seconds 0 2>"$OUT/s5.err"; rc=$?
[ $rc = 2 ] || fail "l2scan --seconds 0 exited $rc"
grep -q "bad value '0' for --seconds" "$OUT/s5.err" || fail "no clear message: $(cat "$OUT/s5.err")"
echo "PASS"
