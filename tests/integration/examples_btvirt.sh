#!/bin/sh
# docs/examples/l2cap_server.c and l2cap_client.c compile against the installed library with
# pkg-config (so they cannot rot) and work: on BlueZ's emulator the server accepts the client's connection and prints
# "received [hello!!]", both exit 0.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/examples_btvirt"
CC=${CC:-cc}
command -v pkg-config >/dev/null || { echo "skipped: pkg-config not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# built as a user builds them: against the installed library, with what pkg-config says
make --no-print-directory -s BUILD="$BUILD" install PREFIX="$OUT/prefix" >/dev/null || { echo "FAIL: make install"; exit 1; }
export PKG_CONFIG_PATH="$OUT/prefix/lib/pkgconfig" LD_LIBRARY_PATH="$OUT/prefix/lib"
for p in l2cap_server l2cap_client; do
	# SAN: the sanitizer flags the library was built with (tests/integration/asan_suite.sh)
	$CC $SAN -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror "docs/examples/$p.c" \
		$(pkg-config --cflags --libs l2kit) -o "$OUT/$p" || { echo "FAIL: docs/examples/$p.c does not build"; exit 1; }
done
echo "examples build"
export OUT
sh tests/with_btvirt.sh sh -c '
"$OUT/l2cap_server" unix:/tmp/bt-server-bredr >"$OUT/server.out" 2>"$OUT/server.err" &
srv=$!
sleep 0.5   # the server is the first controller: 00:AA:01:00:00:42
"$OUT/l2cap_client" unix:/tmp/bt-server-bredr 00:AA:01:00:00:42 2>"$OUT/client.err" || { cat "$OUT/client.err"; echo "FAIL: client"; exit 1; }
wait $srv || { cat "$OUT/server.err"; echo "FAIL: server exited non-zero"; exit 1; }
cat "$OUT/server.err" "$OUT/server.out"
grep -q "^accepted connection from 00:AA:01:01:00:42 (mtu in 65535, out 65535)" "$OUT/server.err" || { echo "FAIL: no accept line / MTU not 65535"; exit 1; }
grep -qx "received \[hello!!\]" "$OUT/server.out" || { echo "FAIL: server did not receive hello!!"; exit 1; }
'
rc=$?
[ $rc = 0 ] || exit $rc
echo "PASS"
