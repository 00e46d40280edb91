#!/bin/sh
# Runs a command next to BlueZ's controller emulator, in a private mount namespace:
#
#   sh tests/with_btvirt.sh CMD [ARGS...]
#
# btvirt -s serves /tmp/bt-server-{bredr,le,...}: fixed paths, so it gets a private tmpfs on /tmp
# that nothing else sees (parallel runs, other users).  The current directory and $BUILD stay
# reachable even when they live under /tmp (they are bind-mounted back into the new /tmp).
# Every connection to unix:/tmp/bt-server-bredr is a new emulated BR/EDR controller.
# Exit status: the command's; 77 (skip) when btvirt or namespaces are not available.
if [ "${L2K_BTVIRT_NS:-}" != 1 ]; then
	command -v btvirt >/dev/null 2>&1 || { echo "skipped: btvirt not installed (Debian bluez-test-tools)"; exit 77; }
	command -v unshare >/dev/null 2>&1 || { echo "skipped: unshare not installed (util-linux)"; exit 77; }
	if unshare -m true 2>/dev/null; then
		exec unshare -m env L2K_BTVIRT_NS=1 sh "$0" "$@"
	elif unshare -rm true 2>/dev/null; then
		exec unshare -rm env L2K_BTVIRT_NS=1 sh "$0" "$@"
	fi
	echo "skipped: cannot create a private mount namespace (needs root or user namespaces)"
	exit 77
fi
mount --make-rprivate / 2>/dev/null
keep=""
for d in "$(pwd -P)" "${BUILD:+$(cd "$BUILD" 2>/dev/null && pwd -P)}"; do
	case "$d/" in /tmp/*) keep="$keep $d" ;; esac
done
hold=""
if [ -n "$keep" ]; then
	hold=$(mktemp -d /var/tmp/l2kit-ns.XXXXXX) || exit 1
	mount --bind /tmp "$hold" || exit 1
fi
mount -t tmpfs tmpfs /tmp || exit 1
for d in $keep; do
	mkdir -p "$d" && mount --bind "$hold${d#/tmp}" "$d" || exit 1
done
btvirt -s >/tmp/btvirt.log 2>&1 &
pid=$!
i=0
while [ ! -S /tmp/bt-server-bredr ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S /tmp/bt-server-bredr ] || { echo "btvirt did not start:"; cat /tmp/btvirt.log; kill $pid 2>/dev/null; exit 1; }
"$@"
rc=$?
kill $pid 2>/dev/null
wait $pid 2>/dev/null
[ $rc = 0 ] || { echo "(btvirt log:)"; tail -n 20 /tmp/btvirt.log; }
[ -n "$hold" ] && { umount "$hold" 2>/dev/null; rmdir "$hold" 2>/dev/null; }
exit $rc
