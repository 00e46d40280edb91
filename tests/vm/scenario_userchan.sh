# Scenario 1 (sourced by guest.sh, inside the VM): l2kit on hci1's HCI user channel, the
# kernel's own stack on hci0; both controllers are btvirt's, on one virtual air.
#   - the user channel's error messages: device powered on (EBUSY), no such device, no
#     CAP_NET_ADMIN;
#   - l2kit connects a Basic channel to a kernel socket and the kernel connects to l2kit, 64 KiB
#     each way, sha256 checked; l2kit's l2ping against the kernel;
#   - after l2kit closes, the kernel has hci1 back;
#   - the controller removed mid-transfer ends the channel with an error, without a hang.
XFER="$BUILD/tests/progs/vm_xfer"
KPEER="$VMBIN/kpeer"
K=00:AA:01:00:00:00
fail=0
step() { echo "== $*"; }
bad() { echo "FAIL: $*"; fail=1; }

start_btvirt || exit 1
kernel_up 0 || exit 1

step "user channel refused while the kernel has hci1 powered on"
btmgmt --index 1 power on >>"$OUT/btmgmt.log" 2>&1
"$XFER" -t hci1 addr >"$OUT/busy.txt" 2>&1 && bad "opened hci1 while it was powered on"
cat "$OUT/busy.txt"
grep -q "btmgmt --index 1 power off" "$OUT/busy.txt" || bad "EBUSY message does not say how to power hci1 off"
kernel_off 1

step "no such controller"
"$XFER" -t hci7 addr >"$OUT/nodev.txt" 2>&1 && bad "opened hci7"
cat "$OUT/nodev.txt"
grep -q "no controller hci7 (the kernel has: .*hci0" "$OUT/nodev.txt" || bad "ENODEV message does not list the controllers"

step "no CAP_NET_ADMIN"
setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$XFER" -t hci1 addr >"$OUT/perm.txt" 2>&1 &&
	bad "opened the user channel without CAP_NET_ADMIN"
cat "$OUT/perm.txt"
grep -q "needs CAP_NET_ADMIN" "$OUT/perm.txt" || bad "EPERM message does not name CAP_NET_ADMIN"

step "l2kit's address on hci1"
L=$("$XFER" -t hci1 addr 2>"$OUT/addr.err") || { cat "$OUT/addr.err"; bad "cannot bring hci1 up over its user channel"; exit 1; }
echo "l2kit on hci1: $L; kernel on hci0: $K"

head -c 65536 /dev/urandom >/tmp/l2k.bin
head -c 65536 /dev/urandom >/tmp/k.bin

step "l2kit connects (Basic, 64 KiB each way)"
rm -f /tmp/k.ready
"$KPEER" listen 0x1001 basic /tmp/k.bin /tmp/k.got 65536 --ready-file /tmp/k.ready --timeout 60 >"$OUT/kpeer-1.log" 2>&1 &
kp=$!
wait_for 10 test -e /tmp/k.ready || bad "kernel peer did not start"
"$XFER" -t hci1 --btsnoop "$OUT/userchan-connect.btsnoop" --timeout 60000 \
	connect $K 0x1001 basic /tmp/l2k.bin /tmp/l2k.got 65536 || bad "l2kit connect over the user channel"
wait $kp || bad "kernel peer (listening)"
cat "$OUT/kpeer-1.log"
[ "$(sha /tmp/l2k.bin)" = "$(sha /tmp/k.got)" ] || bad "kernel received different bytes"
[ "$(sha /tmp/k.bin)" = "$(sha /tmp/l2k.got)" ] || bad "l2kit received different bytes"
wait_no_links 0

step "the kernel connects (Basic, 64 KiB each way)"
rm -f /tmp/l.ready /tmp/k.got /tmp/l2k.got
"$XFER" -t hci1 --btsnoop "$OUT/userchan-listen.btsnoop" --timeout 60000 --ready-file /tmp/l.ready \
	listen 0x1003 basic /tmp/l2k.bin /tmp/l2k.got 65536 &
lp=$!
wait_for 20 test -e /tmp/l.ready || bad "l2kit did not start listening"
"$KPEER" connect "$L" 0x1003 basic /tmp/k.bin /tmp/k.got 65536 --timeout 60 || bad "kernel connect to l2kit"
wait $lp || bad "l2kit (listening)"
[ "$(sha /tmp/l2k.bin)" = "$(sha /tmp/k.got)" ] || bad "kernel received different bytes"
[ "$(sha /tmp/k.bin)" = "$(sha /tmp/l2k.got)" ] || bad "l2kit received different bytes"
wait_no_links 0

step "l2ping (l2kit) against the kernel"
if [ -x "$BUILD/bin/l2ping" ]; then
	"$BUILD/bin/l2ping" -i hci1 -c 3 --delay-ms 200 $K || bad "l2ping -i hci1 $K"
	wait_no_links 0
else
	echo "skipped: $BUILD/bin/l2ping not built"
fi

step "hci1 is the kernel's again after l2kit closed it"
btmgmt --index 1 info >"$OUT/hci1-after.txt" 2>&1 || bad "hci1 not back with the kernel"
grep -q "addr $L" "$OUT/hci1-after.txt" || { cat "$OUT/hci1-after.txt"; bad "hci1 info does not show $L"; }

step "the controller goes away mid-transfer: the channel ends with an error, no hang"
head -c 4194304 /dev/urandom >/tmp/big.bin
rm -f /tmp/k.ready
"$KPEER" listen 0x1005 basic /tmp/big.bin /tmp/k.got 4194304 --ready-file /tmp/k.ready --timeout 30 \
	>"$OUT/kpeer-gone.log" 2>&1 &
kp=$!
wait_for 10 test -e /tmp/k.ready || bad "kernel peer did not start"
"$XFER" -t hci1 --timeout 30000 --expect-fail connect $K 0x1005 basic /tmp/big.bin /tmp/l2k.got 4194304 \
	>"$OUT/gone.txt" 2>&1 &
xp=$!
wait_for 30 grep -q "channel open" "$OUT/gone.txt" || bad "the channel did not open"
sleep 1
t0=$(cut -d' ' -f1 /proc/uptime)
kill "$BTVIRT_PID"   # btvirt's end of /dev/vhci closes: the kernel removes hci0 and hci1
i=0
while kill -0 $xp 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $xp 2>/dev/null; then
	bad "l2kit still running 30 s after its controller went away (hang)"
	kill -9 $xp
fi
wait $xp || bad "l2kit did not report the controller's removal as the channel's end"
cat "$OUT/gone.txt"
echo "l2kit ended $(awk "BEGIN{print $(cut -d' ' -f1 /proc/uptime) - $t0}") s after the removal"
grep -q "went away" "$OUT/gone.txt" || bad "no 'went away' in l2kit's messages"
kill $kp 2>/dev/null
wait $kp 2>/dev/null

[ $fail = 0 ] && echo "scenario userchan: PASS"
exit $fail
