#!/bin/sh
# l2tester against l2iut (l2kit as the IUT, driven over the control protocol) over vctrl, two
# processes on one simulated air (docs/l2tester.md):
#  1. BR/EDR: every applicable case of the library passes (tests/l2tester_check.py: the others
#     are not applicable with their reason; inconclusive only the ones listed with a reason in
#     tests/l2tester_inconclusive.txt); the summary line, the JSON and JUnit reports agree; one
#     btsnoop per case run.  ECFC/BV-70-C is inconclusive there for want of a short encryption
#     key (listed in tests/l2tester_inconclusive.txt); 1b: it passes between controllers offering
#     5 octets.
#  2. LE (--iut ADDR/le-public): the same for the LE cases, those with the IUT as the LE central
#     included (the IUT creates the link with the "link" request while the tester advertises).
#     Then the IUT opens an LE channel to a peer that is not there and is reset: its LE link
#     attempt must end with the channel (else its controller initiates for ever and refuses the
#     next LE Create Connection with Command Disallowed): the IUT-central cases still pass.
# The reports of 1 and 2 (br.json, le.json) are what `make conformance-table` puts in
# docs/conformance.md's vctrl column.
#  3. A broken IUT (l2iut --defect wrong-ident, then skip-mtu-check): the matching cases fail
#     with a reason naming the wrong field, the report says so, exit status 1.
#  4. No hook and no terminal: the cases that need an IUT action are inconclusive with that
#     reason, the others still run (and pass); exit status 0.
#  5. --iut-control CMD: CMD is run with the documented request words; exit 3 = "cannot".
BUILD=${BUILD:-build}
OUT="$BUILD/artifacts/l2tester_vctrl"
for t in l2tester l2iut vctrl; do
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
rm -rf "$OUT"; mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
B=$(cd "$BUILD" && pwd)/bin
. tests/l2cat_vctrl_lib.sh
IPID=
trap 'cleanup; [ -n "$IPID" ] && kill "$IPID" 2>/dev/null' EXIT
SOCK="$OUT/iut.sock"

