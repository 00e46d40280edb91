#!/bin/sh
# `make demo`'s program: every mode moves its bytes intact on the simulated air, and a mode that
# is not built is listed as such, never faked.
BUILD=${BUILD:-build}
out=$("$BUILD/bin/l2demo" --bytes 1048576) || { echo "$out"; echo "FAIL: l2demo exited non-zero"; exit 1; }
echo "$out"
for m in basic flowctl retrans ertm streaming le ecfc; do
	echo "$out" | grep -q "^$m " || { echo "FAIL: mode $m missing from the table"; exit 1; }
done
if echo "$out" | grep -q "FAILED"; then echo "FAIL"; exit 1; fi
echo "$out" | grep -q "delivered every byte" || exit 1
