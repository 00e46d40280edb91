#!/bin/sh
# Vendor start-up over vctrl's vendor personalities (vctrl --vendor), with fake firmware files
# written by tests/vendor_fw.py (which prints the FNV-1a hash of what each controller must
# receive) and the tools' --firmware-dir / --usb-id / --no-vendor-init:
#  1. Realtek 8761BU: l2info loads the patch + config (names both files, version before and
#     after: the new version is the one the controller reports for what it received); vctrl's
#     report has the expected hash, nothing refused, the new firmware running.
#  1b. Realtek 8852BU with a v2 ("RTBTCore") patch file: l2info reads the key id, loads the
#     eco's subsections + config; vctrl's report has the expected hash, the new firmware running.
#  2. Intel AX200: two l2cat (listener and sender) each boot their controller's operational
#     firmware (.sfi + DDC) and then carry data between them; both downloads hash right.
#  2b. Intel AX210 (TLV format, ECDSA engine): l2info loads ibt-0041-0041.sfi + .ddc, the
#     version read back in the TLV format (image type 0x03, the file's build); vctrl's report
#     has the expected hash (the ECDSA header and the commands).
#  3. Broadcom BCM20702: l2info --json says loaded with the .hcd file.
#  4. a missing file (no --firmware-dir): exit 1, the message names the file and its Debian
#     package; a refused chunk (--vendor-nack): exit 1, "refused chunk 2 of ..."; --no-vendor-init:
#     bring-up with the ROM firmware; a bad --usb-id: exit 2.
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/vendor_vctrl"
for t in l2cat l2info vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
FW="$OUT/fw"
python3 tests/vendor_fw.py "$FW" >"$OUT/hashes" || fail "tests/vendor_fw.py failed"
HR=$(sed -n 's/^realtek //p' "$OUT/hashes")
HR2=$(sed -n 's/^realtek-v2 //p' "$OUT/hashes")
NR2=$(sed -n 's/^realtek-v2-octets //p' "$OUT/hashes")
HI=$(sed -n 's/^intel //p' "$OUT/hashes")
HB=$(sed -n 's/^broadcom //p' "$OUT/hashes")
HT=$(sed -n 's/^intel-ax210 //p' "$OUT/hashes")
has() { grep -q -- "$2" "$1" || { cat "$1"; fail "$1 does not say '$2'"; }; }
# vctrl_report N: stop vctrl (its clients' download reports are logged as they go) and wait
# until the log has N reports
vctrl_reports() {
	i=0; while [ "$(grep -c ' download: ' "$OUT/vctrl.log")" -lt "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
}

echo "== 1. Realtek RTL8761BU: l2info loads patch and config"
vctrl --vendor realtek-8761bu
"$B/l2info" -t $T --usb-id 0bda:8771 --firmware-dir "$FW" >"$OUT/r1.out" 2>&1 || { rc=$?; cat "$OUT/r1.out"; fail "l2info exited $rc"; }
cat "$OUT/r1.out"
has "$OUT/r1.out" "vendor start-up: RTL8761BU: loaded $FW/rtl_bt/rtl8761bu_fw.bin + $FW/rtl_bt/rtl8761bu_config.bin"
has "$OUT/r1.out" "version before: hci_rev 0x000b lmp_subver 0x8761"
sub=$(printf '0x%04x' $((HR & 0xFFFF))); rev=$(printf '0x%04x' $((HR >> 16)))
has "$OUT/r1.out" "version after:  hci_rev $rev lmp_subver $sub"
vctrl_reports 1
has "$OUT/vctrl.log" "realtek-8761bu download: 13 commands, 3046 octets, FNV-1a $HR, 0 refused, complete, new firmware runs"

echo "== 1b. Realtek RTL8852BU: l2info loads a v2 (RTBTCore) patch and config"
vctrl --vendor realtek-8852bu
: >"$OUT/vctrl.log"
"$B/l2info" -t $T --usb-id 0bda:b85b --firmware-dir "$FW" >"$OUT/r2.out" 2>&1 || { rc=$?; cat "$OUT/r2.out"; fail "l2info exited $rc"; }
cat "$OUT/r2.out"
has "$OUT/r2.out" "vendor start-up: RTL8852BU: loaded $FW/rtl_bt/rtl8852bu_fw.bin + $FW/rtl_bt/rtl8852bu_config.bin"
has "$OUT/r2.out" "version before: hci_rev 0x000b lmp_subver 0x8852"
sub=$(printf '0x%04x' $((HR2 & 0xFFFF))); rev=$(printf '0x%04x' $((HR2 >> 16)))
has "$OUT/r2.out" "version after:  hci_rev $rev lmp_subver $sub"
vctrl_reports 1
has "$OUT/vctrl.log" "realtek-8852bu download: $(( (NR2 + 251) / 252 )) commands, $NR2 octets, FNV-1a $HR2, 0 refused, complete, new firmware runs"

echo "== 2. Intel AX200: two l2cat boot their controllers, then carry data"
vctrl --vendor intel-ax200
: >"$OUT/vctrl.log"
head -c 20000 /dev/urandom >"$OUT/in.bin"
( "$B/l2cat" -t $T --usb-id 8087:0029 --firmware-dir "$FW" -v -m basic -d -l 0x1001 2>"$OUT/l.log" >"$OUT/out.bin"; echo $? >"$OUT/l.rc" ) &
LPID=$!
i=0; while ! grep -q "listening on" "$OUT/l.log" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
has "$OUT/l.log" "listening on"
has "$OUT/l.log" "vendor start-up: Intel hw_variant 0x14: loaded $FW/intel/ibt-20-1-3.sfi + $FW/intel/ibt-20-1-3.ddc (bootloader (fw_variant 0x06)"
laddr=$(sed -n "s/^l2cat: controller \([0-9A-F:]*\) ready.*/\1/p" "$OUT/l.log")
"$B/l2cat" -t $T --usb-id 8087:0029 --firmware-dir "$FW" -v -m basic $laddr 0x1001 <"$OUT/in.bin" 2>"$OUT/s.log" || { cat "$OUT/s.log"; fail "sender exited non-zero"; }
has "$OUT/s.log" "operational (fw_variant 0x23) build 42 week 16 year 20"
wait $LPID; LPID=
[ "$(cat "$OUT/l.rc")" = 0 ] || { cat "$OUT/l.log"; fail "listener exited $(cat "$OUT/l.rc")"; }
same "$OUT/in.bin" "$OUT/out.bin"
vctrl_reports 2
[ "$(grep -c "intel-ax200 download: 46 commands, 1376 octets, FNV-1a $HI, 0 refused, complete, new firmware runs" "$OUT/vctrl.log")" = 2 ] ||
	{ cat "$OUT/vctrl.log"; fail "vctrl did not report two good Intel downloads"; }

echo "== 2b. Intel AX210 (TLV): l2info loads ibt-0041-0041.sfi + .ddc"
vctrl --vendor intel-ax210
: >"$OUT/vctrl.log"
"$B/l2info" -t $T --usb-id 8087:0032 --firmware-dir "$FW" >"$OUT/t.out" 2>&1 || { cat "$OUT/t.out"; fail "l2info exited $?"; }
cat "$OUT/t.out"
has "$OUT/t.out" "vendor start-up: Intel hw_variant 0x17: loaded $FW/intel/ibt-0041-0041.sfi + $FW/intel/ibt-0041-0041.ddc"
has "$OUT/t.out" "version before: bootloader (image 0x01) build 18 week 5 year 21"
has "$OUT/t.out" "version after:  operational (image 0x03) build 42 week 16 year 20"
vctrl_reports 1
has "$OUT/vctrl.log" "intel-ax210 download: 44 commands, 1056 octets, FNV-1a $HT, 0 refused, complete, new firmware runs"

echo "== 3. Broadcom BCM20702: l2info --json"
vctrl --vendor broadcom-20702
"$B/l2info" -t $T --usb-id 0a5c:21e8 --firmware-dir "$FW" --json >"$OUT/b.json" 2>"$OUT/b.err" || { cat "$OUT/b.err"; fail "l2info exited $?"; }
python3 - "$OUT/b.json" "$FW" "$HB" <<'PY' || fail "--json: $(cat "$OUT/b.json")"
import json, sys
v = json.load(open(sys.argv[1]))["vendor_startup"]
h = int(sys.argv[3], 16)
assert v["family"] == "broadcom" and v["chip"] == "BCM20702A1" and v["loaded"], v
assert v["file"] == sys.argv[2] + "/brcm/BCM20702A1-0a5c-21e8.hcd", v
assert v["before"] == "hci_rev 0x1000 lmp_subver 0x220e", v
assert v["after"] == "hci_rev 0x%04x lmp_subver 0x220e" % (0x1000 | (h & 0xFFF)), v
print("broadcom:", v)
PY

echo "== 4. missing file, refused chunk, --no-vendor-init, bad --usb-id"
vctrl --vendor realtek-8761bu
if [ -e /lib/firmware/rtl_bt/rtl8761bu_fw.bin ] || [ -e /lib/firmware/updates/rtl_bt/rtl8761bu_fw.bin ]; then
	echo "(missing file: skipped, this machine has rtl8761bu_fw.bin in /lib/firmware)"
else
	"$B/l2info" -t $T --usb-id 0bda:8771 >"$OUT/m.out" 2>&1; rc=$?
	cat "$OUT/m.out"
	[ $rc = 1 ] || fail "l2info with no firmware exited $rc, expected 1"
	has "$OUT/m.out" "firmware file rtl_bt/rtl8761bu_fw.bin not found (looked in /lib/firmware/updates, /lib/firmware); Debian package: firmware-realtek"
fi
vctrl --vendor realtek-8761bu --vendor-nack 2
"$B/l2info" -t $T --usb-id 0bda:8771 --firmware-dir "$FW" >"$OUT/n.out" 2>&1; rc=$?
cat "$OUT/n.out"
[ $rc = 1 ] || fail "l2info with a refused chunk exited $rc, expected 1"
has "$OUT/n.out" "refused chunk 2 of 13 of rtl_bt/rtl8761bu_fw.bin (status 0x1f)"
"$B/l2info" -t $T --usb-id 0bda:8771 --no-vendor-init >"$OUT/k.out" 2>&1 || { cat "$OUT/k.out"; fail "l2info --no-vendor-init exited $?"; }
has "$OUT/k.out" "subversion 0x8761"
has "$OUT/k.out" "start-up skipped (--no-vendor-init)"
"$B/l2cat" -t $T --usb-id 0bda-8771 -l 0x1001 >"$OUT/u.out" 2>&1; rc=$?
[ $rc = 2 ] || fail "l2cat --usb-id 0bda-8771 exited $rc, expected 2"
has "$OUT/u.out" "bad value '0bda-8771' for --usb-id"
echo "vendor start-up over vctrl: ok"