# iut ARGS...: (re)start l2iut on the air with ARGS, sets $iaddr
iut() {
	[ -n "$IPID" ] && { kill "$IPID"; wait "$IPID" 2>/dev/null; }
	"$B/l2iut" -t $T --control unix:"$SOCK" "$@" >"$OUT/iut.log" 2>&1 &
	IPID=$!
	i=0; while ! grep -q " ready, controller" "$OUT/iut.log" 2>/dev/null && [ $i -lt 600 ] && kill -0 $IPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q " ready, controller" "$OUT/iut.log" || fail "l2iut did not start: $(cat "$OUT/iut.log")"
	iaddr=$(sed -n "s/.* ready, controller \([0-9A-F:]*\).*/\1/p" "$OUT/iut.log")
}
# run LOG WANT_RC ARGS...: l2tester with ARGS, output in LOG, check the exit status
run() {
	log=$1 want=$2; shift 2
	timeout 800 "$B/l2tester" -t $T "$@" >"$OUT/$log" 2>&1 </dev/null
	rc=$?
	cat "$OUT/$log"
	[ $rc = "$want" ] || fail "l2tester $* exited $rc, expected $want"
}
# report NAME PASSED FAILED INCONC NA: the last line, the JSON and the JUnit XML agree
# (PASSED "-": take the summary line's counts; the reports must agree with it)
report() {
	name=$1
	if [ "$2" = - ]; then
		set -- "$1" $(tail -n 1 "$OUT/$name.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) inconclusive, \([0-9]*\) not applicable$/\1 \2 \3 \4/p')
		[ $# = 5 ] || fail "$name: no summary line"
	fi
	tail -n 1 "$OUT/$name.out" | grep -qx "$2 passed, $3 failed, $4 inconclusive, $5 not applicable" ||
		fail "$name: summary line is '$(tail -n 1 "$OUT/$name.out")'"
	python3 - "$OUT/$name.json" "$OUT/$name.xml" "$2" "$3" "$4" "$5" <<'EOF' || fail "$name: reports disagree"
import json, sys, xml.etree.ElementTree as ET
j = json.load(open(sys.argv[1]))
want = dict(zip(["passed", "failed", "inconclusive", "not_applicable"], map(int, sys.argv[3:7])))
assert j["summary"] == want, (j["summary"], want)
assert len(j["cases"]) == sum(want.values())
for c in j["cases"]:
    assert c["id"].startswith("L2CAP/") and c["verdict"] in ("pass", "fail", "inconclusive", "not applicable")
    assert c["verdict"] == "pass" or c["reason"], c
    assert c["verdict"] == "not applicable" or c["frames"], c
s = ET.parse(sys.argv[2]).getroot()
assert s.tag == "testsuite" and int(s.get("tests")) == len(j["cases"])
assert int(s.get("failures")) == want["failed"]
assert int(s.get("skipped")) == want["inconclusive"] + want["not_applicable"]
assert len(s.findall("testcase")) == len(j["cases"])
assert len(s.findall("testcase/failure")) == want["failed"]
print("reports agree:", j["summary"])
EOF
}

vctrl --type dual
iut
"$B/l2tester" --list >"$OUT/list"
nbr=$(grep -c "	bredr	" "$OUT/list"); nle=$(grep -c "	le	" "$OUT/list")
[ "$nbr" -gt 10 ] && [ "$nle" -gt 5 ] || fail "--list: $nbr BR/EDR and $nle LE cases"

ALLOWED=tests/l2tester_inconclusive.txt
echo "== 1. BR/EDR: every applicable case passes"
t0=$(date +%s)
run br.out 0 --iut "$iaddr" --iut-agent unix:"$SOCK" --json "$OUT/br.json" --junit "$OUT/br.xml" \
	--btsnoop-dir "$OUT/snoop"
echo "BR/EDR run: $(($(date +%s) - t0)) s"
report br -
python3 tests/l2tester_check.py "$OUT/br.json" "$OUT/list" --transport bredr --allowed "$ALLOWED" ||
	fail "BR/EDR: not every applicable case passed"
nrun=$(python3 -c "import json; print(sum(c['verdict'] != 'not applicable' for c in json.load(open('$OUT/br.json'))['cases']))")
n=$(ls "$OUT/snoop" | wc -l)
[ "$n" = "$nrun" ] || fail "$n btsnoop files for $nrun BR/EDR cases run"
echo "== 1b. controllers offering a 5-octet BR/EDR key: ECFC/BV-70-C passes"
vctrl --type dual --enc-key-size 5
iut
run short.out 0 --iut "$iaddr" --iut-agent unix:"$SOCK" --case ECFC/BV-70-C --json "$OUT/short.json" --junit "$OUT/short.xml"
report short 1 0 0 0
vctrl --type dual
iut
for f in "$OUT"/snoop/*; do
	[ "$(head -c 8 "$f")" = "btsnoop" ] && [ "$(wc -c <"$f")" -gt 100 ] || fail "$f is no btsnoop capture"
done

echo "== 2. LE: every applicable case passes (the IUT-central ones too)"
ncentral=$(grep -c "	le	.*IUT (central)" "$OUT/list")
[ "$ncentral" -ge 2 ] || fail "--list: $ncentral IUT-central LE cases"
t0=$(date +%s)
run le.out 0 --iut "$iaddr/le-public" --iut-agent unix:"$SOCK" --json "$OUT/le.json" --junit "$OUT/le.xml"
echo "LE run: $(($(date +%s) - t0)) s"
report le -
python3 tests/l2tester_check.py "$OUT/le.json" "$OUT/list" --transport le --allowed "$ALLOWED" ||
	fail "LE: not every applicable case passed"
# the IUT opens a channel to a peer that is not there, then is reset: its LE link attempt must
# end with the channel (the engine's side: tests/unit/test_sim_le_server.c)
python3 - "$SOCK" <<'EOF' || fail "the agent did not take the connect and reset requests"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
for req in ("hello", "connect addr=00:5A:00:00:00:77 transport=le-public psm=128 mode=le", "reset"):
    f.write(req + "\n")
    f.flush()
    while True:
        line = f.readline()
        assert line, "the agent closed the connection"
        if line.startswith(("ok", "err")):
            break
    assert line.startswith("ok"), (req, line)
    if req.startswith("connect"):
        time.sleep(0.5)  # its LE Create Connection reaches the controller
print("the IUT tried to link to an absent peer, then was reset")
EOF
run cpu.out 0 --iut "$iaddr/le-public" --iut-agent unix:"$SOCK" --group LE/CPU
grep -q "^L2CAP/LE/CPU/BV-02-C *pass" "$OUT/cpu.out" && grep -q "^L2CAP/LE/CPU/BI-01-C *pass" "$OUT/cpu.out" ||
	fail "after an abandoned LE channel the IUT could not create a link as central"

echo "== 3. a broken IUT: the matching cases fail, naming what is wrong"
iut --defect wrong-ident
run wi.out 1 --iut "$iaddr" --iut-agent unix:"$SOCK" --case COS/CED/BI-01-C --case L2CAP/COS/ECH/BV-01-C \
	--json "$OUT/wi.json" --junit "$OUT/wi.xml"
report wi 0 2 0 0
grep -q "^L2CAP/COS/CED/BI-01-C *fail *the IUT's Command Reject: octet 1 (identifier) is 0x22, expected 0x21$" "$OUT/wi.out" ||
	fail "BI-01-C's reason does not name the identifier"
grep -q "^L2CAP/COS/ECH/BV-01-C *fail .*(identifier)" "$OUT/wi.out" || fail "ECH/BV-01-C's reason does not name the identifier"
grep -q "^    received cid 0x0001 (6): 01 22 02 00 00 00$" "$OUT/wi.out" || fail "the failing frame is not listed"
run wile.out 1 --iut "$iaddr/le-public" --iut-agent unix:"$SOCK" --case LE/CFC/BV-03-C
grep -q "^L2CAP/LE/CFC/BV-03-C *fail .*octet 1 (identifier)" "$OUT/wile.out" || fail "LE/CFC/BV-03-C: no identifier reason"
iut --defect skip-mtu-check
run mtu.out 1 --iut "$iaddr" --iut-agent unix:"$SOCK" --group COS/CFD
grep -q "^L2CAP/COS/CFD/BV-11-C *fail *the IUT's Configuration Response: octet 8 (result) is 0x00, expected 0x01$" "$OUT/mtu.out" ||
	fail "CFD/BV-11-C's reason does not name the result"
ncfd=$(grep -c "	COS/CFD	case" "$OUT/list"); ncfd_na=$(grep -c "	COS/CFD	n/a" "$OUT/list")
tail -n 1 "$OUT/mtu.out" | grep -qx "$((ncfd - 1)) passed, 1 failed, 0 inconclusive, $ncfd_na not applicable" ||
	fail "skip-mtu-check should fail exactly one COS/CFD case"

echo "== 4. no hook, no terminal: actions make cases inconclusive"
iut
run nohook.out 0 --iut "$iaddr" --group COS/CED
grep -q "^L2CAP/COS/CED/BV-01-C *inconclusive *the IUT cannot do 'connect addr=.* transport=bredr psm=4097 mode=basic': IUT action needed" \
	"$OUT/nohook.out" || fail "BV-01-C is not inconclusive for want of an action"
grep -q "^L2CAP/COS/CED/BI-01-C *pass" "$OUT/nohook.out" || fail "BI-01-C needs no action and should pass"

echo "== 5. --iut-control: the hook gets the request words"
cat >"$OUT/hook.sh" <<EOF
#!/bin/sh
echo "\$*" >>"$OUT/hook.log"
case "\$1" in reset) exit 0;; *) echo "this IUT has no \$1"; exit 3;; esac
EOF
chmod +x "$OUT/hook.sh"
run hook.out 0 --iut "$iaddr" --case COS/CED/BV-04-C --case COS/CED/BI-01-C --iut-control "$OUT/hook.sh"
grep -qx "listen psm=4097 transport=bredr mode=basic" "$OUT/hook.log" || fail "the hook did not get the listen request"
grep -qx "reset" "$OUT/hook.log" || fail "the hook did not get reset"
grep -q "^L2CAP/COS/CED/BV-04-C *inconclusive *the IUT cannot do 'listen .*': this IUT has no listen; hook exit status 3$" \
	"$OUT/hook.out" || fail "the hook's refusal is not the reason"
echo "PASS: l2tester against l2iut over vctrl"
