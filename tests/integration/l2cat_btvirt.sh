#!/bin/sh
# l2cat and l2ping between l2kit hosts on BlueZ's emulator (btvirt: every connection to
# unix:/tmp/bt-server-bredr is a new BR/EDR controller with one 192-byte ACL buffer, address
# 00:AA:01:NN:00:42 with the lowest free NN - the listener's own log tells which).  btvirt runs
# through tests/with_btvirt.sh (a private mount namespace with its own /tmp).
#  1. 10 MiB in Basic mode: listener (-d, stdout to a file) and sender (stdin from a file) both
#     exit 0 and the sha256 sums match.  Paced with --rate 1500k (about 7 s): btvirt hands a
#     host its packets with send(MSG_DONTWAIT) and silently DROPS them when that host has not
#     read its socket in time (emulator/server.c), and Basic mode has no flow control to stop
#     the sender - so at full speed (about 8 MB/s here) a receiver that loses the CPU for a few
#     milliseconds loses data.  A real controller does not drop what its host reads late.
#  2. --send/--verify against an --echo listener (Basic, MTU 4000, windowed so nothing drops).
#  3. A connect to a PSM nobody serves fails with exit 1 and names the refusal.
#  4. l2ping against a passive l2kit host (l2cat -l): 0% loss, exit 0; to an absent address:
#     exit 1 naming the Page Timeout.
#  5. The btsnoop capture of the sender decodes with btmon (when installed).
# When btvirt itself drops data in step 1 (the receiver's capture shows less ACL data than the
# sender's), the transfer is tried again, up to 3 times; data lost inside l2kit fails at once.
BUILD=${BUILD:-build}
export BUILD
OUT="$BUILD/artifacts/l2cat_btvirt"
for t in l2cat l2ping; do
	[ -x "$BUILD/bin/$t" ] || { echo "FAIL: $BUILD/bin/$t not built (make tools)"; exit 1; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$(cd "$BUILD" && pwd)/bin
head -c 10485760 /dev/urandom >"$OUT/in.bin"

sh tests/with_btvirt.sh sh -c '
OUT=$0; B=$1
T=unix:/tmp/bt-server-bredr
fail() { echo "FAIL: $*" >&2; exit 1; }  # stderr: listen runs with stdout to a data file
# Start a listener and wait until it listens (so controllers are numbered in order).
listen() { # LOG ARGS...
	log=$1; shift
	"$B/l2cat" -t $T -v "$@" 2>"$log" &
	lpid=$!
	i=0; while ! grep -q "listening on" "$log" 2>/dev/null && [ $i -lt 200 ] && kill -0 $lpid 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q "listening on" "$log" || fail "listener did not start: $(cat "$log")"
	laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$log")
}

echo "== 1. 10 MiB, Basic mode"
# ACL payload bytes a capture shows going out (0) or coming in (1)
acl_bytes() {
	[ "$2" = 0 ] && d=out || d=in
	python3 tests/btsnoop_check.py "$1" --acl-bytes $d
}
attempt=1
while :; do
	listen "$OUT/listen1.log" -d --btsnoop "$OUT/listener.btsnoop" -l 0x1001 >"$OUT/out.bin"
	start=$(date +%s.%N)
	"$B/l2cat" -t $T -v --btsnoop "$OUT/sender.btsnoop" --rate 1500k $laddr 0x1001 <"$OUT/in.bin" 2>"$OUT/send1.log"
	src=$?
	wait $lpid; lrc=$?
	end=$(date +%s.%N)
	cat "$OUT/send1.log" "$OUT/listen1.log"
	a=$(sha256sum <"$OUT/in.bin"); b=$(sha256sum <"$OUT/out.bin")
	echo "sha256 in  $a"; echo "sha256 out $b"
	[ $src = 0 ] && [ $lrc = 0 ] && [ "$a" = "$b" ] && break
	# Tell losses in the emulator from ours: what left the HCI of the sender against what
	# reached the HCI of the receiver.
	sent=$(acl_bytes "$OUT/sender.btsnoop" 0); got=$(acl_bytes "$OUT/listener.btsnoop" 1)
	echo "ACL payload out of the sender $sent, into the receiver $got"
	[ "$got" -lt "$sent" ] || fail "data lost or damaged inside l2kit (sender exit $src, listener exit $lrc)"
	echo "btvirt dropped $((sent - got)) bytes between the hosts (the receiver read its socket late): not a fault of l2kit"
	[ $attempt -lt 3 ] || { echo "skipped: btvirt dropped data in 3 attempts (machine too loaded for Basic mode over btvirt)"; exit 77; }
	attempt=$((attempt + 1))
	echo "-- attempt $attempt"
done
echo "10 MiB in $(echo "$end - $start" | bc 2>/dev/null || echo "?") s"

echo "== 2. echo and verify, MTU 4000 (ERTM: btvirt drops what a slow host reads late, and the echo must not depend on that)"
listen "$OUT/listen2.log" -m ertm --echo --mtu 4000 -l 0x1003
"$B/l2cat" -t $T -v -m ertm --mtu 4000 --send 1000 --verify $laddr 0x1003 2>"$OUT/send2.log" \
	|| { cat "$OUT/send2.log" "$OUT/listen2.log"; fail "verify sender exited non-zero"; }
wait $lpid || { cat "$OUT/listen2.log"; fail "echo listener exited non-zero"; }
cat "$OUT/send2.log"
grep -q "verify: 1000 echoes intact" "$OUT/send2.log" || fail "verify did not report 1000 intact echoes"

echo "== 3. refused connect"
listen "$OUT/listen3.log" -d -l 0x1005 >/dev/null
"$B/l2cat" -t $T $laddr 0x1007 </dev/null 2>"$OUT/send3.log" && fail "connect to an unserved PSM succeeded"
cat "$OUT/send3.log"
grep -q "refused by the peer (result 0x0002: PSM not supported)" "$OUT/send3.log" || fail "refusal not named"

echo "== 4. l2ping against the passive host"
"$B/l2ping" -i $T -c 4 --delay-ms 50 $laddr >"$OUT/ping.log" 2>&1 || { cat "$OUT/ping.log"; fail "l2ping exited non-zero"; }
cat "$OUT/ping.log"
grep -q "^Ping: $laddr from 00:AA:01:..:00:42 (data size 44)" "$OUT/ping.log" || fail "no Ping header"
[ "$(grep -c "^44 bytes from $laddr id [0-9]* time [0-9.]*ms" "$OUT/ping.log")" = 4 ] || fail "not 4 answers"
grep -q "^4 sent, 4 received, 0% loss" "$OUT/ping.log" || fail "no summary"
"$B/l2ping" -i $T -c 1 00:AA:01:77:00:42 >"$OUT/ping2.log" 2>&1 && fail "l2ping to an absent address succeeded"
cat "$OUT/ping2.log"
grep -q "Page Timeout" "$OUT/ping2.log" || fail "absent peer: cause not named"
kill $lpid 2>/dev/null
exit 0
' "$OUT" "$BIN"
rc=$?
[ $rc = 0 ] || exit $rc

if command -v btmon >/dev/null; then
	btmon -r "$OUT/sender.btsnoop" >"$OUT/sender.btmon.txt" 2>&1 || { echo "FAIL: btmon cannot read the capture"; exit 1; }
	grep -q "L2CAP: Connection Request" "$OUT/sender.btmon.txt" || { echo "FAIL: no Connection Request in the capture"; exit 1; }
	grep -q "L2CAP: Disconnection Response" "$OUT/sender.btmon.txt" || { echo "FAIL: no Disconnection Response in the capture"; exit 1; }
	echo "btmon: capture decodes ($(grep -c "ACL Data TX" "$OUT/sender.btmon.txt") ACL packets out)"
fi
echo "PASS"
