#!/bin/sh
# l2ping and l2cat against a peer that answers like BTstack (tests/vctrl_peer.py btstack, raw
# H4 on vctrl, no l2kit): every Echo Request gets an empty Echo Response, and an unknown PSM is
# refused with a Connection Response whose CIDs are swapped (result 0x0002, DCID = our SCID,
# SCID 0x0000).
#  1. l2ping counts the empty answers as answers (the data is the responder's choice, Vol 3
#     Part A 4.9), says what came back ("44 bytes sent, 0 back") and exits 0.
#  2. l2cat takes the refusal (it used to wait out RTX and say "no answer") and names its cause.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/interop_btstack_vctrl"
for t in l2cat l2ping vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
PEER=
trap 'cleanup; [ -n "$PEER" ] && kill "$PEER" 2>/dev/null' EXIT

vctrl
python3 tests/vctrl_peer.py "$(cat "$OUT/port")" btstack "$OUT/peer.addr" 60 2>"$OUT/peer.log" &
PEER=$!
i=0; while [ ! -s "$OUT/peer.addr" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$OUT/peer.addr" ] || fail "the peer did not start: $(cat "$OUT/peer.log")"
paddr=$(cat "$OUT/peer.addr")

echo "== 1. l2ping: empty Echo Responses are answers"
timeout 60 "$B/l2ping" -i $T -c 3 --delay-ms 10 $paddr >"$OUT/ping.log" 2>&1
rc=$?
cat "$OUT/ping.log"
[ $rc = 0 ] || fail "l2ping exited $rc"
grep -q "^0 bytes from $paddr id 0 time .*(44 bytes sent, 0 back)$" "$OUT/ping.log" || fail "the answer's line does not say what came back"
grep -q "^3 sent, 3 received, 0% loss, 3 answered with other data than sent$" "$OUT/ping.log" || fail "wrong summary"

echo "== 2. l2cat: a refusal with swapped CIDs, named"
# (ignored, it used to end after RTX, 10 s, as "no answer within 30000 ms")
timeout 60 "$B/l2cat" -t $T $paddr 0x1001 </dev/null 2>"$OUT/cat.log" && fail "l2cat exited 0"
cat "$OUT/cat.log"
grep -q "refused by the peer (result 0x0002: PSM not supported)" "$OUT/cat.log" || fail "the refusal was not named"
echo "PASS"
