#!/bin/sh
# `make check-windows` as part of `make check`: the Windows cross build (mingw-w64, libgcrypt's
# DLLs), its unit and conformance tests under Wine, the tools under Wine against Linux ones, the
# usb transport's libusb-1.0.dll loading, and the CNG backend's sample data.  WIN_BUILD is
# BUILD-win.  Skipped, with a line saying which is missing, where the cross compiler, libgcrypt
# for mingw-w64 or Wine could not be installed (tests/deps.sh installs them as root).
[ -n "$L2K_NESTED" ] && { echo "skip: runs in the top-level suite only"; exit 77; }
BUILD=${BUILD:-build}
WIN_BUILD=${WIN_BUILD:-$BUILD-win}
for need in x86_64-w64-mingw32-gcc-posix:gcc-mingw-w64-x86-64 wine:wine64; do
	command -v "${need%%:*}" >/dev/null 2>&1 ||
		{ echo "skip: ${need%%:*} not found (Debian: apt-get install ${need#*:}): Windows build not tested"; exit 77; }
done
[ -f "$(x86_64-w64-mingw32-gcc-posix -print-file-name=libgcrypt.dll.a)" ] ||
	{ echo "skip: libgcrypt for mingw-w64 not found (Debian: apt-get install libgcrypt-mingw-w64-dev): Windows build not tested"; exit 77; }
unset MAKEFLAGS MFLAGS MAKELEVEL
make --no-print-directory -j2 BUILD="$BUILD" WIN_BUILD="$WIN_BUILD" check-windows
