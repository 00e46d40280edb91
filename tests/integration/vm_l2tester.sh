#!/bin/sh
# VM scenario l2tester (tests/vm/scenario_l2tester.sh): l2tester (hci1, user channel) runs every
# BR/EDR and LE L2CAP.TS case against the Linux kernel's L2CAP (hci0) through kiut, the
# kernel-socket IUT agent (tests/vm/kiut.c); kiut's control protocol checked request by request
# first (tests/vm/kiut_check.py).  Reports (JSON, JUnit, text, verdicts) and captures in
# BUILD/artifacts/vm_l2tester.  Skips (77) when QEMU is not installed.
BUILD=${BUILD:-build}
# once per suite: not again inside the sanitizer/valgrind re-runs (VM_NESTED=1 allows it)
[ -n "$L2K_NESTED" ] && [ -z "$VM_NESTED" ] && { echo "skip: the VM scenarios run in the top-level suite only"; exit 77; }
exec sh tests/vm/run.sh "$BUILD" l2tester
