#!/bin/sh
# The Windows build's usb transport under Wine (`make check-windows`): libusb-1.0.dll is loaded
# at run time (transport/usb_dl_win.c).  Checks that
#   - without the DLL, l2cat.exe -t usb says which file is missing and where to get it, and exits
#     non-zero (l2info.exe --list says it too);
#   - with a stand-in DLL that lacks a function (WIN_BUILD/usbstub/partial), the error names it;
#   - with the complete stand-in (WIN_BUILD/usbstub/full: tests/win/libusb_stub.c, a libusb with no
#     devices), every function resolves and l2cat.exe reports that no USB Bluetooth controller is
#     plugged in.
# Each case runs a copy of l2cat.exe in a folder of its own (Windows looks for DLLs beside the
# program first).
#   tests/win/usb_wine.sh WIN_BUILD        Exit 0 pass, 1 fail, 77 skipped (says why).
WB=${1:-build-win}
fail() { echo "FAIL: $*"; exit 1; }
command -v wine >/dev/null 2>&1 || { echo "skipped: wine not found"; exit 77; }
[ -f "$WB/usbstub/full/libusb-1.0.dll" ] ||
	{ echo "skipped: $WB/usbstub is not built (no libusb.h: Debian libusb-1.0-0-dev)"; exit 77; }
WB=$(cd "$WB" && pwd)
if [ -n "$WINE_KEEP_PREFIX" ]; then WINEPREFIX=$WINE_KEEP_PREFIX; mkdir -p "$WINEPREFIX"
else WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/l2kit-wine.XXXXXX") || exit 1; fi
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
OUT=$WB/artifacts/usb_wine
cleanup() {
	wineserver -k >/dev/null 2>&1
	[ -n "$WINE_KEEP_PREFIX" ] || rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
rm -rf "$OUT"; mkdir -p "$OUT"
timeout 300 wine cmd /c exit >/dev/null 2>&1 # (creates the prefix)

# setup NAME [STUB]: a folder with l2cat.exe, l2info.exe, their DLLs and the stub named
setup() {
	mkdir -p "$OUT/$1"
	cp "$WB/bin/l2cat.exe" "$WB/bin/l2info.exe" "$OUT/$1/"
	for d in "$WB"/bin/*.dll; do [ -f "$d" ] && cp "$d" "$OUT/$1/"; done
	[ -n "$2" ] && cp "$WB/usbstub/$2/libusb-1.0.dll" "$OUT/$1/"
	return 0
}
# run NAME ARGS...: l2cat.exe's first line of output in $line, its exit status in $rc
run() {
	d=$1; shift
	timeout 120 wine "$OUT/$d/l2cat.exe" "$@" </dev/null >"$OUT/$d.out" 2>&1
	rc=$?
	line=$(head -n 1 "$OUT/$d.out" | tr -d '\r')
}

setup none
run none -t usb 00:11:22:33:44:55 0x1001
[ $rc != 0 ] || fail "without libusb-1.0.dll l2cat.exe exited 0: $line"
case "$line" in
*"usb: cannot load libusb-1.0.dll"*"https://libusb.info"*"WinUSB"*"Zadig (docs/windows.md)") ;;
*) fail "without libusb-1.0.dll: '$line'" ;;
esac
echo "ok   no libusb-1.0.dll: exit $rc, $line"
timeout 120 wine "$OUT/none/l2info.exe" --list </dev/null >"$OUT/none-list.out" 2>&1
grep -q "cannot load libusb-1.0.dll" "$OUT/none-list.out" ||
	{ cat "$OUT/none-list.out"; fail "l2info.exe --list does not say libusb-1.0.dll is missing"; }
echo "ok   no libusb-1.0.dll: l2info.exe --list says so"

setup partial partial
run partial -t usb 00:11:22:33:44:55 0x1001
[ $rc != 0 ] || fail "with an incomplete libusb-1.0.dll l2cat.exe exited 0: $line"
case "$line" in
*"usb: libusb-1.0.dll has no function libusb_get_next_timeout"*) ;;
*) fail "with an incomplete libusb-1.0.dll: '$line'" ;;
esac
echo "ok   incomplete libusb-1.0.dll: exit $rc, $line"

setup full full
run full -t usb 00:11:22:33:44:55 0x1001
[ $rc != 0 ] || fail "with no USB device l2cat.exe exited 0: $line"
case "$line" in
*"usb: no USB Bluetooth controller found"*"Device Manager"*) ;;
*) fail "with the stand-in libusb-1.0.dll (the hint names Windows' Device Manager, not lsusb): '$line'" ;;
esac
echo "ok   stand-in libusb-1.0.dll (no devices): exit $rc, $line"
run full -t usb:0a12:0001 00:11:22:33:44:55 0x1001
case "$line" in
*"usb:0a12:0001: no USB device 0a12:0001 is plugged in"*) ;;
*) fail "usb:0a12:0001 with the stand-in libusb-1.0.dll: '$line'" ;;
esac
echo "ok   stand-in libusb-1.0.dll, usb:0a12:0001: $line"
echo "usb_wine: all passed"
