#!/bin/sh
# vctrl listeners with a fixed controller address: refusal of a second client on the address,
# pairing between two raw-H4 clients, and the bonded pair reconnecting from new clients with the
# stored key (tests/vctrl_fixed_addr.py).
BUILD=${BUILD:-build}
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not installed"
	exit 77
fi
if [ ! -x "$BUILD/bin/vctrl" ]; then
	echo "$BUILD/bin/vctrl not built"
	exit 77
fi
exec timeout 60 python3 tests/vctrl_fixed_addr.py "$BUILD/bin/vctrl"
