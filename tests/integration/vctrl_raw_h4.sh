#!/bin/sh
# vctrl seen from a host that is not l2kit: tests/vctrl_raw_h4.py speaks raw H4 to it.
BUILD=${BUILD:-build}
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not installed"
	exit 77
fi
if [ ! -x "$BUILD/bin/vctrl" ]; then
	echo "$BUILD/bin/vctrl not built"
	exit 77
fi
exec timeout 60 python3 tests/vctrl_raw_h4.py "$BUILD/bin/vctrl"
