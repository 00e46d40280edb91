#!/bin/sh
# A frozen controller (issue 23): vctrl stopped with SIGSTOP keeps its sockets open and answers
# nothing.  Both ends of a channel on it - the sender, whose ACL packets wait for Number Of
# Completed Packets, and the receiver, which hears nothing at all - must notice by the
# controller watchdogs (l2k_stack_opts.acl_tx_timeout_ms, default 2500 ms of silence, then a
# probe unanswered as long again: 5 s) and exit 1 with a clear message; so must l2ping.
# Processes on vctrl (simulated controllers over H4/TCP on 127.0.0.1, profile "unlimited");
# vctrl is stopped once data is seen arriving, and always continued (SIGCONT) before it goes.
#  1-3. l2cat --send (paced) to an l2cat -d listener, in Basic, ERTM and LE credit based mode.
#  4.   l2ping to a listener's controller, stopped after the first answers.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2cat_frozen_vctrl"
for t in l2cat l2ping vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
date +%s%N | grep -q '^[0-9]*$' || { echo "skipped: date +%s%N (GNU date) is needed to time the ends"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
CPIDS=
thaw() { [ -n "$VPID" ] && kill -CONT "$VPID" 2>/dev/null; }
cleanup_all() { thaw; for p in $CPIDS; do kill "$p" 2>/dev/null; done; cleanup; }
trap cleanup_all EXIT
# The watchdogs need at most 5 s after the freeze; the rest is room for a loaded machine.  Without
# them the tools hang (the issue saw more than 10 s) and are killed here at LIMIT.
LIMIT=20

freeze() { kill -STOP "$VPID"; T0=$(date +%s%N); }
# ends PID: wait for PID (a child of this shell) to end, killing it LIMIT s after the freeze (the
# test then fails); its exit status in $rc, the time from the freeze to its end in $ms
ends() {
	left=$(( LIMIT - ($(date +%s%N) - T0) / 1000000000 ))
	[ $left -gt 0 ] || left=1
	( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep $left & s=$!; wait $s && kill -KILL "$1" 2>/dev/null ) &
	wd=$!
	wait "$1"; rc=$?
	ms=$(( ($(date +%s%N) - T0) / 1000000 ))
	kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
	[ $rc != 137 ] || fail "pid $1 was still running $LIMIT s after vctrl was stopped"
}
# watchdog_said LOG: the tool said why it ended: the watchdog's verdict, the link ended by us
watchdog_said() {
	grep -q "^$2: controller: controller not responding: .*then no answer to a probe (command 0x1001, Read Local Version Information) within 2500 ms: ending every link$" "$1" \
		|| fail "$1: no word of the watchdog"
}

frozen() { # frozen NAME MODE PSM ADDRESS-SUFFIX
	name=$1 mode=$2 psm=$3 sfx=$4
	echo "== $name"
	vctrl --profile unlimited --type dual
	listen $mode "$OUT/$name-l.log" -d -l $psm >"$OUT/$name.out"
	"$B/l2cat" -t $T -v -m $mode --send 1000000 --size 200 --rate 100k "$laddr$sfx" $psm \
		2>"$OUT/$name-c.log" &
	C=$!; CPIDS="$CPIDS $C"
	i=0; while [ ! -s "$OUT/$name.out" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
	[ -s "$OUT/$name.out" ] || fail "$name: no data arrived: $(cat "$OUT/$name-c.log" "$OUT/$name-l.log")"
	freeze
	ends $C; crc=$rc cms=$ms
	ends $LPID; LPID=; lrc=$rc lms=$ms
	thaw
	for x in c l; do echo "-- $name-$x.log"; cat "$OUT/$name-$x.log"; done
	echo "$name: the sender exited $crc $cms ms after the freeze, the listener $lrc after $lms ms"
	[ $crc = 1 ] || fail "$name: the sender exited $crc, expected 1"
	[ $lrc = 1 ] || fail "$name: the listener exited $lrc, expected 1"
	for x in c l; do
		log="$OUT/$name-$x.log"
		watchdog_said "$log" l2cat
		grep -q "^l2cat: link down: handle 0x[0-9a-f]* (HCI 0x16: Connection Terminated by Local Host)$" "$log" \
			|| fail "$log: the link did not end (0x16)"
		grep -q "^l2cat: channel ended badly: the controller stopped responding (watchdog): every link ended$" "$log" \
			|| fail "$log: no verdict on the channel"
		grep -q "^l2cat: sent [0-9]* bytes in [0-9]* SDUs, received [0-9]* bytes in [0-9]* SDUs, .*(channel the controller stopped responding; " "$log" \
			|| fail "$log: no summary"
		grep -q "^l2cat: controller input discarded as malformed: none$" "$log" || fail "$log: no count of dropped input"
	done
	# the sender's packets were in the controller, never completed
	grep -q "ACL packets\{0,1\} without Number Of Completed Packets" "$OUT/$name-c.log" \
		|| fail "$name: the sender did not say its packets were stuck"
	grep -q "^l2cat: sent [0-9]* of 1000000 SDUs: the channel ended (the controller stopped responding)$" "$OUT/$name-c.log" \
		|| fail "$name: the sender did not say why it stopped sending"
}

frozen basic basic 0x1001 ""
frozen ertm ertm 0x1003 ""
frozen le le 0x0080 /le-public

echo "== l2ping"
vctrl --profile unlimited --type bredr
listen basic "$OUT/p-l.log" -l 0x1005
"$B/l2ping" -i $T --delay-ms 200 "$laddr" >"$OUT/p.out" 2>"$OUT/p.log" &
C=$!; CPIDS="$CPIDS $C"
i=0; while ! grep -q "^44 bytes from $laddr id 1 " "$OUT/p.out" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
grep -q "^44 bytes from $laddr id 1 " "$OUT/p.out" || fail "l2ping got no answers: $(cat "$OUT/p.out" "$OUT/p.log")"
freeze
ends $C; prc=$rc pms=$ms
ends $LPID; LPID=; lrc=$rc lms=$ms
thaw
cat "$OUT/p.out" "$OUT/p.log" "$OUT/p-l.log"
echo "l2ping exited $prc $pms ms after the freeze; the listener (its controller serving the link) $lrc after $lms ms"
[ $prc = 1 ] || fail "l2ping exited $prc, expected 1"
watchdog_said "$OUT/p.log" l2ping
grep -q "^l2ping: the controller stopped responding: .*the link to $laddr ended$" "$OUT/p.log" \
	|| fail "l2ping did not say the controller stopped responding"
grep -q "^[0-9]* sent, [0-9]* received, [0-9]*% loss" "$OUT/p.out" || fail "l2ping printed no summary"
# the listener had the link only: its accept fails with the controller's end
[ $lrc = 1 ] || fail "the listener exited $lrc, expected 1"
watchdog_said "$OUT/p-l.log" l2cat
echo "ok: every tool on the frozen controller ended within $LIMIT s, saying why"
