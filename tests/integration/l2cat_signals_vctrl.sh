#!/bin/sh
# SIGINT and SIGTERM end l2cat and l2ping gracefully: a summary, the channels disconnected (the
# peer answers the Disconnection Request), the links disconnected (the peer sees HCI 0x13 Remote
# User Terminated Connection, not 0x15 / 0x08 link loss), exit 130 (SIGINT) / 143 (SIGTERM),
# and a --btsnoop capture that btmon decodes to the end.  Processes on vctrl (simulated
# controllers over H4/TCP on 127.0.0.1, BR/EDR, profile "unlimited").  Each signal is sent
# once the process is in the state tested (its log or output shows it), never after a guess.
#  1. SIGINT to a connected l2cat whose stdin stays open (after its first line arrived).
#  2. SIGTERM to l2cat --send (patterned SDUs, paced) in mid-transfer, with --btsnoop.
#  3. SIGINT to an --echo listener serving a channel; its peer ends cleanly (exit 0).
#  4. SIGINT to a listener with no channel yet.
#  5. SIGINT to l2ping (no -c): summary, the link it made disconnected.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_signals_vctrl"
for t in l2cat l2ping vctrl; do
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
cleanup_all() { for p in $CPIDS; do kill "$p" 2>/dev/null; done; cleanup; }
trap cleanup_all EXIT

# wait_for FILE TEXT [SECONDS]: until FILE contains TEXT (default 30 s)
wait_for() {
	i=0; n=$((${3:-30} * 10))
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $n ]; do sleep 0.1; i=$((i+1)); done
	grep -q "$2" "$1" 2>/dev/null || fail "$1 never showed '$2': $(cat "$1")"
}
# clean_link_down LOG: the peer's links went down by a disconnection, not by loss or timeout
clean_link_down() {
	grep -q "link down: handle 0x[0-9a-f]* (HCI 0x13: Remote User Terminated Connection)" "$1" \
		|| fail "$1: the link did not end with HCI 0x13"
	! grep -q "link down: .*(HCI 0x\(15\|08\)" "$1" || fail "$1: link lost instead of disconnected"
}
# decodes CAPTURE TEXT...: btmon -r reads the capture and shows every TEXT
decodes() {
	cap=$1; shift
	command -v btmon >/dev/null || { echo "(btmon not installed: capture not decoded)"; return 0; }
	btmon -r "$cap" >"$cap.txt" 2>&1 || fail "btmon cannot read $cap"
	for t in "$@"; do grep -q "$t" "$cap.txt" || fail "$cap: no '$t' in the capture"; done
	echo "btmon: $cap decodes ($(grep -c "^[<>@=]" "$cap.txt") records)"
}

vctrl --profile unlimited --type bredr
rm -f "$OUT/fifo"; mkfifo "$OUT/fifo"

echo "== 1. SIGINT to a connected l2cat (stdin open)"
listen basic "$OUT/l1.log" -d -l 0x1001 >"$OUT/r1.out"
$LAUNCH "$B/l2cat" -t $T --btsnoop "$OUT/c1.btsnoop" "$laddr" 0x1001 <"$OUT/fifo" 2>"$OUT/c1.log" &
C=$!; CPIDS="$CPIDS $C"
exec 3>"$OUT/fifo"
printf 'line one\n' >&3
wait_for "$OUT/r1.out" "line one"
signal INT $C
exec 3>&-
cat "$OUT/c1.log"
[ $rc = 130 ] || fail "l2cat exited $rc on SIGINT, expected 130"
grep -q "^l2cat: SIGINT: ending 1 channel" "$OUT/c1.log" || fail "no word of the interruption"
grep -q "^l2cat: sent 9 bytes in 1 SDUs, received 0 bytes in 0 SDUs, .*(channel closed locally" "$OUT/c1.log" \
	|| fail "no summary"
grep -q "^l2cat: interrupted (SIGINT)$" "$OUT/c1.log" || fail "no final word"
wait_listener "$OUT/l1.log"
cat "$OUT/l1.log"
grep -q "received 9 bytes in 1 SDUs, .*(channel disconnected by the peer" "$OUT/l1.log" \
	|| fail "the listener did not see the channel disconnected"
