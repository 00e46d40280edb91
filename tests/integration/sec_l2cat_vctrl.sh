#!/bin/sh
# Security in the tools over BR/EDR (issue 15, "What it must show"): two l2cat processes on vctrl
# (simulated controllers with fixed addresses, profile "unlimited"; tests/sec_vctrl_lib.sh).
#  1. Channels at levels 2, 3 and 4 with each association model that reaches the level, 10 MiB
#     each, sha256-checked; both sides report the model and the link's level:
#     level 2: Just Works (noio), a 4-digit legacy PIN; level 3: numeric comparison and passkey
#     entry (with Secure Connections at both sides the key is a P-256 one: the link reaches 4),
#     a 16-digit legacy PIN (exactly 3, no Secure Connections); level 4 (fips): numeric
#     comparison, passkey entry.
#  2. A bonded pair reconnects from new processes with its key files: no pairing (btsnoop: no
#     IO Capability / confirmation / Link Key Notification event, btsnoop_check.py and btmon),
#     the stored key used, the link at level 4 - and no question asked: both run without a
#     terminal and without --auto-accept, so any question would have been refused.
#  3. Failures with a clear error, no channel and no key stored: a numeric comparison that does
#     not match (vctrl's nc-mismatch fault: the two sides show different numbers, the DHKey
#     check fails), passkeys that differ, an agent on the terminal that answers no, a passkey
#     typed wrong, no terminal to ask; a server whose level the link cannot reach refuses with
#     Security Block, named.
#  4. The interactive agent through a pseudo-terminal (tests/sec_pty_agent.py): numeric
#     comparison answered at both terminals (the same number shown), the passkey read from the
#     displaying side's output and typed at the other's prompt.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/sec_l2cat_vctrl"
for t in l2cat l2pair vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/sec_vctrl_lib.sh
start_vctrl

# xfer NAME LEVEL MODEL LOPTS COPTS: 10 MiB on a channel from A to B's listener, each side with
# its options and its own fresh key file; both must report MODEL and the link at LEVEL.
xfer() {
	name=$1 level=$2 model=$3 lopts=$4 copts=$5
	echo "== $name: $model, link at level $level"
	slisten "$name-l" "$TB" -l 0x1001 --keys "$OUT/$name-b.keys" $lopts
	sconnect "$name-c" "$TA" "$OUT/in10.bin" --keys "$OUT/$name-a.keys" $copts $BD 0x1001
	[ $crc = 0 ] || { cat "$OUT/$name-c.log" "$OUT/$name-l.log"; fail "$name: the connecting l2cat exited $crc"; }
	lwait "$name-l"
	same "$OUT/in10.bin" "$OUT/$name-l.out"
	for s in c l; do
		has "$name-$s" "$model"
		has "$name-$s" "link security: level $level"
	done
}

echo "== 1. levels and association models, 10 MiB each"
xfer jw2 "2 (medium)" "Just Works" "--io-cap noio --security medium" "--io-cap noio --security medium"
xfer pin2 "2 (medium)" "PIN request from" "--legacy-pairing --pin 1234" "--pin 1234 --security medium"
xfer nc3 "4 (fips)" "numeric comparison with" "--io-cap yesno --auto-accept" "--io-cap yesno --auto-accept --security high"
xfer pe3 "4 (fips)" "passkey entry for" "--io-cap keyboard --passkey 314159" "--io-cap keyboard --passkey 314159 --security high"
xfer pin3 "3 (high)" "PIN request from" "--legacy-pairing --pin 1234567890123456" \
	"--pin 1234567890123456 --security high"
hasnt pin3-c "Secure Connections"
xfer nc4 "4 (fips)" "numeric comparison with" "--io-cap yesno --auto-accept --security fips" \
	"--io-cap yesno --auto-accept --security fips --btsnoop $OUT/nc4-a.snoop"
xfer pe4 "4 (fips)" "passkey entry for" "--io-cap keyboard --passkey 000271 --security fips" \
	"--io-cap keyboard --passkey 000271 --security fips"
for n in nc3 nc4; do
	va=$(nc_value $n-c) vb=$(nc_value $n-l)
	[ -n "$va" ] && [ "$va" = "$vb" ] || fail "$n: the two sides compared different numbers ('$va', '$vb')"
	echo "$n: both sides compared $va"
done
grep -q "passkey entry for .*: 000271 entered" "$OUT/pe4-c.log" || fail "pe4: the passkey with leading zeros was not entered as 000271"
grep -q "^\[$BD bredr\]" "$OUT/nc4-a.keys" || fail "nc4: A's key file has no bond with B: $(cat "$OUT/nc4-a.keys")"
grep -q "^\[$A bredr\]" "$OUT/nc4-b.keys" || fail "nc4: B's key file has no bond with A"
python3 tests/btsnoop_check.py "$OUT/nc4-a.snoop" --pairing --expect-pairing || fail "nc4: the first capture shows no pairing"

