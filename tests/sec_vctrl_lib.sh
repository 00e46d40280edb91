# Shared by the security tests of the tools over vctrl (tests/integration/sec_*_vctrl.sh),
# sourced after they set B (the binaries), OUT (their artifact folder) and cd to the source tree.
#
# One vctrl (timing profile "unlimited") with three unix socket listeners that hand out fixed
# controller addresses, so that a bonded pair reconnecting from new processes finds its keys:
#   $TA  -> controller $A           $TB -> controller $BD
#   $TC  -> controller $C, with the sec-fault nc-mismatch (a man in the middle on BR/EDR)
#   $TD  -> controller $D, with the sec-fault reject (its controller refuses every pairing)
# The data: $OUT/in10.bin (10 MiB) and $OUT/in1.bin (1 MiB) of random bytes.
A=00:AA:01:00:00:01
BD=00:AA:01:00:00:02
C=00:AA:01:00:00:03
D=00:AA:01:00:00:04
TA=unix:$OUT/a.sock
TB=unix:$OUT/b.sock
TC=unix:$OUT/c.sock
TD=unix:$OUT/d.sock
VPID=
LPID=
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; [ -n "$VPID" ] && kill "$VPID" 2>/dev/null; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PTY="python3 tests/sec_pty_agent.py"

head -c 10485760 /dev/urandom >"$OUT/in10.bin"
head -c 1048576 /dev/urandom >"$OUT/in1.bin"

start_vctrl() {
	"$B/vctrl" --profile unlimited --listen "$TA,addr=$A" --listen "$TB,addr=$BD" \
		--listen "$TC,addr=$C,sec-fault=nc-mismatch" --listen "$TD,addr=$D,sec-fault=reject" \
		>>"$OUT/vctrl.log" 2>&1 &
	VPID=$!
	_i=0; while [ ! -S "$OUT/d.sock" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i+1)); done
	[ -S "$OUT/d.sock" ] || fail "vctrl did not start: $(cat "$OUT/vctrl.log")"
}

# slisten NAME SPEC ARGS...: an l2cat listener (-v, -d: receive only, stdout to $OUT/NAME.out,
# stderr to $OUT/NAME.log) on SPEC, started with $WRAP before it when set; waits until it
# listens (while it lives, up to 20 s).
# (the helpers' variables start with _: sh has no local variables)
slisten() {
	_n=$1 _s=$2; shift 2
	$WRAP "$B/l2cat" -t "$_s" -v -d "$@" >"$OUT/$_n.out" 2>"$OUT/$_n.log" &
	LPID=$!
	_i=0; while ! grep -q "listening on" "$OUT/$_n.log" 2>/dev/null && [ $_i -lt 200 ] && kill -0 $LPID 2>/dev/null; do
		sleep 0.1; _i=$((_i+1))
	done
	grep -q "listening on" "$OUT/$_n.log" || fail "listener $_n did not start: $(cat "$OUT/$_n.log")"
}

# lwait NAME: the listener ends by itself (exit 0 wanted)
lwait() {
	wait "$LPID"; lrc=$?; LPID=
	[ $lrc = 0 ] || { cat "$OUT/$1.log"; fail "listener $1 exited $lrc"; }
}

# lstop NAME: a listener that got no channel is ended with SIGTERM (exit 143 wanted)
lstop() {
	kill -TERM "$LPID"; wait "$LPID"; lrc=$?; LPID=
	[ $lrc = 143 ] || { cat "$OUT/$1.log"; fail "listener $1 exited $lrc on SIGTERM, expected 143"; }
}

# sconnect NAME SPEC INPUT ARGS...: an l2cat connecting on SPEC (-v, stdin from INPUT, stderr to
# $OUT/NAME.log), with $WRAP before it when set; its exit status in $crc
sconnect() {
	_n=$1 _s=$2 _in=$3; shift 3
	timeout 120 $WRAP "$B/l2cat" -t "$_s" -v "$@" <"$_in" 2>"$OUT/$_n.log"
	crc=$?
}

same() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] || fail "$2 differs from $1"; echo "sha256 match: $2"; }

# has NAME TEXT: $OUT/NAME.log contains TEXT (a fixed string)
has() { grep -qF -- "$2" "$OUT/$1.log" || { cat "$OUT/$1.log"; fail "$1: no '$2'"; }; }
hasnt() { ! grep -qF -- "$2" "$OUT/$1.log" || { cat "$OUT/$1.log"; fail "$1: '$2' should not be there"; }; }

# nc_value NAME: the number the numeric comparison showed in $OUT/NAME.log
nc_value() { sed -n 's/.*numeric comparison with .*: \([0-9]\{6\}\), accepted.*/\1/p' "$OUT/$1.log" | head -n 1; }

# no_bond FILE: the key store FILE holds no bond (a missing file is an empty store; l2pair
# --list, on controller D, prints none)
no_bond() {
	if [ -e "$1" ]; then
		"$B/l2pair" -t "$TD" --keys "$1" --list >"$OUT/list.out" 2>"$OUT/list.err" || fail "l2pair --list $1 failed: $(cat "$OUT/list.err")"
		[ ! -s "$OUT/list.out" ] || fail "$1 holds a bond: $(cat "$OUT/list.out")"
	fi
	echo "no bond in $1"
}
