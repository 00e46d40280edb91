#!/bin/sh
# What an l2cat listener accepts it serves, at once; what it would not serve it refuses; and a
# --send that stopped early is a failure.  l2cat processes on vctrl (simulated controllers over
# H4/TCP on 127.0.0.1, BR/EDR, timing profile "unlimited"):
#  1. A listener with --channels 5 and a request for 2 ECFC channels: both are echoed at once
#     (it does not wait for five), both senders' verifications pass, both exit 0.
#  2. The default listener (--channels 1) with -k and a request for 2: the second channel is
#     refused with 0x0004 (no resources) instead of being accepted and never read; the first
#     is echoed.
#  3. Channels from separate requests join as they come: a listener with --channels 3; one
#     client holds a channel open (stdin a FIFO), a second one's channel is served while it
#     is (and ends), a third asks for 3 and gets the 2 free (its third refused 0x0004); then the
#     first one's stdin ends (its line reached the listener) and everybody exits as they should.
#  4. --send N --verify whose echoes stop (the echoing process is stopped with SIGSTOP): the
#     sender stops after a window of SDUs, says so, and exits 1 naming "sent X of N SDUs"
#     (it used to exit 0 when the late echoes of the few it sent came back intact).
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_serve_vctrl"
for t in l2cat vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
CPIDS=
# A shell without job control starts background commands with SIGINT ignored, and the tools keep
# an ignored SIGINT ignored (the Unix convention): those meant to get one start with the default.
command -v env >/dev/null && env --default-signal=INT true 2>/dev/null \
	|| { echo "skipped: env --default-signal (coreutils 8.31) is needed to send SIGINT to a background job"; exit 77; }
LAUNCH="env --default-signal=INT"
# signal SIG PID: send SIG and wait for PID (a child of this shell) to end, at most 60 s (then
# it is killed and the test fails); its exit status in $rc
signal() {
	kill -"$1" "$2"
	( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep 60 & s=$!; wait $s && kill -KILL "$2" 2>/dev/null ) &
	wd=$!
	wait "$2"; rc=$?
	kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
	[ $rc != 137 ] || fail "pid $2 did not end within 60 s of SIG$1"
}
CPIDS=
cleanup_all() { for p in $CPIDS; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; cleanup; }
trap cleanup_all EXIT

# wait_for FILE TEXT [SECONDS]: until FILE contains TEXT (default 30 s)
wait_for() {
	i=0; n=$((${3:-30} * 10))
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $n ]; do sleep 0.1; i=$((i+1)); done
	grep -q "$2" "$1" 2>/dev/null
}

vctrl --profile unlimited --type bredr

echo "== 1. --channels 5 listener, a request for 2: both served at once"
listen ecfc "$OUT/l1.log" --channels 5 --echo -l 0x1001
timeout 60 "$B/l2cat" -t $T -v -m ecfc --channels 2 --send 200 --size 500 --verify -w 10000 "$laddr" 0x1001 \
	2>"$OUT/s1.log" || { cat "$OUT/s1.log" "$OUT/l1.log"; fail "sender exited non-zero"; }
wait_listener "$OUT/l1.log"
cat "$OUT/s1.log" "$OUT/l1.log"
[ "$(grep -c "verify: 200 echoes intact" "$OUT/s1.log")" = 2 ] || fail "not 2 x 200 intact echoes"
[ "$(grep -c "accepted" "$OUT/l1.log")" = 2 ] || fail "the listener did not accept exactly 2"

echo "== 2. default listener (-k), a request for 2: the second refused 0x0004"
listen ecfc "$OUT/l2.log" -k --echo -l 0x1003
timeout 60 "$B/l2cat" -t $T -v -m ecfc --channels 2 --send 50 --verify -w 10000 "$laddr" 0x1003 2>"$OUT/s2.log"
rc=$?
cat "$OUT/s2.log"
[ $rc = 1 ] || fail "sender exited $rc, expected 1 (one channel refused)"
grep -q "(channel 1 of 2): refused by the peer (result 0x0004: no resources available)" "$OUT/s2.log" \
	|| fail "channel 1 not refused with 0x0004"
