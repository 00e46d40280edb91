#!/bin/sh
# VM scenario "security" (tests/vm/scenario_security.sh): l2kit (hci1, user channel) pairs with
# the Linux kernel (hci0) set as a desktop sets it (Simple Pairing, Secure Connections,
# bondable, DisplayYesNo through the management socket, answered by tests/vm/kagent.c), all in
# one boot: Just Works to a kernel socket at BT_SECURITY_MEDIUM, numeric comparison (the same
# number at both agents) to one at BT_SECURITY_HIGH, a bonded reconnect from l2kit's key file
# without pairing (BT_SECURITY_FIPS), the kernel pairing towards l2kit's service at level 3, and
# l2kit's agent refusing in both directions, l2kit at its default level to a socket at
# BT_SECURITY_LOW (Security Mode 4: Just Works and encryption first); data sha256-checked, the captures decoded by
# tests/btsnoop_security.py and btmon (P-256 keys, AES-CCM, 16-octet keys).
# Skips (77) when QEMU or the kernel image is unavailable; logs and btsnoop captures in
# BUILD/artifacts/vm_security.
BUILD=${BUILD:-build}
# once per suite: not again inside the sanitizer/valgrind re-runs (they would double the VM time;
# VM_NESTED=1 allows it)
[ -n "$L2K_NESTED" ] && [ -z "$VM_NESTED" ] && { echo "skip: the VM scenarios run in the top-level suite only"; exit 77; }
exec sh tests/vm/run.sh "$BUILD" security
