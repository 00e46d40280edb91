#!/bin/sh
# l2cat between two l2kit processes on vctrl (l2kit's simulated controllers over H4/TCP on
# 127.0.0.1, one simulated air), over LE Credit Based Flow Control:
#  1. 10 MiB (timing profile "unlimited": no air time, so the hosts and the credits set the
#     pace): listener (-d, stdout to a file) and sender (stdin from a file) exit 0, sha256 match.
#  2. Back-pressure end to end: 2 MiB into a listener whose stdout reader sleeps 2 s before it
#     reads; the listener's queue fills, it withholds credits, the sender waits; nothing is lost
#     (no drops reported, sha256 match) and both exit 0.
#  3. 1 MiB at the le-2m timing profile (about 6 s): the real air time of LE 2M is respected.
#  4. --send/--verify against an --echo listener over LE.
#  5. Basic mode (no flow control of its own) into a reader that sleeps 2 s: vctrl has
#     controller-to-host flow control, so the listener's full queue holds the link at its host,
#     its controller stops taking data, the sender waits; nothing is lost (no drops, sha256).
#  6. --echo to a peer with a smaller MTU (Basic, ours 1000, the peer's 200): SDUs of 1000 go
#     back in pieces of 200; every byte returns (sha256), both exit 0.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_vctrl"
for t in l2cat vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
head -c 10485760 /dev/urandom >"$OUT/in10.bin"
head -c 2097152 /dev/urandom >"$OUT/in2.bin"
head -c 1048576 /dev/urandom >"$OUT/in1.bin"
. tests/l2cat_vctrl_lib.sh

echo "== 1. 10 MiB over LE credit based (profile unlimited)"
vctrl --profile unlimited
listen le "$OUT/l1.log" -d -l 0x80 >"$OUT/out10.bin"
"$B/l2cat" -t $T -v $laddr/le-public 0x80 <"$OUT/in10.bin" 2>"$OUT/s1.log" || { cat "$OUT/s1.log"; fail "sender exited non-zero"; }
wait_listener "$OUT/l1.log"
cat "$OUT/s1.log" "$OUT/l1.log"
grep -q "mode le" "$OUT/s1.log" || fail "not an LE credit based channel"
same "$OUT/in10.bin" "$OUT/out10.bin"

echo "== 2. back-pressure: the listener's reader sleeps 2 s"
( "$B/l2cat" -t $T -v -m le -d -l 0x81 2>"$OUT/l2.log"; echo $? >"$OUT/l2.rc" ) | { sleep 2; cat >"$OUT/out2.bin"; } &
PIPE=$!
i=0; while ! grep -q "listening on" "$OUT/l2.log" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$OUT/l2.log")
start=$(date +%s)
"$B/l2cat" -t $T -v $laddr/le-public 0x81 <"$OUT/in2.bin" 2>"$OUT/s2.log" || { cat "$OUT/s2.log" "$OUT/l2.log"; fail "sender exited non-zero"; }
end=$(date +%s)
wait $PIPE
cat "$OUT/s2.log" "$OUT/l2.log"
[ "$(cat "$OUT/l2.rc")" = 0 ] || fail "listener exited $(cat "$OUT/l2.rc")"
grep -q "dropped" "$OUT/l2.log" && fail "the listener dropped SDUs"
[ $((end - start)) -ge 1 ] || fail "the sender did not wait for the sleeping reader"
same "$OUT/in2.bin" "$OUT/out2.bin"

echo "== 3. 1 MiB at LE 2M air timing"
vctrl --profile le-2m
listen le "$OUT/l3.log" -d -l 0x82 >"$OUT/out1.bin"
"$B/l2cat" -t $T -v $laddr/le-public 0x82 <"$OUT/in1.bin" 2>"$OUT/s3.log" || { cat "$OUT/s3.log"; fail "sender exited non-zero"; }
wait_listener "$OUT/l3.log"
cat "$OUT/s3.log"
same "$OUT/in1.bin" "$OUT/out1.bin"

echo "== 4. echo and verify over LE"
vctrl --profile unlimited
listen le "$OUT/l4.log" --echo -l 0x83
"$B/l2cat" -t $T -v --send 2000 --size 1500 --verify $laddr/le-public 0x83 2>"$OUT/s4.log" \
	|| { cat "$OUT/s4.log" "$OUT/l4.log"; fail "verify sender exited non-zero"; }
wait_listener "$OUT/l4.log"
cat "$OUT/s4.log"
grep -q "verify: 2000 echoes intact" "$OUT/s4.log" || fail "verify did not report 2000 intact echoes"

echo "== 5. Basic mode back-pressure through controller-to-host flow control: the reader sleeps 2 s"
vctrl --profile unlimited
( "$B/l2cat" -t $T -v -d -l 0x1005 2>"$OUT/l5.log"; echo $? >"$OUT/l5.rc" ) | { sleep 2; cat >"$OUT/out5.bin"; } &
PIPE=$!
i=0; while ! grep -q "listening on" "$OUT/l5.log" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$OUT/l5.log")
grep -q "controller-to-host flow control on" "$OUT/l5.log" || fail "controller-to-host flow control is not on: $(cat "$OUT/l5.log")"
start=$(date +%s)
"$B/l2cat" -t $T -v $laddr 0x1005 <"$OUT/in2.bin" 2>"$OUT/s5.log" || { cat "$OUT/s5.log" "$OUT/l5.log"; fail "sender exited non-zero"; }
end=$(date +%s)
wait $PIPE
cat "$OUT/s5.log" "$OUT/l5.log"
[ "$(cat "$OUT/l5.rc")" = 0 ] || fail "listener exited $(cat "$OUT/l5.rc")"
grep -q "mode basic" "$OUT/s5.log" || fail "not a Basic mode channel"
grep -q "dropped" "$OUT/l5.log" && fail "the listener dropped SDUs"
[ $((end - start)) -ge 1 ] || fail "the sender did not wait for the sleeping reader"
same "$OUT/in2.bin" "$OUT/out5.bin"

echo "== 6. --echo splits an SDU larger than the peer's MTU"
head -c 100000 /dev/urandom >"$OUT/in6.bin"
listen basic "$OUT/l6.log" --echo --mtu 1000 -l 0x1007
rm -f "$OUT/f6"; mkfifo "$OUT/f6"
"$B/l2cat" -t $T -v --mtu 200 $laddr 0x1007 <"$OUT/f6" >"$OUT/out6.bin" 2>"$OUT/s6.log" &
S6=$!
exec 3>"$OUT/f6"
cat "$OUT/in6.bin" >&3
i=0; while [ "$(wc -c <"$OUT/out6.bin")" -lt 100000 ] && [ $i -lt 300 ] && kill -0 $S6 2>/dev/null; do sleep 0.1; i=$((i+1)); done
exec 3>&-
wait $S6; rc=$?
wait_listener "$OUT/l6.log"
cat "$OUT/s6.log" "$OUT/l6.log"
[ $rc = 0 ] || fail "sender exited $rc"
grep -q "mtu 1000/200" "$OUT/l6.log" || fail "the listener's MTU is not 1000 and the peer's 200"
grep -q "echo failed" "$OUT/l6.log" && fail "the echo failed"
same "$OUT/in6.bin" "$OUT/out6.bin"
echo "PASS"