clean_link_down "$OUT/l1.log"
decodes "$OUT/c1.btsnoop" "L2CAP: Connection Request" "L2CAP: Disconnection Request" \
	"L2CAP: Disconnection Response" "Disconnect Complete"

echo "== 2. SIGTERM to l2cat --send in mid-transfer, with --btsnoop"
listen basic "$OUT/l2.log" --sink -l 0x1003
"$B/l2cat" -t $T -v --btsnoop "$OUT/c2.btsnoop" --send 1000000 --size 500 --rate 200k "$laddr" 0x1003 \
	2>"$OUT/c2.log" &
C=$!; CPIDS="$CPIDS $C"
wait_for "$OUT/c2.log" "connected to"
signal TERM $C
cat "$OUT/c2.log"
[ $rc = 143 ] || fail "l2cat exited $rc on SIGTERM, expected 143"
grep -q "^l2cat: SIGTERM: ending 1 channel" "$OUT/c2.log" || fail "no word of the interruption"
grep -q "^l2cat: sent [0-9]* bytes in [0-9]* SDUs, .*(channel closed locally; mtu 672/672 at the end; interrupted after [0-9]* of 1000000 SDUs)" \
	"$OUT/c2.log" || fail "no summary"
! grep -q "^l2cat: sent [0-9]* of 1000000 SDUs" "$OUT/c2.log" || fail "an interruption reported as a failure"
wait_listener "$OUT/l2.log"
cat "$OUT/l2.log"
clean_link_down "$OUT/l2.log"
decodes "$OUT/c2.btsnoop" "L2CAP: Connection Request" "L2CAP: Disconnection Request" \
	"L2CAP: Disconnection Response" "Disconnect Complete"

echo "== 3. SIGINT to an --echo listener serving a channel"
listen basic "$OUT/l3.log" --echo -l 0x1005
"$B/l2cat" -t $T -v "$laddr" 0x1005 <"$OUT/fifo" >"$OUT/c3.out" 2>"$OUT/c3.log" &
C=$!; CPIDS="$CPIDS $C"
exec 3>"$OUT/fifo"
printf 'echo me\n' >&3
wait_for "$OUT/c3.out" "echo me"
signal INT "$LPID"; LPID=
cat "$OUT/l3.log"
[ $rc = 130 ] || fail "listener exited $rc on SIGINT, expected 130"
grep -q "^l2cat: SIGINT: ending 1 channel" "$OUT/l3.log" || fail "no word of the interruption"
grep -q "^l2cat: sent 8 bytes in 1 SDUs, received 8 bytes in 1 SDUs, .*(channel closed locally" "$OUT/l3.log" \
	|| fail "no summary"
wait $C; rc=$?
exec 3>&-
cat "$OUT/c3.log"
[ $rc = 0 ] || fail "the listener's peer exited $rc"
grep -q "(channel disconnected by the peer" "$OUT/c3.log" || fail "the peer did not see the channel disconnected"
clean_link_down "$OUT/c3.log"

echo "== 4. SIGINT to a listener with no channel"
listen basic "$OUT/l4.log" -l 0x1007
signal INT "$LPID"; LPID=
cat "$OUT/l4.log"
[ $rc = 130 ] || fail "listener exited $rc on SIGINT, expected 130"
grep -q "^l2cat: SIGINT: ending 0 channels" "$OUT/l4.log" || fail "no word of the interruption"

echo "== 5. SIGINT to l2ping"
listen basic "$OUT/l5.log" -l 0x1009
$LAUNCH "$B/l2ping" -i $T --delay-ms 50 "$laddr" >"$OUT/p5.out" 2>"$OUT/p5.log" &
C=$!; CPIDS="$CPIDS $C"
wait_for "$OUT/p5.out" "^44 bytes from $laddr id 2 "
signal INT $C
cat "$OUT/p5.out" "$OUT/p5.log"
[ $rc = 130 ] || fail "l2ping exited $rc on SIGINT, expected 130"
grep -q "^\([0-9]*\) sent, \1 received, 0% loss" "$OUT/p5.out" || fail "no summary"
wait_for "$OUT/l5.log" "link down"
signal INT "$LPID"; LPID=
cat "$OUT/l5.log"
clean_link_down "$OUT/l5.log"
echo "PASS"
