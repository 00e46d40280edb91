#!/bin/sh
# l2pair and l2ping's --security over vctrl, BR/EDR (tests/sec_vctrl_lib.sh: fixed controller
# addresses, profile "unlimited"):
#  1. l2pair pairs and bonds with an l2cat listener (numeric comparison, --auto-accept): exit 0,
#     the level and key type reached printed; --list shows the bond, one line, at both sides.
#  2. l2ping --security fips over the bonded pair, new processes without --auto-accept and
#     without a terminal: the stored key raises the link to level 4, no pairing (btsnoop).
#  3. --remove deletes the bond (the file keeps no section for it), --list is then empty, a
#     second --remove says there is no bond (exit 1).
#  4. Failures: a peer whose controller refuses pairing (vctrl's reject fault) names the step
#     and Pairing Not Allowed (exit 1); --security fips that only Just Works can answer: paired,
#     but short of the level (exit 1); --no-bonding pairs without storing anything.
#  5. SIGTERM while l2pair waits for the person at the terminal: exit 143, the link ended.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/sec_l2pair_vctrl"
for t in l2cat l2pair l2ping vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/sec_vctrl_lib.sh
start_vctrl

# pair NAME ARGS...: l2pair on A (stdout to $OUT/NAME.out, stderr to $OUT/NAME.log), $WRAP before
# it when set; its exit status in $prc
pair() {
	_n=$1; shift
	timeout 120 $WRAP "$B/l2pair" -t "$TA" "$@" >"$OUT/$_n.out" 2>"$OUT/$_n.log"
	prc=$?
}
out_has() { grep -qF -- "$2" "$OUT/$1.out" || { cat "$OUT/$1.out" "$OUT/$1.log"; fail "$1: no '$2' on stdout"; }; }

echo "== 1. l2pair pairs and bonds; --list"
slisten p1-l "$TB" -l 0x1001 --keys "$OUT/b.keys" --io-cap yesno --auto-accept
pair p1 --keys "$OUT/a.keys" --io-cap yesno --auto-accept --security fips --btsnoop "$OUT/p1.snoop" $BD
[ $prc = 0 ] || { cat "$OUT/p1.out" "$OUT/p1.log"; fail "l2pair exited $prc"; }
lstop p1-l
cat "$OUT/p1.out"
out_has p1 "Paired with $BD: level 4 (fips): encrypted with a 16-octet key, authenticated key, Secure Connections (P-256), bonded"
out_has p1 "Bonded: authenticated P-256 key (Secure Connections) (link key type 0x08) in $OUT/a.keys"
has p1 "numeric comparison with $BD"
python3 tests/btsnoop_check.py "$OUT/p1.snoop" --pairing --expect-pairing || fail "l2pair's capture shows no pairing"
"$B/l2pair" -t "$TA" --keys "$OUT/a.keys" --list >"$OUT/la.out" 2>"$OUT/la.log" || fail "--list failed: $(cat "$OUT/la.log")"
[ "$(cat "$OUT/la.out")" = "$BD bredr keys=link-key(type 0x08) authenticated=yes secure-connections=yes key-size=16" ] \
	|| fail "--list a.keys: $(cat "$OUT/la.out")"
"$B/l2pair" -t "$TB" --keys "$OUT/b.keys" --list >"$OUT/lb.out" 2>"$OUT/lb.log" || fail "--list failed: $(cat "$OUT/lb.log")"
[ "$(cat "$OUT/lb.out")" = "$A bredr keys=link-key(type 0x08) authenticated=yes secure-connections=yes key-size=16" ] \
	|| fail "--list b.keys: $(cat "$OUT/lb.out")"
cat "$OUT/la.out" "$OUT/lb.out"

echo "== 2. l2ping --security fips over the bond: the stored key, no pairing, no question"
slisten p2-l "$TB" -l 0x1001 --keys "$OUT/b.keys" --io-cap yesno
WRAP="$PTY --no-tty --"
timeout 60 $WRAP "$B/l2ping" -i "$TA" --keys "$OUT/a.keys" --io-cap yesno --security fips -c 3 -d 0 \
	--btsnoop "$OUT/p2.snoop" $BD >"$OUT/p2.out" 2>"$OUT/p2.log" || { cat "$OUT/p2.out" "$OUT/p2.log"; fail "l2ping --security fips failed"; }
