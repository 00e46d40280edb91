#!/bin/sh
# The unix transport against a real peer: BlueZ's emulator (btvirt -s) serves a virtual
# controller on /tmp/bt-server-bredr.  tests/integration/h4_reset_probe.c opens
# "unix:/tmp/bt-server-bredr", sends HCI_Reset (01 03 0c 00) and expects the Command Complete
# (04 0e 04 01 03 0c 00), then HCI_Read_BD_ADDR.  btvirt runs in a private mount namespace with
# its own /tmp so parallel runs and other users' sockets do not collide.
# Exit 0 pass, 77 skip (says why), anything else fail.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CC=${CC:-cc}

command -v btvirt >/dev/null 2>&1 || { echo "btvirt not installed (Debian package bluez-test-tools)"; exit 77; }
command -v unshare >/dev/null 2>&1 || { echo "unshare not installed (util-linux)"; exit 77; }
if unshare -m true 2>/dev/null; then
	NS="unshare -m"
elif unshare -rm true 2>/dev/null; then
	NS="unshare -rm"
else
	echo "cannot create a private mount namespace (need root or user namespaces)"; exit 77
fi

# The probe links against the library; build it if needed.
make --no-print-directory BUILD="$BUILD" "$BUILD/libl2kit.a" >/dev/null || exit 1
mkdir -p "$BUILD/tests"
PROBE="$BUILD/tests/h4_reset_probe"
LIBS="$BUILD/libl2kit.a -lpthread $(pkg-config --libs libusb-1.0 2>/dev/null) -lm"
FLAGS="-std=c11 -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g"
# shellcheck disable=SC2086
$CC $FLAGS -o "$PROBE" tests/integration/h4_reset_probe.c $LIBS 2>/dev/null ||
	$CC $FLAGS -fsanitize=address,undefined -o "$PROBE" tests/integration/h4_reset_probe.c $LIBS ||
	{ echo "cannot build $PROBE"; exit 1; }
PROBE=$(cd "$(dirname "$PROBE")" && pwd)/$(basename "$PROBE")

# shellcheck disable=SC2016
$NS sh -c '
	mount -t tmpfs none /tmp || exit 1
	btvirt -s >/tmp/btvirt.log 2>&1 &
	pid=$!
	i=0
	while [ ! -S /tmp/bt-server-bredr ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
	timeout 20 "$1" unix:/tmp/bt-server-bredr
	rc=$?
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ $rc = 0 ] || { echo "btvirt log:"; cat /tmp/btvirt.log; }
	exit $rc
' sh "$PROBE"
rc=$?
[ $rc = 0 ] && echo "unix transport <-> btvirt: OK" || echo "unix transport <-> btvirt: FAILED (exit $rc)"
exit $rc
