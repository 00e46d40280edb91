#!/bin/sh
# l2cat between two l2kit processes on vctrl (simulated controllers over H4/TCP on 127.0.0.1,
# one simulated air, timing profile "unlimited"), in Enhanced Credit Based Flow Control mode:
#  1. LE: 5 channels opened in one request (l2cat -m ecfc --channels 5), 10 MiB on each (every
#     channel carries a full copy of stdin); the listener writes channel i to out.i; both exit 0
#     and all five sha256 match.  Mid-transfer the listener raises its receive MTU 1000 -> 4000
#     on all five (Credit Based Reconfigure Request): nothing is lost, and the sender's later
#     SDUs are larger than the old MTU allowed.
#  2. The same on BR/EDR (vctrl --type bredr).
#  3. --send/--verify against an --echo listener on 3 BR/EDR ECFC channels.
#  4. A request to a PSM nobody serves: the sender exits 1 naming the refusal.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_ecfc_vctrl"
for t in l2cat vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
SIZE=10485760
head -c $SIZE /dev/urandom >"$OUT/in10.bin"
. tests/l2cat_vctrl_lib.sh

# five TAG le|bredr: 5 channels, 10 MiB each, reconfiguration 1000 -> 4000 after 15 MB (of 50)
five() {
	tag=$1
	if [ "$2" = le ]; then lopt=--le; suffix=/le-public; else lopt=; suffix=; fi
	rm -f "$OUT/$tag".out.*
	listen ecfc "$OUT/$tag-l.log" $lopt --channels 5 --mtu 1000 --reconfigure-mtu 4000 --reconfigure-at 15000000 \
		-d -o "$OUT/$tag.out" -l "$PSM"
	"$B/l2cat" -t $T -v -m ecfc --channels 5 "$laddr$suffix" "$PSM" <"$OUT/in10.bin" 2>"$OUT/$tag-s.log" \
		|| { cat "$OUT/$tag-s.log" "$OUT/$tag-l.log"; fail "sender exited non-zero"; }
	wait_listener "$OUT/$tag-l.log"
	cat "$OUT/$tag-s.log" "$OUT/$tag-l.log"
	for i in 0 1 2 3 4; do
		grep -q "^l2cat: channel $i: connected to .*mode ecfc, cid 0x" "$OUT/$tag-s.log" \
			|| fail "channel $i was not opened in ecfc mode"
		same "$OUT/in10.bin" "$OUT/$tag.out.$i"
	done
	[ "$(grep -c "connected to" "$OUT/$tag-s.log")" = 5 ] || fail "not five channels"
	[ "$(grep "connected to" "$OUT/$tag-s.log" | sed 's/.*cid \(0x[0-9a-f]*\)\/.*/\1/' | sort -u | wc -l)" = 5 ] \
		|| fail "the five channels do not have five CIDs"
	grep -q "reconfigured 5 channels after [0-9]* bytes: mtu 4000" "$OUT/$tag-l.log" \
		|| fail "the listener did not reconfigure"
	[ "$(grep -c "mtu [0-9]*/4000 at the end" "$OUT/$tag-s.log")" = 5 ] \
		|| fail "the sender did not learn the new MTU on all five channels"
	# before: SDUs of at most 1000; after: of up to 4000, so far fewer than SIZE / 1000 SDUs
	sdus=$(sed -n "s/^l2cat: channel 0: sent $SIZE bytes in \([0-9]*\) SDUs.*/\1/p" "$OUT/$tag-s.log")
	[ -n "$sdus" ] && [ "$sdus" -lt $((SIZE / 1000)) ] || fail "the sender's SDUs did not grow ($sdus SDUs)"
	echo "channel 0: $SIZE bytes in $sdus SDUs"
}

echo "== 1. LE: 5 channels in one request, 10 MiB on each, MTU raised mid-transfer"
vctrl --profile unlimited --type le
PSM=0x80
five le le

echo "== 2. BR/EDR: 5 channels in one request, 10 MiB on each, MTU raised mid-transfer"
vctrl --profile unlimited --type bredr
PSM=0x1001
five br bredr

echo "== 3. --send/--verify against --echo on 3 BR/EDR ECFC channels"
listen ecfc "$OUT/l3.log" --channels 3 --echo -l 0x1003
"$B/l2cat" -t $T -v -m ecfc --channels 3 --send 500 --size 600 --verify "$laddr" 0x1003 2>"$OUT/s3.log" \
	|| { cat "$OUT/s3.log" "$OUT/l3.log"; fail "verify sender exited non-zero"; }
wait_listener "$OUT/l3.log"
cat "$OUT/s3.log"
[ "$(grep -c "verify: 500 echoes intact" "$OUT/s3.log")" = 3 ] || fail "not 3 x 500 intact echoes"

echo "== 4. refused: nobody serves the PSM asked for"
listen ecfc "$OUT/l4.log" -d -l 0x1003
"$B/l2cat" -t $T -m ecfc --channels 2 -w 5000 "$laddr" 0x1005 </dev/null 2>"$OUT/s4.log"
rc=$?
cat "$OUT/s4.log"
[ $rc = 1 ] || fail "sender exited $rc, expected 1"
grep -q "refused by the peer (result 0x0002: SPSM not supported)" "$OUT/s4.log" || fail "no refusal message"
kill "$LPID"; wait "$LPID" 2>/dev/null; LPID=
echo "PASS"
