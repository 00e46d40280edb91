#!/bin/sh
# The unix transport against a real peer: BlueZ's emulator (btvirt -s) serves a virtual
# controller on /tmp/bt-server-bredr.  tests/progs/h4_reset_probe.c opens
# "unix:/tmp/bt-server-bredr", sends HCI_Reset (01 03 0c 00) and expects the Command Complete
# (04 0e 04 01 03 0c 00), then HCI_Read_BD_ADDR.  Exit 0 pass, 77 skip (says why), else fail.
BUILD=${BUILD:-build}
export BUILD
sh tests/with_btvirt.sh timeout 20 "$BUILD/tests/progs/h4_reset_probe" unix:/tmp/bt-server-bredr
rc=$?
case $rc in
0) echo "unix transport <-> btvirt: OK" ;;
77) ;;
*) echo "unix transport <-> btvirt: FAILED (exit $rc)" ;;
esac
exit $rc
