#!/bin/sh
# VM scenario 3 (tests/vm/scenario_interop.sh): l2kit (hci1, user channel) against the Linux
# kernel's L2CAP sockets (hci0) in every mode this build implements - Basic, ERTM, Streaming,
# LE credit based, enhanced credit based - both roles, 1 MiB each way, sha256 checked; l2kit's
# l2ping against the kernel and BlueZ's l2ping against l2kit.
# Skips (77) when QEMU is not installed; logs and btsnoop captures in BUILD/artifacts/vm_interop.
BUILD=${BUILD:-build}
# once per suite: not again inside the sanitizer/valgrind re-runs (they would double the VM time;
# VM_NESTED=1 allows it)
[ -n "$L2K_NESTED" ] && [ -z "$VM_NESTED" ] && { echo "skip: the VM scenarios run in the top-level suite only"; exit 77; }
exec sh tests/vm/run.sh "$BUILD" interop
