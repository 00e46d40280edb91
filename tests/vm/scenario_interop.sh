# Scenario 3 (sourced by guest.sh, inside the VM): l2kit against the Linux kernel's own L2CAP
# sockets.  l2kit drives hci1 through its user channel, the kernel drives hci0 (btvirt).
# For every mode - Basic, ERTM, Streaming (BR/EDR), LE credit based and enhanced credit based
# (LE) - both roles: l2kit connects to a listening kernel socket, then the kernel connects to
# a listening l2kit; each time INTEROP_BYTES (1 MiB) each way at once, sha256 compared.
# A mode this l2kit build does not implement is skipped with a message.  Then l2kit's l2ping
# against the kernel, and BlueZ's l2ping (the kernel) against l2kit.
XFER="$BUILD/tests/progs/vm_xfer"
KPEER="$VMBIN/kpeer"
K=00:AA:01:00:00:00
BYTES=${INTEROP_BYTES:-1048576}
MODES=${INTEROP_MODES:-basic ertm streaming le ecfc}
fail=0
passed=""
skipped=""
step() { echo "== $*"; }
bad() { echo "FAIL: $*"; fail=1; }
now() { cut -d' ' -f1 /proc/uptime; }

start_btvirt || exit 1
# the kernel serves and requests enhanced credit based channels only with this set
echo 1 >/sys/module/bluetooth/parameters/enable_ecred || bad "cannot set bluetooth.enable_ecred"
kernel_up 0 || exit 1
kernel_off 1
L=$("$XFER" -t hci1 addr 2>"$OUT/addr.err") || { cat "$OUT/addr.err"; echo "FAIL: hci1 user channel"; exit 1; }
echo "l2kit on hci1 (user channel): $L; kernel on hci0: $K; $BYTES bytes each way"
head -c "$BYTES" /dev/urandom >/tmp/l2k.bin
head -c "$BYTES" /dev/urandom >/tmp/k.bin
BUILT=$("$XFER" modes | tr '\n' ' ')
echo "modes built into l2kit: $BUILT"

check_sha() { # check_sha WHAT
	if [ "$(sha /tmp/l2k.bin)" = "$(sha /tmp/k.got)" ] && [ "$(sha /tmp/k.bin)" = "$(sha /tmp/l2k.got)" ]; then
		echo "sha256 ok both ways: $(sha /tmp/l2k.bin | cut -c1-16)... / $(sha /tmp/k.bin | cut -c1-16)..."
		return 0
	fi
	bad "$1: sha256 mismatch (l2kit sent $(sha /tmp/l2k.bin), kernel got $(sha /tmp/k.got 2>/dev/null); kernel sent $(sha /tmp/k.bin), l2kit got $(sha /tmp/l2k.got 2>/dev/null))"
	return 1
}

for mode in $MODES; do
	case " $BUILT " in
	*" $mode "*) ;;
	*) echo "== $mode: skipped: the mode is not built into l2kit yet"; skipped="$skipped $mode"; continue ;;
	esac
	case $mode in le|ecfc) psm=0x0080 ;; *) psm=0x1001 ;; esac
	ok=1

	t0=$(now)
	step "$mode: l2kit connects to the kernel (psm $psm)"
	case $mode in le|ecfc) kernel_adv 0 ;; esac
	rm -f /tmp/k.ready /tmp/k.got /tmp/l2k.got
	"$KPEER" listen $psm $mode /tmp/k.bin /tmp/k.got "$BYTES" --ready-file /tmp/k.ready --timeout 60 \
		>"$OUT/kpeer-$mode-listen.log" 2>&1 &
	kp=$!
	wait_for 10 test -e /tmp/k.ready || bad "$mode: kernel peer did not start"
	"$XFER" -t hci1 --btsnoop "$OUT/interop-$mode-connect.btsnoop" --timeout 60000 \
		connect $K $psm $mode /tmp/l2k.bin /tmp/l2k.got "$BYTES" || { bad "$mode: l2kit connect"; ok=0; }
	wait $kp || { bad "$mode: kernel peer (listening)"; ok=0; }
	cat "$OUT/kpeer-$mode-listen.log"
	check_sha "$mode, l2kit connects" || ok=0
	wait_no_links 0
	echo "time: $mode connect $(awk "BEGIN{print $(now) - $t0}") s"

	t0=$(now)
	step "$mode: the kernel connects to l2kit (psm $psm)"
	# btvirt (5.66) does not report legacy advertising to extended scanners like the kernel's:
	# on LE, l2kit makes the link first and the kernel opens its channel on it
	case $mode in le|ecfc) lelink="--le-link $K"; kernel_adv 0 ;; *) lelink= ;; esac
	rm -f /tmp/l.ready /tmp/k.got /tmp/l2k.got
	"$XFER" -t hci1 --btsnoop "$OUT/interop-$mode-listen.btsnoop" --timeout 60000 --ready-file /tmp/l.ready \
		$lelink listen $psm $mode /tmp/l2k.bin /tmp/l2k.got "$BYTES" &
	lp=$!
	wait_for 20 test -e /tmp/l.ready || bad "$mode: l2kit did not start listening"
	"$KPEER" connect "$L" $psm $mode /tmp/k.bin /tmp/k.got "$BYTES" --timeout 60 || { bad "$mode: kernel connect"; ok=0; }
	wait $lp || { bad "$mode: l2kit (listening)"; ok=0; }
	check_sha "$mode, kernel connects" || ok=0
	wait_no_links 0
	echo "time: $mode listen $(awk "BEGIN{print $(now) - $t0}") s"
	[ $ok = 1 ] && passed="$passed $mode"
done

step "l2ping (l2kit, hci1) against the kernel"
if [ -x "$BUILD/bin/l2ping" ]; then
	"$BUILD/bin/l2ping" -i hci1 -c 5 --delay-ms 100 --btsnoop "$OUT/l2ping-l2kit.btsnoop" $K || bad "l2kit's l2ping against the kernel"
	wait_no_links 0
else
	bad "$BUILD/bin/l2ping not built"
fi

step "l2ping (BlueZ, the kernel) against l2kit"
rm -f /tmp/s.ready
"$XFER" -t hci1 --btsnoop "$OUT/l2ping-kernel.btsnoop" --ready-file /tmp/s.ready serve 60000 &
sp=$!
wait_for 20 test -e /tmp/s.ready || bad "l2kit did not come up"
l2ping -i hci0 -c 5 -t 10 "$L" || bad "the kernel's l2ping against l2kit"
kill $sp 2>/dev/null
wait $sp

echo "modes passed both ways:${passed:- none}; skipped (not built):${skipped:- none}"
[ $fail = 0 ] && echo "scenario interop: PASS"
exit $fail
