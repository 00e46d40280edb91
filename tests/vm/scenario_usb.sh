# Scenario 2 (sourced by guest.sh, inside the VM): l2kit over libusb.  A USB gadget on the dummy
# host controller (dummy_hcd + configfs + FunctionFS) presents a Bluetooth dongle - class
# E0/01/01, interrupt IN, bulk IN, bulk OUT, HCI commands as class control requests - whose
# endpoints tests/vm/usb_bridge.c bridges to btvirt's controller hci2 (through its HCI user
# channel), on the same air as the kernel's hci0.  Shows:
#   - the device found as "usb", "usb:VID:PID" and "usb:BUS-PORT"; selectors that match nothing;
#   - Basic (BR/EDR) and LE credit based channels with the kernel, both roles, sha256 checked;
#   - btusb bound to the dongle is detached at open and bound again at close;
#   - unplugging the dongle mid-transfer ends the channel with an error, without a hang.
XFER="$BUILD/tests/progs/vm_xfer"
KPEER="$VMBIN/kpeer"
K=00:AA:01:00:00:00
VID=1d6b
PID=0104
BYTES=${USB_BYTES:-262144}
G=/sys/kernel/config/usb_gadget/l2k
fail=0
step() { echo "== $*"; }
bad() { echo "FAIL: $*"; fail=1; }

start_btvirt 3 || exit 1
kernel_up 0 || exit 1
kernel_off 2
kmod configfs libcomposite dummy_hcd usb_f_fs || exit 1
grep -q " /sys/kernel/config " /proc/mounts || mount -t configfs none /sys/kernel/config || exit 1

