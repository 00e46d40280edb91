# Shell helpers for the scenarios (sourced inside the VM by guest.sh).
# Environment: OUT (results share), REPO, BUILD, VMBIN (helper programs).

# kmod MODULE...: load modules (with busybox's modprobe, from the initramfs' module tree)
kmod() {
	for m in "$@"; do
		chroot /run/l2k-initramfs /bin/modprobe "$m" || { echo "FAIL: modprobe $m"; return 1; }
	done
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds or time runs out
wait_for() {
	_n=$(($1 * 10)); shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# start_btvirt [N]: BlueZ's emulator with N (default 2) kernel controllers hci0, hci1 ...
# (through /dev/vhci) and its server sockets /tmp/bt-server-*, all on one virtual air.
start_btvirt() {
	_n=${1:-2}
	# btvirt and the kernel need these at once; loading them on demand (through 9p, under TCG)
	# takes long enough for the kernel's first HCI Reset to time out
	kmod bluetooth hci_vhci af_alg algif_skcipher algif_hash cmac ecb ecdh_generic ecc || return 1
	# every HCI packet of every controller (the kernel's and the user channel's) to a capture
	# (one capture for the whole boot: not started again after stop_btvirt)
	if [ -z "${BTMON_PID:-}" ]; then
		btmon -w "$OUT/kernel-hci.btsnoop" >/dev/null 2>&1 &
		BTMON_PID=$!
	fi
	btvirt -l"$_n" -s >>"$OUT/btvirt.log" 2>&1 &
	BTVIRT_PID=$!
	wait_for 20 test -e /sys/class/bluetooth/hci$((_n - 1)) || { echo "FAIL: btvirt did not create $_n controllers"; return 1; }
	wait_for 20 test -S /tmp/bt-server-bredr || { echo "FAIL: btvirt did not create its sockets"; return 1; }
	# the kernel's setup of the new controllers runs on its own; let it finish
	wait_for 20 sh -c 'btmgmt --index 0 info | grep -q "current settings"' || true
}

# stop_btvirt: end btvirt; its controllers leave the kernel (with what the kernel kept for them:
# link keys, settings).  For a fresh emulator: start_btvirt again.
stop_btvirt() {
	[ -n "${BTVIRT_PID:-}" ] || return 0
	kill "$BTVIRT_PID" 2>/dev/null
	wait "$BTVIRT_PID" 2>/dev/null
	BTVIRT_PID=
	wait_for 20 sh -c '! test -e /sys/class/bluetooth/hci0 && ! test -e /sys/class/bluetooth/hci1' ||
		{ echo "FAIL: btvirt's controllers stayed after it ended"; return 1; }
	rm -f /tmp/bt-server-*
}

# kernel_up INDEX: power the kernel's controller on, connectable, with LE, and advertising
# through a connectable advertising instance (add-adv), not the "advertising" setting: with
# that setting on, the kernel opens LE channels as a peripheral (directed advertising, waiting
# to be connected) instead of using the link that exists.
kernel_up() {
	for c in "le on" "bredr on" "connectable on" "power on" "add-adv -c 1"; do
		btmgmt --index "$1" $c >>"$OUT/btmgmt.log" 2>&1 || { echo "FAIL: btmgmt --index $1 $c"; return 1; }
	done
}

# kernel_adv INDEX: (re)start the kernel's connectable advertising.  Needed before every LE
# connection to the kernel: btvirt (5.66) forgets an advertising set once a connection used it,
# and the kernel's own attempt to resume it then fails (Unknown Advertising Identifier).
kernel_adv() {
	btmgmt --index "$1" rm-adv 1 >>"$OUT/btmgmt.log" 2>&1
	btmgmt --index "$1" add-adv -c 1 >>"$OUT/btmgmt.log" 2>&1 || { echo "FAIL: btmgmt --index $1 add-adv -c 1"; return 1; }
}

# kernel_off INDEX: make sure the kernel does not hold the controller (for its user channel)
kernel_off() {
	btmgmt --index "$1" power off >>"$OUT/btmgmt.log" 2>&1 || true
}

# sha FILE: the file's sha256
sha() { sha256sum "$1" | cut -d' ' -f1; }

# wait_no_links INDEX: wait (10 s at most) until the kernel's controller INDEX has no ACL/LE
# links left, so the next test starts from a clean air; disconnects what remains after that.
wait_no_links() {
	_i=0
	while btmgmt --index "$1" con 2>/dev/null | grep -qE '([0-9A-F]{2}:){5}[0-9A-F]{2}'; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "note: links still up on hci$1 after 10 s; disconnecting them"
			btmgmt --index "$1" con 2>/dev/null | while read -r a _ t; do
				case "$t" in LE*) tt=-t\ 1 ;; *) tt= ;; esac
				btmgmt --index "$1" disconnect $tt "$a" >/dev/null 2>&1
			done
			return 0
		fi
		sleep 0.1
	done
}
