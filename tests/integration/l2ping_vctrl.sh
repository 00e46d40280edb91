#!/bin/sh
# l2ping takes BlueZ's l2ping flags (-i controller, -s, -c, -t seconds, -d seconds, -f, -v) and
# prints like it.  Against vctrl:
#  1. an l2kit peer (l2cat -l): -i SPEC, -s, -c, -d 0 and -v: every answer carries the data sent,
#     exit 0; --transport is -i's long name, --delay-ms / -t accepted.
#  2. a peer answering with no data (as BTstack): without -v the answers count (exit 0); with -v
#     the first one ends the run as BlueZ's does: "Received 0 bytes, expected 44", exit 1.
#  3. a peer answering with other data of the same length: -v says "Response payload
#     different", exit 1; without -v the lines say "other data", exit 0.
#  4. a peer that answers each request only when the next one comes (late): with -t 1 every
#     request is lost, the late answer to request N is not taken for request N+1 (it used to
#     be: "44 bytes from ... id 1 ... other data"), and -t is seconds (3 requests end well
#     within the 30 s the default -t 10 would take).
#  5. vctrl -v (run for 1.) logged the ping's link made and ended, and each client's traffic.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2ping_vctrl"
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

# peer ECHO: start tests/vctrl_peer.py's BTstack-like host with that ECHO behaviour, sets $paddr
peer() {
	[ -n "$PEER" ] && { kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null; }
	rm -f "$OUT/peer.addr"
	python3 tests/vctrl_peer.py "$(cat "$OUT/port")" btstack "$OUT/peer.addr" 120 "$1" 2>>"$OUT/peer.log" &
	PEER=$!
	i=0; while [ ! -s "$OUT/peer.addr" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	[ -s "$OUT/peer.addr" ] || fail "the peer did not start: $(cat "$OUT/peer.log")"
	paddr=$(cat "$OUT/peer.addr")
}
# ping LOG WANT_RC ARGS...: run l2ping, stdout and stderr to LOG.out / LOG.err, check the status
ping() {
	log=$1 want=$2; shift 2
	timeout 60 "$B/l2ping" "$@" >"$OUT/$log.out" 2>"$OUT/$log.err"
	rc=$?
	cat "$OUT/$log.out" "$OUT/$log.err"
	[ $rc = "$want" ] || fail "l2ping $* exited $rc, expected $want"
}

vctrl -v

echo "== 1. an l2kit peer: -i, -s, -c, -d 0, -v"
listen basic "$OUT/l.log" -l 0x1001
ping p1 0 -i $T -s 100 -c 3 -d 0 -v $laddr
grep -q "^Ping: $laddr from [0-9A-F:]* (data size 100) \.\.\.$" "$OUT/p1.out" || fail "no Ping: header"
for id in 0 1 2; do
	grep -q "^100 bytes from $laddr id $id time [0-9.]*ms$" "$OUT/p1.out" || fail "no answer line for id $id"
done
grep -q "^3 sent, 3 received, 0% loss$" "$OUT/p1.out" || fail "wrong summary"
ping p1b 0 --transport $T -c 2 --delay-ms 10 -t 5 --verify $laddr
grep -q "^2 sent, 2 received, 0% loss$" "$OUT/p1b.out" || fail "wrong summary with the long options"
kill "$LPID"; wait "$LPID" 2>/dev/null; LPID=
# vctrl -v: the pinger's controller saw its link to the listener made and ended; the listener's
# client, when it went, had its traffic logged
i=0; while ! grep -q "bytes from the host" "$OUT/vctrl.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
grep -q "^vctrl: client [0-9]*: BR/EDR link to $laddr: status 0x00, handle 0x[0-9a-f]*$" "$OUT/vctrl.log" ||
	fail "vctrl -v logged no link to $laddr: $(cat "$OUT/vctrl.log")"
grep -q "^vctrl: client [0-9]*: link 0x[0-9a-f]* down: status 0x00, reason 0x[0-9a-f]*$" "$OUT/vctrl.log" ||
	fail "vctrl -v logged no link going down"
grep -qE "^vctrl: client [0-9]+: [0-9.]+ s, [1-9][0-9]* bytes from the host, [1-9][0-9]* bytes to it \([1-9][0-9]* events, [1-9][0-9]* ACL packets\)$" "$OUT/vctrl.log" ||
	fail "vctrl -v logged no traffic summary"

echo "== 2. empty answers: counted without -v, an error with -v"
peer empty
ping p2 0 -i $T -c 2 -f $paddr
grep -q "^2 sent, 2 received, 0% loss, 2 answered with other data than sent$" "$OUT/p2.out" || fail "wrong summary"
ping p2v 1 -i $T -c 3 -f -v $paddr
grep -q "^l2ping: Received 0 bytes, expected 44 (id 0)$" "$OUT/p2v.err" || fail "-v did not report the empty answer"
grep -q "bytes from" "$OUT/p2v.out" && fail "-v printed the mismatched answer as an answer"
grep -q "^1 sent, 1 received, 0% loss$" "$OUT/p2v.out" || fail "-v did not stop at the first mismatch"

echo "== 3. other data: -v says so"
peer other
ping p3 0 -i $T -c 2 -f $paddr
grep -q "^44 bytes from $paddr id 1 time .*(44 bytes sent, 44 back, other data)$" "$OUT/p3.out" || fail "other data not shown"
ping p3v 1 -i $T -c 2 -f -v $paddr
grep -q "^l2ping: Response payload different (id 0)$" "$OUT/p3v.err" || fail "-v did not report the other data"

echo "== 4. late answers: -t 1, each request lost, no answer taken for the next request's"
peer late
start=$(date +%s)
ping p4 1 -i $T -c 3 -f -t 1 $paddr
took=$(( $(date +%s) - start ))
grep -q "bytes from" "$OUT/p4.out" && fail "a late answer was taken for a later request"
for id in 0 1 2; do
	grep -q "^no response from $paddr: id $id$" "$OUT/p4.out" || fail "no 'no response' line for id $id"
done
grep -q "^3 sent, 0 received, 100% loss$" "$OUT/p4.out" || fail "wrong summary"
# -t 1 is one second per request; the default (10 s, or -t read as milliseconds) would be 30 s
[ "$took" -lt 25 ] || fail "3 requests with -t 1 took $took s: -t is not seconds"
echo "PASS"
