#!/bin/sh
# Five ECFC channels on one BR/EDR link under vctrl's default timing (bredr-3dh5), as the outside
# tester ran them (issue 19): an --echo listener serving 5 channels, a client sending 30 SDUs of
# 10000 bytes on each with --verify (a window of 6 unechoed SDUs; -w 4000: a channel that gets no echo for 4 s gives up).  Every channel must get its
# turn on the link: before the link's wait list, two of the five channels stopped after 6 SDUs,
# never woken, while the others ran.  Every channel must report all 30 echoes intact and both
# processes exit 0.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_ecfc_timed_vctrl"
for t in l2cat vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh

vctrl --type dual
listen ecfc "$OUT/l.log" --channels 5 --mtu 10000 --echo -l 0x0081
"$B/l2cat" -t $T -v -w 4000 -m ecfc --channels 5 --mtu 10000 --send 30 --size 10000 --verify "$laddr" 0x0081 \
	2>"$OUT/s.log"
rc=$?
wait_listener "$OUT/l.log"
cat "$OUT/s.log"
[ $rc = 0 ] || fail "client exited $rc"
for i in 0 1 2 3 4; do
	grep -q "^l2cat: channel $i: verify: 30 echoes intact" "$OUT/s.log" || fail "channel $i did not get its 30 echoes"
done
echo "all five channels: 30 echoes of 10000 bytes intact"