echo "== 2. the bonded pair reconnects from new processes: no pairing, no question"
# no terminal and no --auto-accept: a question would be refused (and the channel with it)
WRAP="$PTY --no-tty --"
slisten re-l "$TB" -l 0x1001 --keys "$OUT/nc4-b.keys" --io-cap yesno --security fips --btsnoop "$OUT/re-b.snoop"
sconnect re-c "$TA" "$OUT/in1.bin" --keys "$OUT/nc4-a.keys" --io-cap yesno --security fips --btsnoop "$OUT/re-a.snoop" $BD 0x1001
WRAP=
[ $crc = 0 ] || { cat "$OUT/re-c.log" "$OUT/re-l.log"; fail "reconnect: the connecting l2cat exited $crc"; }
lwait re-l
same "$OUT/in1.bin" "$OUT/re-l.out"
for s in c l; do
	has re-$s "link security: level 4 (fips)"
	hasnt re-$s "numeric comparison"
	hasnt re-$s "paired with"
done
for s in a b; do
	python3 tests/btsnoop_check.py "$OUT/re-$s.snoop" --pairing --expect-no-pairing || fail "reconnect: $s paired again"
	if command -v btmon >/dev/null 2>&1; then
		btmon -r "$OUT/re-$s.snoop" >"$OUT/re-$s.btmon" 2>&1
		grep -qE "^> HCI Event: (IO Capability|User Confirmation|User Passkey|Link Key Notification|PIN Code|Simple Pairing)" \
			"$OUT/re-$s.btmon" && fail "reconnect: btmon shows pairing in $s's capture"
		grep -q "HCI Command: Link Key Request Reply" "$OUT/re-$s.btmon" || fail "reconnect: btmon shows no stored key given by $s"
		echo "btmon: $s gave the stored key, no pairing event"
	fi
done

echo "== 3a. numeric comparison that does not match (nc-mismatch: a man in the middle)"
slisten mm-l "$TC" -l 0x1001 --keys "$OUT/mm-c.keys" --io-cap yesno --auto-accept --security high
sconnect mm-c "$TA" "$OUT/in1.bin" --keys "$OUT/mm-a.keys" --io-cap yesno --auto-accept --security high $C 0x1001
[ $crc = 1 ] || { cat "$OUT/mm-c.log"; fail "mismatch: the connecting l2cat exited $crc, expected 1"; }
lstop mm-l
has mm-c "pairing with $C failed: Simple Pairing failed at numeric comparison (HCI status 0x05 Authentication Failure)"
has mm-c "connect to $C psm 0x1001: security level 3 (high) could not be established, no channel was requested"
has mm-l "pairing with $A failed: Simple Pairing failed at numeric comparison"
hasnt mm-l "accepted $A psm"
va=$(nc_value mm-c) vb=$(nc_value mm-l)
[ -n "$va" ] && [ -n "$vb" ] && [ "$va" != "$vb" ] || fail "mismatch: the numbers shown should differ ('$va', '$vb')"
echo "the two sides were shown $va and $vb"
no_bond "$OUT/mm-a.keys"; no_bond "$OUT/mm-c.keys"

echo "== 3b. passkeys that differ (two keyboards)"
slisten pk-l "$TB" -l 0x1001 --keys "$OUT/pk-b.keys" --io-cap keyboard --passkey 111111
sconnect pk-c "$TA" "$OUT/in1.bin" --keys "$OUT/pk-a.keys" --io-cap keyboard --passkey 222222 --security high $BD 0x1001
[ $crc = 1 ] || { cat "$OUT/pk-c.log"; fail "wrong passkey: the connecting l2cat exited $crc, expected 1"; }
lstop pk-l
has pk-c "Simple Pairing failed at passkey entry (HCI status 0x05 Authentication Failure)"
has pk-c "no channel was requested"
hasnt pk-l "accepted $A psm"
no_bond "$OUT/pk-a.keys"; no_bond "$OUT/pk-b.keys"

echo "== 3c. the person at the terminal answers no"
slisten no-l "$TB" -l 0x1001 --keys "$OUT/no-b.keys" --io-cap yesno --auto-accept
WRAP="$PTY --confirm no --transcript $OUT/no-c.tty --"
sconnect no-c "$TA" "$OUT/in1.bin" --keys "$OUT/no-a.keys" --io-cap yesno --security high $BD 0x1001
WRAP=
[ $crc = 1 ] || { cat "$OUT/no-c.log" "$OUT/no-c.tty"; fail "agent says no: the connecting l2cat exited $crc, expected 1"; }
lstop no-l
grep -q "Confirm that [0-9]\{6\} is shown on $BD: yes/no? no" "$OUT/no-c.tty" || { cat "$OUT/no-c.tty"; fail "no confirmation asked on the terminal"; }
has no-c "Simple Pairing failed at numeric comparison: refused by this side's agent"
hasnt no-l "accepted $A psm"
no_bond "$OUT/no-a.keys"; no_bond "$OUT/no-b.keys"

