#!/bin/sh
# Every numeric option of every tool is parsed strictly: a value that is not a whole number in
# range (words, a sign, trailing junk, an empty string, out of range, NaN for probabilities) is
# refused before anything runs, with "bad value 'V' for OPT: expected ..." and exit status 2.
# l2bench refuses --only sections and --mode names it does not know the same way.  (Before,
# 'l2demo --bytes banana' moved nothing and passed, 'l2bench --only nosuch' ran nothing and
# wrote "all_passed": true, 'l2info --timeout banana' failed the bring-up at once.)  The
# security options of l2cat, l2ping and l2pair (tools/common/security.c) likewise, and l2pair's
# own command line.
BUILD=${BUILD:-build}
B=$BUILD/bin
for t in l2cat l2ping l2pair l2info l2demo l2bench vctrl; do
	[ -x "$B/$t" ] || { echo "skipped: $B/$t is not built (make tools)"; exit 77; }
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
n=0
# refused TEXT TOOL ARGS...: exit 2 and TEXT on stderr, nothing written to D/bench
refused() {
	want=$1; shift
	timeout 20 "$@" >"$D/out" 2>"$D/err"
	rc=$?
	[ $rc = 2 ] || { cat "$D/out" "$D/err"; echo "FAIL: '$*' exited $rc, expected 2"; exit 1; }
	grep -q -- "$want" "$D/err" || { cat "$D/err"; echo "FAIL: '$*': no '$want' on stderr"; exit 1; }
	[ ! -e "$D/bench/results.json" ] || { echo "FAIL: '$*' wrote results"; exit 1; }
	n=$((n + 1))
}
bad() { # OPT VALUE TOOL ARGS...: 'bad value VALUE for OPT'
	opt=$1 val=$2; shift 2
	refused "bad value '$val' for $opt: expected" "$@"
}

for v in banana -5 +5 10x "" 99999999999999999999999; do
	bad --timeout "$v" "$B/l2info" -t sim --timeout "$v"
	bad --bytes "$v" "$B/l2demo" --bytes "$v"
	bad --count "$v" "$B/l2ping" -i sim -c "$v" 00:11:22:33:44:55
	bad -t "$v" "$B/l2ping" -i sim -t "$v" 00:11:22:33:44:55
	bad -d "$v" "$B/l2ping" -i sim -d "$v" 00:11:22:33:44:55
	bad --mtu "$v" "$B/l2cat" -t sim --mtu "$v" -l 0x1001
	bad --send "$v" "$B/l2cat" -t sim --send "$v" 00:11:22:33:44:55 0x1001
	bad --sdu "$v" "$B/l2bench" --out "$D/bench" --sdu "$v"
	bad --acl-count "$v" "$B/vctrl" --listen tcp:127.0.0.1:0 --acl-count "$v"
done
bad --bytes 0 "$B/l2demo" --bytes 0
bad --bytes 134217729 "$B/l2demo" --bytes 134217729
bad --timeout 0 "$B/l2info" -t sim --timeout 0
bad --size 669 "$B/l2ping" -i sim -s 669 00:11:22:33:44:55
bad -d 1.5 "$B/l2ping" -i sim -d 1.5 00:11:22:33:44:55
bad -t 0 "$B/l2ping" -i sim -t 0 00:11:22:33:44:55
bad -t 3601 "$B/l2ping" -i sim -t 3601 00:11:22:33:44:55
bad --timeout-ms 5s "$B/l2ping" -i sim --timeout-ms 5s 00:11:22:33:44:55
bad --delay-ms 1.5 "$B/l2ping" -i sim --delay-ms 1.5 00:11:22:33:44:55
# l2ping's flags are BlueZ's: -t is the timeout in seconds and -i the controller (they were the
# transport and the interval in ms); a command line in the old form is refused, saying so
refused "the controller is -i SPEC" "$B/l2ping" -t sim 00:11:22:33:44:55
refused "the wait between requests is -d SECONDS" "$B/l2ping" -i 100 00:11:22:33:44:55
refused "not by its address" "$B/l2ping" -i 00:11:22:33:44:66 00:11:22:33:44:55
refused "no controller: give -i SPEC" "$B/l2ping" 00:11:22:33:44:55
refused "-r (reverse ping: send Echo Responses instead of requests) is not supported" \
	"$B/l2ping" -i sim -r 00:11:22:33:44:55
