#!/bin/sh
# The Python package's test suite (tests/python, pytest): l2kit.Stack and L2CAPSocket, asyncio,
# the PyBluez and MicroPython faces over the in-process simulator and over vctrl, the ctypes
# structure layouts and signatures against the C compiler, the ABI check.  Debian's
# /usr/bin/python3 with python3-pytest (tests/deps.sh installs it).  The library and vctrl of
# BUILD are used; a sanitizer build's library is loaded with its runtime preloaded.
BUILD=${BUILD:-build}
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import pytest' 2>/dev/null; then
	echo "skip: python3-pytest not found ($PY -m pytest; apt-get install python3-pytest)"
	exit 77
fi
LIB="$BUILD/libl2kit.so"
[ -e "$LIB" ] || { echo "FAIL: $LIB is not built (make lib)"; exit 1; }
export BUILD
export L2KIT_LIBRARY="$(cd "$(dirname "$LIB")" && pwd)/$(basename "$LIB")"
if nm -D "$LIB" 2>/dev/null | grep -q ' U __asan_init'; then
	# ASan must come first in the process: preload the runtime the library links against;
	# leaks are the C tests' business (Python's own allocations would flood the report)
	rt=$(ldd "$LIB" | sed -n 's/.*libasan[^ ]* => \([^ ]*\).*/\1/p')
	if [ -z "$rt" ]; then
		echo "skip: $LIB needs an ASan runtime it does not link (clang -fsanitize): Python cannot load it"
		exit 77
	fi
	export LD_PRELOAD="$rt"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	echo "sanitizer build: LD_PRELOAD=$rt"
fi
exec "$PY" -m pytest -q -p no:cacheprovider tests/python