echo "== 3d. the passkey typed wrong at the terminal"
slisten pw-l "$TB" -l 0x1001 --keys "$OUT/pw-b.keys" --io-cap display --auto-accept
WRAP="$PTY --passkey-from $OUT/pw-l.log --wrong --transcript $OUT/pw-c.tty --"
sconnect pw-c "$TA" "$OUT/in1.bin" --keys "$OUT/pw-a.keys" --io-cap keyboard --security high $BD 0x1001
WRAP=
[ $crc = 1 ] || { cat "$OUT/pw-c.log" "$OUT/pw-c.tty"; fail "wrong passkey typed: the connecting l2cat exited $crc, expected 1"; }
lstop pw-l
has pw-c "Simple Pairing failed at passkey entry"
has pw-l "Simple Pairing failed at passkey entry on the peer"
no_bond "$OUT/pw-a.keys"; no_bond "$OUT/pw-b.keys"

echo "== 3e. no terminal to ask: refused, saying to use --auto-accept"
slisten nt-l "$TB" -l 0x1001 --io-cap yesno --auto-accept
WRAP="$PTY --no-tty --"
sconnect nt-c "$TA" "$OUT/in1.bin" --io-cap yesno --security high $BD 0x1001
WRAP=
[ $crc = 1 ] || { cat "$OUT/nt-c.log"; fail "no terminal: the connecting l2cat exited $crc, expected 1"; }
lstop nt-l
has nt-c "there is no terminal to ask"
has nt-c "use --auto-accept"

echo "== 3f. a server at level 3 that Just Works cannot satisfy refuses with Security Block"
slisten sb-l "$TB" -l 0x1001 --io-cap noio --security high
sconnect sb-c "$TA" "$OUT/in1.bin" --io-cap noio $BD 0x1001
[ $crc = 1 ] || { cat "$OUT/sb-c.log"; fail "security block: the connecting l2cat exited $crc, expected 1"; }
lstop sb-l
has sb-c "refused by the peer (result 0x0003: security block: the peer's service needs a higher security level"
hasnt sb-l "accepted $A psm"

echo "== 4a. numeric comparison answered at both terminals"
WRAP="$PTY --record $OUT/it-b.nums --transcript $OUT/it-l.tty --"
slisten it-l "$TB" -l 0x1001 --keys "$OUT/it-b.keys" --io-cap yesno --security high
WRAP="$PTY --record $OUT/it-a.nums --transcript $OUT/it-c.tty --"
sconnect it-c "$TA" "$OUT/in1.bin" --keys "$OUT/it-a.keys" --io-cap yesno --security high $BD 0x1001
WRAP=
[ $crc = 0 ] || { cat "$OUT/it-c.log" "$OUT/it-c.tty" "$OUT/it-l.log"; fail "interactive: the connecting l2cat exited $crc"; }
lwait it-l
same "$OUT/in1.bin" "$OUT/it-l.out"
[ -s "$OUT/it-a.nums" ] && cmp -s "$OUT/it-a.nums" "$OUT/it-b.nums" || fail "interactive: the terminals showed different numbers"
echo "both terminals showed $(cat "$OUT/it-a.nums")"
grep -q "^\[$BD bredr\]" "$OUT/it-a.keys" || fail "interactive: no bond stored"

echo "== 4b. passkey entry: read on the displaying side, typed at the other's prompt"
slisten ip-l "$TB" -l 0x1001 --io-cap display --auto-accept --security high
WRAP="$PTY --passkey-from $OUT/ip-l.log --transcript $OUT/ip-c.tty --"
sconnect ip-c "$TA" "$OUT/in1.bin" --io-cap keyboard --security high $BD 0x1001
WRAP=
[ $crc = 0 ] || { cat "$OUT/ip-c.log" "$OUT/ip-c.tty" "$OUT/ip-l.log"; fail "interactive passkey: the connecting l2cat exited $crc"; }
lwait ip-l
same "$OUT/in1.bin" "$OUT/ip-l.out"
shown=$(sed -n 's/.*Passkey for .*: \([0-9]\{6\}\) (type it.*/\1/p' "$OUT/ip-l.log")
grep -q "Enter the passkey shown on $BD: $shown" "$OUT/ip-c.tty" || { cat "$OUT/ip-c.tty"; fail "interactive passkey: $shown not typed at the prompt"; }
echo "passkey $shown shown by B, typed at A's terminal"
has ip-c "link security: level 4 (fips)"
echo PASS
