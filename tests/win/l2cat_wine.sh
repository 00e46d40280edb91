#!/bin/sh
# The Windows tools under Wine against Linux processes (`make check-windows`, after the unit
# tests): vctrl (Linux) serves the controllers over TCP; for each of basic, ertm and le, N bytes
# go from l2cat.exe (Wine) to l2cat (Linux) and back the other way, sha256-checked; l2ping.exe
# round trips to a Linux l2cat; l2cat.exe over serial:COM9 (a Linux pty carried to vctrl by
# tests/win/pty_bridge.py) sends to a Linux l2cat in ERTM; a bad transport spec gives l2cat.exe
# the same error as l2cat; l2demo.exe prints what l2demo prints (the simulator's virtual clock
# makes both runs the same to the byte).
#   tests/win/l2cat_wine.sh WIN_BUILD HOST_BUILD [BYTES]     (BYTES default 1 MiB)
# Exit 0 pass, 1 fail, 77 skipped (says why).
WB=${1:-build-win}
HB=${2:-build}
BYTES=${3:-1048576}
fail() { echo "FAIL: $*"; exit 1; }
command -v wine >/dev/null 2>&1 || { echo "skipped: wine not found"; exit 77; }
for t in "$HB/bin/vctrl" "$HB/bin/l2cat" "$HB/bin/l2demo" "$WB/bin/l2cat.exe" "$WB/bin/l2ping.exe" \
	"$WB/bin/l2demo.exe"; do
	[ -x "$t" ] || [ -f "$t" ] || { echo "skipped: $t is not built"; exit 77; }