bad --timeout banana "$B/l2cat" -t sim -w banana -l 0x1001
bad --channels 6 "$B/l2cat" -t sim -m ecfc --channels 6 -l 0x1001
bad --rate fast "$B/l2cat" -t sim --rate fast -l 0x1001
bad PSM 0x1001x "$B/l2cat" -t sim 00:11:22:33:44:55 0x1001x
bad --seconds banana "$B/l2bench" --out "$D/bench" --seconds banana
bad --seconds nan "$B/l2bench" --out "$D/bench" --seconds nan
bad --seconds 0 "$B/l2bench" --out "$D/bench" --seconds 0
bad --bytes 1e6 "$B/l2bench" --out "$D/bench" --bytes 1e6
bad --scale 10x3junk "$B/l2bench" --out "$D/bench" --scale 10x3junk
bad --scale 10 "$B/l2bench" --out "$D/bench" --scale 10
bad --mode nosuch "$B/l2bench" --out "$D/bench" --mode nosuch
refused "unknown section 'nosuch' in --only" "$B/l2bench" --out "$D/bench" --only nosuch
refused "unknown section 'nosuch' in --only" "$B/l2bench" --out "$D/bench" --only cost,nosuch
refused "unknown section '' in --only" "$B/l2bench" --out "$D/bench" --only cost,
bad --loss nan "$B/vctrl" --listen tcp:127.0.0.1:0 --loss nan
bad --loss 1.5 "$B/vctrl" --listen tcp:127.0.0.1:0 --loss 1.5
bad --corrupt 0.1x "$B/vctrl" --listen tcp:127.0.0.1:0 --corrupt 0.1x
bad --seed -1 "$B/vctrl" --listen tcp:127.0.0.1:0 --seed -1
# the security options, shared by l2cat, l2ping and l2pair
for v in banana 1234567 -1 12a456 ""; do
	bad --passkey "$v" "$B/l2cat" -t sim --passkey "$v" -l 0x1001
	bad --passkey "$v" "$B/l2pair" -t sim --passkey "$v" 00:11:22:33:44:55
done
for v in ultra 2 LOW ""; do
	bad --security "$v" "$B/l2cat" -t sim --security "$v" -l 0x1001
	bad --security "$v" "$B/l2ping" -i sim --security "$v" 00:11:22:33:44:55
done
for v in keyboardonly io 3 ""; do
	bad --io-cap "$v" "$B/l2pair" -t sim --io-cap "$v" 00:11:22:33:44:55
done
for v in 6 17 0x10x banana; do
	bad --min-key-size "$v" "$B/l2cat" -t sim --min-key-size "$v" 00:11:22:33:44:55 0x1001
done
bad --pin "" "$B/l2cat" -t sim --pin "" -l 0x1001
bad --pin 12345678901234567 "$B/l2ping" -i sim --pin 12345678901234567 00:11:22:33:44:55
bad --keys "" "$B/l2pair" -t sim --keys "" --list
bad --timeout 0 "$B/l2pair" -t sim -w 0 00:11:22:33:44:55
refused "--list needs the key store: --keys FILE" "$B/l2pair" -t sim --list
refused "--remove needs the key store: --keys FILE" "$B/l2pair" -t sim --remove 00:11:22:33:44:55
refused "--list and --remove exclude each other" "$B/l2pair" -t sim --keys "$D/k" --list --remove 00:11:22:33:44:55
refused "bad address 'nope'" "$B/l2pair" -t sim nope
refused "the address's type and --le-random disagree" "$B/l2pair" -t sim --le-random 00:11:22:33:44:55/le-public
refused "no transport: give -t SPEC" "$B/l2pair" 00:11:22:33:44:55
# good values still work
timeout 60 "$B/l2info" -t sim --timeout 5000 >"$D/out" 2>&1 || { cat "$D/out"; echo "FAIL: l2info --timeout 5000"; exit 1; }
timeout 120 "$B/l2demo" --bytes 0x1000 >"$D/out" 2>&1 || { cat "$D/out"; echo "FAIL: l2demo --bytes 0x1000"; exit 1; }
grep -q "4096 bytes per channel" "$D/out" || { cat "$D/out"; echo "FAIL: l2demo did not move 4096 bytes"; exit 1; }
echo "$n bad command lines refused with exit 2; good values accepted"
echo "PASS"
