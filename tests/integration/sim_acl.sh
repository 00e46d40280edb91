#!/bin/sh
# Two l2kit hosts in one process on the simulated air with small controller buffers (27 x 2):
# L2CAP PDUs of 0..65535 bytes both ways byte for byte, then a disconnect seen by both; the
# captures must show flow control kept (never more than 2 packets in the controller, none over
# 27 bytes) and decode cleanly with btmon.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/sim_acl"
rm -rf "$OUT"; mkdir -p "$OUT"
SPEC="sim:air=acl,type=bredr,acl-mtu=27,acl-count=2"
"$BUILD/tests/progs/acl_exchange" "$SPEC" "$SPEC" --btsnoop-a "$OUT/a.btsnoop" --btsnoop-b "$OUT/b.btsnoop" ||
	{ echo "FAIL: exchange"; exit 1; }
rc=0
for f in "$OUT/a.btsnoop" "$OUT/b.btsnoop"; do
	python3 tests/btsnoop_check.py "$f" --max-inflight 2 --acl-mtu 27 --expect-c2h || rc=1
	if command -v btmon >/dev/null; then
		btmon -r "$f" >"$f.txt" 2>&1
		if grep -iE "malformed|invalid packet|too short" "$f.txt"; then echo "FAIL: btmon complains about $f"; rc=1; fi
	fi
done
exit $rc