done
OUT="$WB/artifacts/l2cat_wine"
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HB=$(cd "$HB" && pwd)
WB=$(cd "$WB" && pwd)
# a Wine prefix of its own in a temporary folder (WINE_KEEP_PREFIX=DIR: that one), its
# wineserver killed at the end; every Wine program runs under a timeout
if [ -n "$WINE_KEEP_PREFIX" ]; then WINEPREFIX=$WINE_KEEP_PREFIX; mkdir -p "$WINEPREFIX"
else WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/l2kit-wine.XXXXXX") || exit 1; fi
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
VPID= LPID= BPID=
cleanup() {
	[ -n "$BPID" ] && kill "$BPID" 2>/dev/null
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null
	wait 2>/dev/null
	wineserver -k >/dev/null 2>&1
	[ -n "$WINE_KEEP_PREFIX" ] || rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
timeout 300 wine cmd /c exit >/dev/null 2>&1 # (creates the prefix)

"$HB/bin/vctrl" --listen tcp:127.0.0.1:0 --port-file "$OUT/port" >"$OUT/vctrl.log" 2>&1 &
VPID=$!
i=0; while [ ! -s "$OUT/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$OUT/port" ] || fail "vctrl did not start: $(cat "$OUT/vctrl.log")"
T=tcp:127.0.0.1:$(cat "$OUT/port")
head -c "$BYTES" /dev/urandom >"$OUT/in.bin"

# listen WHO MODE LOG PSM: an l2cat (WHO linux / wine) receiving into $OUT/out.bin; sets laddr
listen() {
	who=$1 mode=$2 log=$3 psm=$4
	if [ "$who" = wine ]; then
		timeout 900 wine "$WB/bin/l2cat.exe" -t $T -v -m $mode -d -l $psm >"$OUT/out.bin" 2>"$log" &
	else
		"$HB/bin/l2cat" -t $T -v -m $mode -d -l $psm >"$OUT/out.bin" 2>"$log" &
	fi
	LPID=$!
	i=0; while ! grep -q "listening on" "$log" 2>/dev/null && [ $i -lt 300 ] && kill -0 $LPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q "listening on" "$log" || fail "$who listener did not start: $(cat "$log")"
	laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$log" | tr -d '\r')
}

n=0
for mode in basic ertm le; do
	for dir in wine-to-linux linux-to-wine; do
		n=$((n+1))
		if [ $mode = le ]; then psm=$(printf 0x%02x $((0x80 + n))); else psm=$(printf 0x%04x $((0x1001 + 2 * n))); fi
		if [ $dir = wine-to-linux ]; then lw=linux sw=wine; else lw=wine sw=linux; fi
		listen $lw $mode "$OUT/l$n.log" $psm
		dest=$laddr; [ $mode = le ] && dest=$laddr/le-public
		t0=$(date +%s.%N)
		if [ $sw = wine ]; then
			timeout 600 wine "$WB/bin/l2cat.exe" -t $T -v -m $mode $dest $psm <"$OUT/in.bin" 2>"$OUT/s$n.log"
		else
			timeout 600 "$HB/bin/l2cat" -t $T -v -m $mode $dest $psm <"$OUT/in.bin" 2>"$OUT/s$n.log"
		fi
		rc=$?
		t1=$(date +%s.%N)
		[ $rc = 0 ] || { cat "$OUT/s$n.log" "$OUT/l$n.log"; fail "$mode $dir: the sender exited $rc"; }
		wait $LPID; lrc=$?; LPID=
		[ $lrc = 0 ] || { cat "$OUT/l$n.log"; fail "$mode $dir: the listener exited $lrc"; }
		[ "$(sha256sum <"$OUT/in.bin")" = "$(sha256sum <"$OUT/out.bin")" ] ||
			fail "$mode $dir: what arrived differs ($(wc -c <"$OUT/out.bin") of $BYTES bytes)"
		echo "ok   $mode $dir: $BYTES bytes, sha256 equal, $(echo "$t1 - $t0" | bc) s"
	done
done

listen linux basic "$OUT/lp.log" 0x1011
timeout 60 wine "$WB/bin/l2ping.exe" -i $T -s 100 -c 3 -d 0 -v $laddr >"$OUT/ping.out" 2>&1 ||
	{ cat "$OUT/ping.out"; fail "l2ping.exe failed"; }
grep -q "^3 sent, 3 received, 0% loss" "$OUT/ping.out" || { cat "$OUT/ping.out"; fail "l2ping.exe: wrong summary"; }
kill $LPID; wait $LPID 2>/dev/null; LPID=
echo "ok   l2ping.exe: 3 sent, 3 received"

mkdir -p "$WINEPREFIX/dosdevices"
python3 tests/win/pty_bridge.py "$(cat "$OUT/port")" "$WINEPREFIX/dosdevices/com9" >"$OUT/bridge.log" 2>&1 &
BPID=$!
i=0; while [ ! -s "$OUT/bridge.log" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$OUT/bridge.log" ] || fail "pty_bridge did not start"
listen linux ertm "$OUT/lser.log" 0x1021
timeout 600 wine "$WB/bin/l2cat.exe" -t serial:COM9,921600 -v -m ertm $laddr 0x1021 <"$OUT/in.bin" 2>"$OUT/sser.log" ||
	{ cat "$OUT/sser.log" "$OUT/lser.log"; fail "serial: the sender failed"; }
wait $LPID; lrc=$?; LPID=
[ $lrc = 0 ] || { cat "$OUT/lser.log"; fail "serial: the listener exited $lrc"; }
[ "$(sha256sum <"$OUT/in.bin")" = "$(sha256sum <"$OUT/out.bin")" ] || fail "serial: what arrived differs"
kill $BPID 2>/dev/null; wait $BPID 2>/dev/null; BPID=
echo "ok   serial:COM9 (pty) ertm wine-to-linux: $BYTES bytes, sha256 equal"

for spec in bogus:x tcp: tcp:127.0.0.1:1 serial:COM99; do
	want=$("$HB/bin/l2cat" -t $spec 00:11:22:33:44:55 0x1001 2>&1 </dev/null | head -n 1)
	got=$(timeout 60 wine "$WB/bin/l2cat.exe" -t $spec 00:11:22:33:44:55 0x1001 2>&1 </dev/null | head -n 1 | tr -d '\r')
	[ "$want" = "$got" ] || fail "spec $spec: l2cat.exe said '$got', l2cat '$want'"
	echo "ok   spec $spec: $got"
done
"$HB/bin/l2demo" >"$OUT/demo-linux.txt" 2>&1 || fail "l2demo failed"
timeout 300 wine "$WB/bin/l2demo.exe" 2>&1 | tr -d '\r' >"$OUT/demo-wine.txt"
diff "$OUT/demo-linux.txt" "$OUT/demo-wine.txt" >"$OUT/demo.diff" || { cat "$OUT/demo.diff"; fail "l2demo.exe printed otherwise"; }
echo "ok   l2demo.exe: every mode delivered every byte, the same table as l2demo"
echo "l2cat_wine: all passed"