signal INT "$LPID"; LPID=
cat "$OUT/l2.log"
[ $rc = 130 ] || fail "listener exited $rc on SIGINT, expected 130"
[ "$(grep -c "accepted" "$OUT/l2.log")" = 1 ] || fail "the listener accepted more than the channel it serves"

echo "== 3. --channels 3: channels of separate requests served as they come, one too many refused"
listen ecfc "$OUT/l3.log" --channels 3 --echo -l 0x1005
rm -f "$OUT/fifo"; mkfifo "$OUT/fifo"
"$B/l2cat" -t $T -v -m ecfc -w 10000 "$laddr" 0x1005 <"$OUT/fifo" >"$OUT/c1.out" 2>"$OUT/c1.log" &
C1=$!; CPIDS="$CPIDS $C1"
exec 3>"$OUT/fifo"  # the first client's stdin stays open: its channel too
wait_for "$OUT/l3.log" "channel 0: accepted" || { cat "$OUT/c1.log" "$OUT/l3.log"; fail "first channel not accepted"; }
timeout 60 "$B/l2cat" -t $T -v -m ecfc --send 100 --verify -w 10000 "$laddr" 0x1005 2>"$OUT/c2.log" \
	|| { cat "$OUT/c2.log" "$OUT/l3.log"; fail "second client (served while the first is open) exited non-zero"; }
grep -q "verify: 100 echoes intact" "$OUT/c2.log" || fail "second client: echoes missing"
wait_for "$OUT/l3.log" "channel 1: sent" || fail "the listener did not end the second client's channel"
timeout 60 "$B/l2cat" -t $T -v -m ecfc --channels 3 --send 20 --verify -w 10000 "$laddr" 0x1005 2>"$OUT/c3.log"
rc=$?
cat "$OUT/c2.log" "$OUT/c3.log"
[ $rc = 1 ] || fail "third client exited $rc, expected 1 (one of three refused)"
grep -q "(channel 2 of 3): refused by the peer (result 0x0004" "$OUT/c3.log" || fail "third client: no 0x0004 refusal"
printf 'hello over ecfc\n' >&3
exec 3>&-
wait "$C1"; rc=$?
cat "$OUT/c1.log"
[ $rc = 0 ] || fail "first client exited $rc"
wait_listener "$OUT/l3.log"
cat "$OUT/l3.log"
grep -q "channel 0: sent [0-9]* bytes in [0-9]* SDUs, received 16 bytes in 1 SDUs" "$OUT/l3.log" \
	|| fail "the first client's line did not reach the listener"
[ "$(grep -c "accepted" "$OUT/l3.log")" = 4 ] || fail "the listener did not accept exactly 1 + 1 + 2 channels"

echo "== 4. --send/--verify whose echoes stop: exit 1, 'sent X of N SDUs'"
listen basic "$OUT/l4.log" --echo -l 0x1007
"$B/l2cat" -t $T -v --send 100000 --size 600 --verify -w 3000 "$laddr" 0x1007 2>"$OUT/s4.log" &
S4=$!; CPIDS="$CPIDS $S4"
wait_for "$OUT/l4.log" "accepted" || { cat "$OUT/s4.log" "$OUT/l4.log"; fail "not accepted"; }
kill -STOP "$LPID"  # the echoes stop
wait_for "$OUT/s4.log" "stopped sending after" 60
kill -CONT "$LPID"
wait "$S4"; rc=$?
cat "$OUT/s4.log"
[ $rc = 1 ] || fail "sender exited $rc although it sent only some of its 100000 SDUs"
grep -q "no echo came back for 3000 ms: stopped sending after [0-9]* of 100000 SDUs" "$OUT/s4.log" \
	|| fail "the sender did not say when it stopped"
grep -q "^l2cat: sent [0-9]* of 100000 SDUs: no echo came back for 3000 ms" "$OUT/s4.log" \
	|| fail "the verdict does not say how many of 100000 were sent"
wait "$LPID"; LPID=
echo "PASS"
