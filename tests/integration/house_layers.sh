#!/bin/sh
# The house's layering (docs/architecture.md): includes run only downward (base <- transport,
# hci <- core <- sm <- api <- tools), no circle between folders or across them, the engine never
# calls the public face, and the tools use only the public l2k_* API (tests/check_layers.py on
# the object files of BUILD).
BUILD=${BUILD:-build}
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
[ -d "$BUILD/obj/core" ] || { echo "FAIL: $BUILD/obj not built (make)"; exit 1; }
python3 tests/check_layers.py "$BUILD"
