#!/bin/sh
# VM scenario 2 (tests/vm/scenario_usb.sh): l2kit over libusb on a USB Bluetooth dongle made of a
# FunctionFS gadget on QEMU's guest dummy host controller, bridged to a btvirt controller:
# found by "usb", "usb:VID:PID", "usb:BUS-PORT"; Basic and LE credit based channels with the
# kernel both ways; btusb detached at open and re-attached at close; unplugged mid-transfer.
# First, on this host: the usb spec's messages, and a build without libusb saying so.
# Skips (77) when QEMU is not installed; logs and btsnoop captures in BUILD/artifacts/vm_usb.
BUILD=${BUILD:-build}
# once per suite: not again inside the sanitizer/valgrind re-runs (they would double the VM time;
# VM_NESTED=1 allows it)
[ -n "$L2K_NESTED" ] && [ -z "$VM_NESTED" ] && { echo "skip: the VM scenarios run in the top-level suite only"; exit 77; }
if [ -x "$BUILD/bin/l2info" ]; then
	msg=$("$BUILD/bin/l2info" -t usb:12345 2>&1)
	echo "usb:12345 -> $msg"
	echo "$msg" | grep -q "bad USB device selector '12345'" || { echo "FAIL: usb:12345 not refused as a bad selector"; exit 1; }
	msg=$("$BUILD/bin/l2info" -t usb:ffff:fffe#2 2>&1)
	echo "usb:ffff:fffe#2 -> $msg"
	if pkg-config --exists libusb-1.0 2>/dev/null; then
		echo "$msg" | grep -q "no USB device ffff:fffe is plugged in" || { echo "FAIL: usb:ffff:fffe#2: unclear message"; exit 1; }
	else
		echo "$msg" | grep -q "libusb support not built" || { echo "FAIL: usb without libusb: unclear message"; exit 1; }
	fi
fi
# The same library built without libusb must refuse "usb" plainly.
NB="$BUILD/nolibusb"
if make --no-print-directory BUILD="$NB" HAVE_LIBUSB=0 "$NB/bin/l2info" >"$BUILD/nolibusb.log" 2>&1; then
	msg=$("$NB/bin/l2info" -t usb 2>&1)
	echo "built without libusb: usb -> $msg"
	echo "$msg" | grep -q "libusb support not built" || { echo "FAIL: a build without libusb does not say so"; exit 1; }
else
	cat "$BUILD/nolibusb.log"; echo "FAIL: the library does not build without libusb"; exit 1
fi
exec sh tests/vm/run.sh "$BUILD" usb
