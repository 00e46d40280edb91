#!/bin/sh
# The VM interop scenario's l2kit program (tests/progs/vm_xfer) in Basic mode on vctrl, with a
# listener whose reader starts 2 s late (the machine-load failure of the VM scenario, made
# certain): 2 MiB each way at once, sha256 compared, nothing dropped.
#  1. controller-to-host flow control on (vctrl has it): the listener's receive queue keeps its
#     default bound; the full queue holds the link and the sender waits.
#  2. flow control off (--no-ctrl-flow, as with BlueZ's emulator in the VM): vm_xfer's receive
#     queue holds the whole transfer.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/xfer_slow_reader_vctrl"
X="$BUILD/tests/progs/vm_xfer"
for t in "$X" "$BUILD/bin/vctrl"; do
	[ -x "$t" ] || { echo "skipped: $t is not built (make tests)"; exit 77; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
BYTES=2097152
head -c $BYTES /dev/urandom >"$OUT/l.bin" # the listener sends it
head -c $BYTES /dev/urandom >"$OUT/c.bin" # the connecting side sends it
. tests/l2cat_vctrl_lib.sh

run() { # run NAME LISTENER-OPTIONS...
	name=$1; shift
	echo "== $name"
	vctrl --profile unlimited --type bredr
	rm -f "$OUT/ready" "$OUT/l.got" "$OUT/c.got"
	"$X" -t $T --timeout 60000 --ready-file "$OUT/ready" --read-delay 2000 "$@" \
		listen 0x1001 basic "$OUT/l.bin" "$OUT/l.got" $BYTES >"$OUT/$name-listen.log" 2>&1 &
	LPID=$!
	i=0; while [ ! -e "$OUT/ready" ] && [ $i -lt 200 ] && kill -0 $LPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	[ -e "$OUT/ready" ] || { cat "$OUT/$name-listen.log"; fail "$name: listener did not start"; }
	addr=$(sed -n 's/^vm_xfer: \([0-9A-F:]*\) listening on.*/\1/p' "$OUT/$name-listen.log")
	"$X" -t $T --timeout 60000 connect "$addr" 0x1001 basic "$OUT/c.bin" "$OUT/c.got" $BYTES \
		>"$OUT/$name-connect.log" 2>&1 || { cat "$OUT/$name-connect.log" "$OUT/$name-listen.log"; fail "$name: connecting side"; }
	wait_listener "$OUT/$name-listen.log"
	cat "$OUT/$name-listen.log" "$OUT/$name-connect.log"
	grep -q "dropped" "$OUT/$name-listen.log" && fail "$name: the listener dropped SDUs"
	same "$OUT/c.bin" "$OUT/l.got"
	same "$OUT/l.bin" "$OUT/c.got"
}

run flow-control-on
grep -q "controller-to-host flow control on; receive queue the default" "$OUT/flow-control-on-listen.log" ||
	fail "flow control was not on, or the queue was enlarged"
run flow-control-off --no-ctrl-flow
grep -q "controller-to-host flow control off; receive queue $((BYTES + 65536)) bytes" "$OUT/flow-control-off-listen.log" ||
	fail "without flow control the queue did not hold the transfer"
echo "PASS"