WRAP=
lstop p2-l
cat "$OUT/p2.out" "$OUT/p2.log"
has p2 "l2ping: link to $BD: security level 4 (fips): encrypted with a 16-octet key, authenticated key, Secure Connections (P-256), bonded"
grep -q "3 sent, 3 received, 0% loss" "$OUT/p2.out" || fail "l2ping did not get its 3 answers"
python3 tests/btsnoop_check.py "$OUT/p2.snoop" --pairing --expect-no-pairing || fail "l2ping paired again"

echo "== 3. --remove"
pair rm1 --keys "$OUT/a.keys" --remove $BD
[ $prc = 0 ] || { cat "$OUT/rm1.log"; fail "--remove exited $prc"; }
out_has rm1 "Removed the bond with $BD (bredr) from $OUT/a.keys"
grep -q "^\[$BD" "$OUT/a.keys" && fail "the removed bond is still in a.keys"
pair l2 --keys "$OUT/a.keys" --list
[ $prc = 0 ] && [ ! -s "$OUT/l2.out" ] || fail "--list after --remove: exit $prc, $(cat "$OUT/l2.out")"
has l2 "no bonds in $OUT/a.keys"
pair rm2 --keys "$OUT/a.keys" --remove $BD
[ $prc = 1 ] || fail "a second --remove exited $prc, expected 1"
has rm2 "no bond with $BD (bredr) in $OUT/a.keys"

echo "== 4a. a peer whose controller refuses to pair"
slisten p4-l "$TD" -l 0x1001 --keys "$OUT/d.keys" --io-cap yesno --auto-accept
pair p4 --keys "$OUT/a4.keys" --io-cap yesno --auto-accept $D
[ $prc = 1 ] || { cat "$OUT/p4.out" "$OUT/p4.log"; fail "l2pair to a refusing peer exited $prc, expected 1"; }
lstop p4-l
has p4 "pairing with $D failed: Simple Pairing failed at the IO capability exchange (HCI status 0x18 Pairing Not Allowed)"
no_bond "$OUT/a4.keys"

echo "== 4b. --security fips, and only Just Works is possible"
slisten p5-l "$TB" -l 0x1001 --io-cap noio
pair p5 --keys "$OUT/a5.keys" --io-cap noio --security fips $BD
[ $prc = 1 ] || { cat "$OUT/p5.out" "$OUT/p5.log"; fail "l2pair short of its level exited $prc, expected 1"; }
lstop p5-l
out_has p5 "Paired with $BD: level 2 (medium): encrypted with a 16-octet key, unauthenticated key"
has p5 "the pairing reached level 2 (medium), short of --security fips (level 4)"

echo "== 4c. --no-bonding"
slisten p6-l "$TB" -l 0x1001 --keys "$OUT/b6.keys" --io-cap yesno --auto-accept
pair p6 --keys "$OUT/a6.keys" --io-cap yesno --auto-accept --no-bonding $BD
[ $prc = 0 ] || { cat "$OUT/p6.out" "$OUT/p6.log"; fail "l2pair --no-bonding exited $prc"; }
lstop p6-l
out_has p6 "Not bonded: --no-bonding"
no_bond "$OUT/a6.keys"; no_bond "$OUT/b6.keys"

echo "== 5. SIGTERM while the question waits at the terminal"
slisten p7-l "$TB" -l 0x1001 --io-cap yesno --auto-accept
$PTY --confirm none --transcript "$OUT/p7.tty" -- "$B/l2pair" -t "$TA" --io-cap yesno $BD >"$OUT/p7.out" 2>"$OUT/p7.log" &
PP=$!
i=0; while ! grep -q "Confirm that" "$OUT/p7.tty" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
grep -q "Confirm that [0-9]\{6\} is shown on $BD: yes/no? " "$OUT/p7.tty" || { kill $PP; fail "no question on l2pair's terminal: $(cat "$OUT/p7.log")"; }
kill -TERM $PP
wait $PP; rc=$?
[ $rc = 143 ] || { cat "$OUT/p7.log"; fail "l2pair exited $rc on SIGTERM, expected 143"; }
has p7 "interrupted (SIGTERM) while pairing"
# the listener saw the link end (l2pair disconnected it, or the pairing failed with it)
i=0; while ! grep -q "link down" "$OUT/p7-l.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
has p7-l "link down"
lstop p7-l
echo PASS
