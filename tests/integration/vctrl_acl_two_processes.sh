#!/bin/sh
# Two l2kit hosts in two processes on vctrl over TCP (controllers with 27-byte x 2 ACL buffers):
# ACL link, L2CAP PDUs of 0..65535 bytes there and back byte for byte, disconnect seen by both.
BUILD=${BUILD:-build}
D=$(mktemp -d)
trap 'kill $VP $SP 2>/dev/null; rm -rf "$D"' EXIT
"$BUILD/bin/vctrl" --listen tcp:127.0.0.1:0 --port-file "$D/port" --type bredr --acl-mtu 27 --acl-count 2 \
	2>"$D/vctrl.log" &
VP=$!
i=0; while [ ! -s "$D/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$D/port") || { echo "vctrl did not start"; cat "$D/vctrl.log"; exit 1; }
timeout 120 "$BUILD/tests/progs/acl_peer" "tcp:127.0.0.1:$PORT" --serve >"$D/serve.out" 2>&1 &
SP=$!
i=0; while ! grep -q "^address" "$D/serve.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ADDR=$(sed -n 's/^address \([0-9A-F:]*\).*/\1/p' "$D/serve.out")
[ -n "$ADDR" ] || { echo "server did not come up"; cat "$D/serve.out"; exit 1; }
echo "server controller $ADDR: $(head -n 1 "$D/serve.out")"
timeout 120 "$BUILD/tests/progs/acl_peer" "tcp:127.0.0.1:$PORT" --to "$ADDR"
rc=$?
wait $SP
src=$?
cat "$D/serve.out"
[ $rc = 0 ] && [ $src = 0 ] || { echo "FAIL (client $rc, server $src)"; cat "$D/vctrl.log"; exit 1; }
grep -q "acl 27 x 2" "$D/serve.out" || { echo "FAIL: controller buffers not 27 x 2"; exit 1; }
echo "two processes through vctrl: PASSED"