step "USB gadget: $VID:$PID, class E0/01/01, FunctionFS bridged to btvirt's hci2"
mkdir -p "$G" "$G/strings/0x409" "$G/configs/c.1" "$G/functions/ffs.bt" || exit 1
echo 0x$VID >"$G/idVendor"
echo 0x$PID >"$G/idProduct"
echo 0x0200 >"$G/bcdUSB"
echo 0xE0 >"$G/bDeviceClass"
echo 0x01 >"$G/bDeviceSubClass"
echo 0x01 >"$G/bDeviceProtocol"
echo l2kit >"$G/strings/0x409/manufacturer"
echo "Bluetooth test dongle" >"$G/strings/0x409/product"
echo 0001 >"$G/strings/0x409/serialnumber"
echo 100 >"$G/configs/c.1/MaxPower"
ln -s "$G/functions/ffs.bt" "$G/configs/c.1/" || exit 1
mkdir -p /tmp/ffs
mount -t functionfs bt /tmp/ffs || exit 1
"$VMBIN/usb_bridge" /tmp/ffs hci2 --ready-file /tmp/bridge.ready 2>"$OUT/usb_bridge.log" &
BRIDGE=$!
wait_for 10 test -e /tmp/bridge.ready || { cat "$OUT/usb_bridge.log"; echo "FAIL: bridge did not start"; exit 1; }
UDC=$(ls /sys/class/udc | head -n 1)
echo "$UDC" >"$G/UDC" || { echo "FAIL: cannot bind the gadget to $UDC"; exit 1; }
find_dev() {
	for d in /sys/bus/usb/devices/*; do
		[ "$(cat "$d/idVendor" 2>/dev/null)" = $VID ] && [ "$(cat "$d/idProduct" 2>/dev/null)" = $PID ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}
wait_for 20 find_dev || { echo "FAIL: the gadget did not appear on the dummy host controller"; exit 1; }
PORT=$(find_dev)
echo "dongle at $PORT (UDC $UDC)"
echo "interface 0: class $(cat "/sys/bus/usb/devices/$PORT:1.0/bInterfaceClass")/$(cat "/sys/bus/usb/devices/$PORT:1.0/bInterfaceSubClass")/$(cat "/sys/bus/usb/devices/$PORT:1.0/bInterfaceProtocol"); endpoints (numbered by the UDC):"
for e in "/sys/bus/usb/devices/$PORT:1.0"/ep_*; do
	echo "  $(cat "$e/bEndpointAddress") $(cat "$e/type") $(cat "$e/direction") max $(cat "$e/wMaxPacketSize")"
done

step "found as usb, usb:$VID:$PID and usb:$PORT"
A=$("$XFER" -t usb --btsnoop "$OUT/usb-addr.btsnoop" addr 2>"$OUT/usb-addr.err") ||
	{ cat "$OUT/usb-addr.err"; echo "FAIL: cannot bring the dongle up as 'usb'"; exit 1; }
echo "dongle's controller (btvirt): $A"
"$XFER" -t usb:$VID:$PID addr || bad "usb:$VID:$PID"
"$XFER" -t "usb:$PORT" addr || bad "usb:$PORT"

step "selectors that match nothing"
"$XFER" -t "usb:$VID:$PID#1" addr >"$OUT/sel1.txt" 2>&1 && bad "usb:$VID:$PID#1 opened"
cat "$OUT/sel1.txt"
grep -q "only 1 matching" "$OUT/sel1.txt" || bad "usb:$VID:$PID#1: wrong message"
"$XFER" -t usb:9-9 addr >"$OUT/sel2.txt" 2>&1 && bad "usb:9-9 opened"
cat "$OUT/sel2.txt"
grep -q "no USB device at 9-9" "$OUT/sel2.txt" || bad "usb:9-9: wrong message"

head -c "$BYTES" /dev/urandom >/tmp/l2k.bin
head -c "$BYTES" /dev/urandom >/tmp/k.bin
run_pair() { # run_pair MODE PSM ROLE
	rm -f /tmp/k.ready /tmp/l.ready /tmp/k.got /tmp/l2k.got
	case $1 in le|ecfc) kernel_adv 0 ;; esac
	if [ "$3" = connect ]; then
		"$KPEER" listen "$2" "$1" /tmp/k.bin /tmp/k.got "$BYTES" --ready-file /tmp/k.ready --timeout 60 \
			>"$OUT/kpeer-$1-$3.log" 2>&1 &
		kp=$!
		wait_for 10 test -e /tmp/k.ready || bad "kernel peer did not start"
		"$XFER" -t usb --btsnoop "$OUT/usb-$1-$3.btsnoop" --timeout 60000 \
			connect $K "$2" "$1" /tmp/l2k.bin /tmp/l2k.got "$BYTES" || bad "$1: l2kit over USB connects"
		wait $kp || bad "$1: kernel peer (listening)"
		cat "$OUT/kpeer-$1-$3.log"
	else
		case $1 in le|ecfc) lelink="--le-link $K" ;; *) lelink= ;; esac
		"$XFER" -t "usb:$VID:$PID" --btsnoop "$OUT/usb-$1-$3.btsnoop" --timeout 60000 --ready-file /tmp/l.ready \
			$lelink listen "$2" "$1" /tmp/l2k.bin /tmp/l2k.got "$BYTES" &
		lp=$!
		wait_for 20 test -e /tmp/l.ready || bad "$1: l2kit did not start listening"
		"$KPEER" connect "$A" "$2" "$1" /tmp/k.bin /tmp/k.got "$BYTES" --timeout 60 || bad "$1: kernel connects to l2kit over USB"
		wait $lp || bad "$1: l2kit over USB (listening)"
	fi
	if [ "$(sha /tmp/l2k.bin)" = "$(sha /tmp/k.got)" ] && [ "$(sha /tmp/k.bin)" = "$(sha /tmp/l2k.got)" ]; then
		echo "sha256 ok both ways"
	else
		bad "$1 ($3): sha256 mismatch"
	fi
	wait_no_links 0
}

step "Basic: l2kit over USB connects to the kernel, $BYTES bytes each way"
run_pair basic 0x1001 connect
step "Basic: the kernel connects to l2kit over USB"
run_pair basic 0x1003 listen
step "LE credit based: l2kit over USB connects to the kernel"
run_pair le 0x0080 connect
step "LE credit based: the kernel connects to l2kit over USB"
run_pair le 0x0082 listen

step "btusb bound to the dongle: detached at open, bound again at close"
before=$(ls /sys/class/bluetooth | tr '\n' ' ')
kmod btusb || bad "modprobe btusb"
IF0="/sys/bus/usb/devices/$PORT:1.0"
wait_for 20 test -e "$IF0/driver" || bad "btusb did not bind to the dongle"
wait_for 20 sh -c "[ \"\$(ls /sys/class/bluetooth | tr '\\n' ' ')\" != \"$before\" ]" || bad "btusb made no controller"
# let the kernel finish setting its new controller up (it powers it off again afterwards)
sleep 3
bound=$(ls /sys/class/bluetooth | tr '\n' ' ')
echo "interface 0 driver: $(basename "$(readlink "$IF0/driver")"); controllers: $bound (before btusb: $before)"
"$XFER" -t usb addr >"$OUT/detach.txt" 2>&1 || { cat "$OUT/detach.txt"; bad "open with btusb bound"; }
cat "$OUT/detach.txt"
wait_for 20 test -e "$IF0/driver" || bad "btusb was not bound again after close"
wait_for 20 sh -c "[ \"\$(ls /sys/class/bluetooth | tr '\\n' ' ')\" = \"$bound\" ]" ||
	bad "the kernel's controller on the dongle did not come back"
echo "after close: interface 0 driver: $(basename "$(readlink "$IF0/driver" 2>/dev/null)"); controllers: $(ls /sys/class/bluetooth | tr '\n' ' ')"
sleep 3

step "unplug mid-transfer: the channel ends with an error, no hang"
BIG=${USB_UNPLUG_BYTES:-4194304}
head -c "$BIG" /dev/urandom >/tmp/big.bin
rm -f /tmp/k.ready
"$KPEER" listen 0x1005 basic /tmp/big.bin /tmp/k.got "$BIG" --ready-file /tmp/k.ready --timeout 30 \
	>"$OUT/kpeer-unplug.log" 2>&1 &
kp=$!
wait_for 10 test -e /tmp/k.ready || bad "kernel peer did not start"
"$XFER" -t usb --timeout 30000 --expect-fail connect $K 0x1005 basic /tmp/big.bin /tmp/l2k.got "$BIG" \
	>"$OUT/unplug.txt" 2>&1 &
xp=$!
wait_for 30 grep -q "channel open" "$OUT/unplug.txt" || bad "the channel did not open"
sleep 1
t0=$(cut -d' ' -f1 /proc/uptime)
echo "" >"$G/UDC"
i=0
while kill -0 $xp 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $xp 2>/dev/null; then
	bad "l2kit still running 30 s after the unplug (hang)"
	kill -9 $xp
fi
wait $xp || bad "l2kit did not report the unplug as the channel's end"
cat "$OUT/unplug.txt"
echo "l2kit ended $(awk "BEGIN{print $(cut -d' ' -f1 /proc/uptime) - $t0}") s after the unplug"
grep -q "unplugged" "$OUT/unplug.txt" || bad "no 'unplugged' in l2kit's messages"
kill $kp 2>/dev/null
wait $kp 2>/dev/null
"$XFER" -t usb addr >"$OUT/gone.txt" 2>&1 && bad "opened a dongle that is gone"
cat "$OUT/gone.txt"
grep -q "no USB Bluetooth controller found" "$OUT/gone.txt" || bad "wrong message with no dongle"
kill $BRIDGE 2>/dev/null

[ $fail = 0 ] && echo "scenario usb: PASS"
exit $fail
