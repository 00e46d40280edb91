#!/bin/sh
# VM scenario 1 (tests/vm/scenario_userchan.sh): l2kit on hci1's HCI user channel, the Linux
# kernel's own stack on hci0, both btvirt controllers inside a QEMU guest: the user channel's
# error messages (device powered on, no such device, no CAP_NET_ADMIN), Basic channels both
# ways with sha256-checked data, l2ping, and hci1 handed back to the kernel at close.
# First, on this host: without Bluetooth in the host kernel, "hci0" must say so plainly.
# Skips (77) when QEMU is not installed; logs and btsnoop captures in BUILD/artifacts/vm_userchan.
BUILD=${BUILD:-build}
# once per suite: not again inside the sanitizer/valgrind re-runs (they would double the VM time;
# VM_NESTED=1 allows it)
[ -n "$L2K_NESTED" ] && [ -z "$VM_NESTED" ] && { echo "skip: the VM scenarios run in the top-level suite only"; exit 77; }
if [ -x "$BUILD/bin/l2info" ] && ! python3 -c 'import socket; socket.socket(31, socket.SOCK_RAW, 1)' 2>/dev/null; then
	msg=$("$BUILD/bin/l2info" -t hci0 2>&1)
	echo "host without AF_BLUETOOTH: $msg"
	echo "$msg" | grep -q "no Bluetooth in this kernel" || { echo "FAIL: hci0 without Bluetooth in the kernel: unclear message"; exit 1; }
fi
exec sh tests/vm/run.sh "$BUILD" userchan
