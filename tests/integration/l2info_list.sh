#!/bin/sh
# l2info --list: the controllers l2kit can open, without opening any.  On a machine with no USB
# Bluetooth dongle and no hciN (no AF_BLUETOOTH: no /sys/class/bluetooth) it says so in one
# line, naming why; elsewhere each line names a spec (usb:BUS-PORT or hciN).  --json is one
# array; --list with -t is a usage error.
BUILD=${BUILD:-build}
B="$BUILD/bin"
[ -x "$B/l2info" ] || { echo "skipped: $B/l2info is not built (make tools)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B/l2info" --list >"$D/out" 2>"$D/err" || fail "l2info --list exited $?: $(cat "$D/err")"
cat "$D/out"
if [ ! -d /sys/class/bluetooth ] && [ ! -d /dev/bus/usb ]; then
	# this machine: no dongle, no Bluetooth in the kernel
	[ "$(wc -l <"$D/out")" = 1 ] || fail "expected one line"
	grep -q "^no Bluetooth controller that l2kit can open was found" "$D/out" || fail "no 'none found' line"
	grep -q "no /sys/class/bluetooth" "$D/out" || fail "the line does not say why (no /sys/class/bluetooth)"
else
	while read -r spec rest; do
		case "$spec" in
		usb:*) echo "$rest" | grep -q "start-up: " || fail "a USB line that does not say whether it needs a vendor start-up: $spec $rest" ;;
		hci*) ;;
		no) grep -q "^no Bluetooth controller" "$D/out" || fail "bad line: $spec $rest" ;;
		"(") ;;
		*) fail "a line that names no spec: $spec $rest" ;;
		esac
	done <"$D/out"
fi
"$B/l2info" --list --json >"$D/json" 2>"$D/err" || fail "l2info --list --json exited $?"
python3 - "$D/json" "$D/out" <<'PY' || fail "--json: $(cat "$D/json")"
import json, sys
arr = json.load(open(sys.argv[1]))
assert isinstance(arr, list)
none = open(sys.argv[2]).read().startswith("no Bluetooth controller")
assert (len(arr) == 0) == none, (arr, none)
for e in arr:
    assert e["kind"] in ("usb", "hci") and e["spec"], e
    assert e["kind"] != "usb" or "vendor_startup" in e, e
PY
"$B/l2info" --list -t sim >/dev/null 2>"$D/err"; rc=$?
[ $rc = 2 ] || fail "--list -t sim exited $rc"
echo "PASS"
