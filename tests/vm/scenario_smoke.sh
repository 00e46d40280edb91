# Boot check (tests/vm/run.sh BUILD smoke): btvirt's controllers appear in the guest's kernel and
# the kernel powers hci0 on.
start_btvirt || exit 1
ls /sys/class/bluetooth
kernel_up 0 || exit 1
btmgmt --index 0 info | grep -q "current settings:.*powered" || { echo "FAIL: hci0 not powered"; exit 1; }
echo "smoke ok"
