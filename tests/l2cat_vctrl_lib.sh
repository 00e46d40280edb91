# Shared by the l2cat-over-vctrl integration tests (tests/integration/l2cat_*vctrl.sh), sourced
# after they set B (the binaries) and OUT (their artifact folder).
VPID=
LPID=
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; [ -n "$VPID" ] && kill "$VPID" 2>/dev/null; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }  # stderr: listen may run with stdout to a data file

# vctrl ARGS...: start a fresh vctrl on a free TCP port with ARGS (--profile, --type), sets $T
vctrl() {
	[ -n "$VPID" ] && { kill "$VPID"; wait "$VPID" 2>/dev/null; }
	rm -f "$OUT/port"
	"$B/vctrl" --listen tcp:127.0.0.1:0 --port-file "$OUT/port" "$@" >>"$OUT/vctrl.log" 2>&1 &
	VPID=$!
	i=0; while [ ! -s "$OUT/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	[ -s "$OUT/port" ] || fail "vctrl did not start: $(cat "$OUT/vctrl.log")"
	T=tcp:127.0.0.1:$(cat "$OUT/port")
}

# listen MODE LOG ARGS...: start an l2cat listener in MODE, wait (up to 20 s, while it lives)
# until it listens, sets $laddr.  $LAUNCH (if set) is put before the command (e.g. "env
# --default-signal=INT" for a listener that is to get SIGINT).
listen() {
	mode=$1 log=$2; shift 2
	$LAUNCH "$B/l2cat" -t $T -v -m $mode "$@" 2>"$log" &
	LPID=$!
	i=0; while ! grep -q "listening on" "$log" 2>/dev/null && [ $i -lt 200 ] && kill -0 $LPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q "listening on" "$log" || fail "listener did not start: $(cat "$log")"
	laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$log")
}

wait_listener() {
	wait "$LPID"; rc=$?; LPID=
	[ $rc = 0 ] || { cat "$1"; fail "listener exited $rc"; }
}

same() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] || fail "$2 differs from $1"; echo "sha256 match: $2 $(sha256sum <"$1")"; }
