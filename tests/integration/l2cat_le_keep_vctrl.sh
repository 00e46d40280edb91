#!/bin/sh
# An LE server stays reachable while centrals come and go without a channel (l2cat -l -m le
# advertises in keep mode, l2k_le_advertise_keep), on vctrl:
#  1. l2cat -k --echo -l 0x80: a raw-H4 central (tests/vctrl_peer.py le-visit) links, opens
#     nothing and leaves; an l2cat central is refused (SPSM 0x81 is not served: "SPSM not
#     supported") and leaves; then two l2cat centrals in turn get their channel and every echo;
#     and a visitor can still link after that.
#  2. without -k: a central that opens nothing does not use up the one channel served: the next
#     central's data arrives and the listener exits 0.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_le_keep_vctrl"
for t in l2cat vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
visit() { timeout 20 python3 tests/vctrl_peer.py "$(cat "$OUT/port")" le-visit "$laddr" "$@"; }

echo "== 1. l2cat -k: centrals that open nothing or are refused leave the server reachable"
vctrl --profile unlimited
listen le "$OUT/l1.log" --echo -k -l 0x80
visit 300 || { cat "$OUT/l1.log"; fail "a first central could not link to the server"; }
timeout 20 "$B/l2cat" -t $T -w 5000 $laddr/le-public 0x81 </dev/null 2>"$OUT/refused.log" \
	&& fail "a channel to an SPSM nobody serves opened"
cat "$OUT/refused.log"
grep -q "refused by the peer (result 0x0002: SPSM not supported)" "$OUT/refused.log" \
	|| { cat "$OUT/l1.log"; fail "the central after a visitor did not reach the server"; }
for i in 1 2; do
	timeout 30 "$B/l2cat" -t $T -w 5000 -v --send 50 --size 200 --verify $laddr/le-public 0x80 \
		2>"$OUT/s$i.log" || { cat "$OUT/s$i.log" "$OUT/l1.log"; fail "central $i got no channel"; }
	grep -q "verify: 50 echoes intact" "$OUT/s$i.log" || { cat "$OUT/s$i.log"; fail "central $i: echoes not intact"; }
done
visit || { cat "$OUT/l1.log"; fail "no central could link after the channels were served"; }
kill "$LPID"; wait "$LPID" 2>/dev/null; LPID=
cat "$OUT/l1.log"

echo "== 2. serving one channel: a visitor does not use it up"
head -c 100000 /dev/urandom >"$OUT/in.bin"
listen le "$OUT/l2.log" -d -l 0x84 >"$OUT/out.bin"
visit || { cat "$OUT/l2.log"; fail "the visitor could not link"; }
timeout 30 "$B/l2cat" -t $T -w 5000 -v $laddr/le-public 0x84 <"$OUT/in.bin" 2>"$OUT/s3.log" \
	|| { cat "$OUT/s3.log" "$OUT/l2.log"; fail "the central after the visitor got no channel"; }
wait_listener "$OUT/l2.log"
same "$OUT/in.bin" "$OUT/out.bin"
echo "PASS"
