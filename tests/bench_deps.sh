#!/bin/sh
# Installs what `make bench` needs beyond the build (gnuplot-nox, for the plot), when missing.
# Run as root on Debian 12 it installs it; as another user it only reports what is missing (the
# benchmark still runs and writes its tables and results.json; only the plot is skipped).
PKGS="gnuplot-nox"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
command -v apt-get >/dev/null 2>&1 || {
	echo "bench-deps: missing:$missing (no apt-get here: install gnuplot for the plot)" >&2
	exit 0
}
if [ "$(id -u)" != 0 ]; then
	echo "bench-deps: missing Debian packages:$missing (run 'make bench' as root, or install them)" >&2
	exit 0
fi
echo "bench-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "bench-deps: apt-get install failed for:$missing (the plot will be skipped)" >&2
	exit 0
}
