#!/bin/sh
# l2scan against BlueZ's emulator (btvirt, through tests/with_btvirt.sh): a listening l2cat on
# one emulated BR/EDR controller is discoverable and found by l2scan --bredr with its name (the
# emulator's Extended Inquiry Result); a second listener with --no-discoverable (no name
# written) is listed without a name even after --names.  (BlueZ's emulator, emulator/btdev.c
# inquiry_callback, answers for every device with PAGE scan on, not inquiry scan, so unlike a
# real controller or vctrl it does report the --no-discoverable listener: that is checked in
# l2scan_vctrl.sh.)  --json parses.
BUILD=${BUILD:-build}
export BUILD
OUT="$BUILD/artifacts/l2scan_btvirt"
for t in l2cat l2scan; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$(cd "$BUILD" && pwd)/bin
export OUT BIN
sh tests/with_btvirt.sh sh -c '
fail() { echo "FAIL: $*"; kill $P1 $P2 2>/dev/null; exit 1; }
T=unix:/tmp/bt-server-bredr
start() {
	log=$1; shift
	"$BIN/l2cat" -t $T -v --sink "$@" 2>"$log" &
	i=0; while ! grep -q "listening on" "$log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	grep -q "listening on" "$log" || fail "listener did not start: $(cat "$log")"
}
addr_of() { sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$1"; }
start "$OUT/l1.log" -l 0x1001; P1=$!
start "$OUT/l2.log" --no-discoverable -l 0x1003; P2=$!
a1=$(addr_of "$OUT/l1.log"); a2=$(addr_of "$OUT/l2.log")
[ -n "$a1" ] && [ -n "$a2" ] || fail "no listener addresses"
timeout 30 "$BIN/l2scan" -t $T --bredr --seconds 2 --names >"$OUT/s1.out" 2>"$OUT/s1.err" || fail "l2scan exited $?: $(cat "$OUT/s1.err")"
cat "$OUT/s1.out"
grep -q "^$a1  bredr .* \"l2cat\"" "$OUT/s1.out" || fail "the listener $a1 was not found with its name"
grep -q "^$a2  bredr .* -\$" "$OUT/s1.out" || fail "the unnamed listener $a2 is not listed without a name"
timeout 30 "$BIN/l2scan" -t $T --seconds 2 --json >"$OUT/s2.json" 2>"$OUT/s2.err" || fail "l2scan --json exited $?"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [x[\"name\"] for x in d if x[\"address\"]==sys.argv[2]]==[\"l2cat\"], d" "$OUT/s2.json" "$a1" || fail "--json: $(cat "$OUT/s2.json")"
kill $P1 $P2 2>/dev/null
echo PASS
'
