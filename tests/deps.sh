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
