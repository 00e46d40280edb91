#!/bin/sh
# Two l2kit hosts on two BlueZ emulator (btvirt) controllers: ACL link, L2CAP PDUs of 0..65535
# bytes both ways through 192-byte x 1 buffers, disconnect reported on both sides; then the
# btsnoop captures must decode with btmon and tshark without malformed packets, and must show
# flow control respected (never more than 1 ACL packet in the controller, none over 192 bytes).
# Also l2info against the same emulator, which has no controller-to-host flow control (btvirt
# 5.66 lists no Host Number Of Completed Packets): the host must go on without it and say so.  btvirt runs through tests/with_btvirt.sh (a private
# mount namespace, so its fixed socket paths /tmp/bt-server-* collide with nothing).
BUILD=${BUILD:-build}
export BUILD
OUT="$BUILD/artifacts/btvirt_acl"
rm -rf "$OUT"; mkdir -p "$OUT"
sh tests/with_btvirt.sh sh -e -c '
"$BUILD/bin/l2info" -t unix:/tmp/bt-server-bredr | tee "$0/l2info.txt"
grep -q "^address: *00:AA:01:" "$0/l2info.txt"
grep -q "^acl buffers: *192 x 1" "$0/l2info.txt"
grep -q "^controller-to-host flow control: off: the controller does not support it" "$0/l2info.txt"
"$BUILD/tests/progs/acl_exchange" unix:/tmp/bt-server-bredr unix:/tmp/bt-server-bredr \
	--btsnoop-a "$0/host-a.btsnoop" --btsnoop-b "$0/host-b.btsnoop"
' "$OUT"
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: exchange over btvirt"; exit 1; }

rc=0
for f in "$OUT"/host-a.btsnoop "$OUT"/host-b.btsnoop; do
	python3 tests/btsnoop_check.py "$f" --max-inflight 1 --acl-mtu 192 || rc=1
	btmon -r "$f" >"$f.btmon.txt" 2>&1 || { echo "FAIL: btmon could not read $f"; rc=1; }
	if grep -iE "malformed|invalid packet|too short|short packet" "$f.btmon.txt"; then
		echo "FAIL: btmon reports malformed packets in $f"; rc=1
	fi
	n=$(grep -c "ACL Data TX" "$f.btmon.txt")
	echo "btmon: $f: $n ACL packets out decoded"
	[ "$n" -gt 300 ] || { echo "FAIL: too few ACL packets decoded by btmon"; rc=1; }
	if command -v tshark >/dev/null; then
		tshark -r "$f" >"$f.tshark.txt" 2>&1 || { echo "FAIL: tshark could not read $f"; rc=1; }
		m=$(tshark -r "$f" -Y "_ws.malformed" 2>/dev/null | wc -l)
		echo "tshark: $f: $(wc -l <"$f.tshark.txt") frames, $m malformed"
		[ "$m" = 0 ] || rc=1
	fi
done
exit $rc
