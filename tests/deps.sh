#!/bin/sh
# Installs the Debian packages that building and testing l2kit need, when they are missing.
# Run as root on Debian 12 it is all the set-up a fresh machine needs; as another user it only
# reports what is missing.
PKGS="build-essential clang pkg-config libcmocka-dev libusb-1.0-0-dev libssl-dev bluez bluez-test-tools tshark python3 util-linux valgrind libclang-rt-14-dev"
# groff renders the manual pages (man/) in tests/integration/man_pages.sh
PKGS="$PKGS groff-base"
# the Python package's tests (tests/python) and its install into a venv (docs/python.md)
PKGS="$PKGS python3-pytest python3-venv"
# VM scenarios (tests/vm, make check-vm): QEMU (TCG) and kmod's depmod/modprobe.  The Debian kernel
# and busybox-static are fetched with apt-get download into the build folder, not installed.
VM_PKGS="qemu-system-x86 kmod"
PKGS="$PKGS $VM_PKGS"
# libgcrypt: the Windows build's crypto backend, also built and checked natively
# (tests/integration/crypto_gcrypt.sh)
PKGS="$PKGS libgcrypt20-dev"
# The Windows cross build and its tests under Wine (make check-windows,
# tests/integration/windows_wine.sh): installed when possible, but a machine where they cannot
# be installed still runs everything else (that test then says it is skipped and why)
WIN_PKGS="gcc-mingw-w64-x86-64 libgcrypt-mingw-w64-dev wine64"
win_missing=""
for p in $WIN_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || win_missing="$win_missing $p"
done
if [ -n "$win_missing" ] && [ "$(id -u)" = 0 ]; then
	echo "deps: installing$win_missing (the Windows build's tests)"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $win_missing >/dev/null 2>&1 ||
		echo "deps: could not install$win_missing: the Windows tests will be skipped" >&2
elif [ -n "$win_missing" ]; then
	echo "deps: missing Debian packages for the Windows tests:$win_missing (optional; run 'make deps' as root)" >&2
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run 'make deps' as root, or install them)" >&2
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps: apt-get install failed for:$missing" >&2
	exit 1
}
