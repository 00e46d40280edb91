# Scenario l2tester (sourced by guest.sh, inside the VM): l2tester, l2kit's L2CAP.TS lower
# tester, against the Linux kernel's own L2CAP as the implementation under test.
#   - the kernel drives hci0 (btvirt); kiut (tests/vm/kiut.c), the kernel-socket IUT agent,
#     obeys docs/l2tester.md's control protocol on /tmp/kiut.sock and keeps hci0 advertising;
#   - first the protocol itself: tests/vm/kiut_check.py sends every request and waits for every
#     event, with l2kit's l2cat on hci1 (HCI user channel) as the kernel's peer;
#   - then l2tester on hci1's user channel, --iut-agent unix:/tmp/kiut.sock, every BR/EDR case
#     and every LE case: reports l2tester-{bredr,le}.{json,xml,txt}, the verdicts one a line in
#     l2tester-verdicts.txt (ID verdict reason), captures under captures/ (the tester's frames
#     are deliberately malformed at times: they are kept out of run.sh's decode check).
# A case that fails against the kernel does not fail the scenario (kernel deviations are
# documented in docs/conformance-kernel.md); what fails it: kiut_check, l2tester ending with a
# usage/set-up error (exit 2) or without its reports, a case whose verdict is missing.
# L2TESTER (tests/vm/run.sh passes it in) names another l2tester binary; without one built the
# l2tester part is skipped with a message and the protocol check still runs.
KIUT="$VMBIN/kiut"
K=00:AA:01:00:00:00
L2TESTER=${L2TESTER:-$BUILD/bin/l2tester}
fail=0
step() { echo "== $*"; }
bad() { echo "FAIL: $*"; fail=1; }

mkdir -p "$OUT/captures"
# one capture of every controller's HCI traffic, kept with the tester's (see above)
btmon -w "$OUT/captures/kernel-hci.btsnoop" >/dev/null 2>&1 &
BTMON_PID=$!
start_btvirt || exit 1
# the kernel serves and requests enhanced credit based channels only with this set
echo 1 >/sys/module/bluetooth/parameters/enable_ecred || bad "cannot set bluetooth.enable_ecred"
kernel_up 0 || exit 1
kernel_off 1
L=$("$BUILD/tests/progs/vm_xfer" -t hci1 addr 2>"$OUT/addr.err") || { cat "$OUT/addr.err"; echo "FAIL: hci1 user channel"; exit 1; }
echo "tester on hci1 (user channel): $L; the kernel (IUT) on hci0: $K"

start_kiut() { # start_kiut NAME: kiut on /tmp/kiut.sock, its log in $OUT/kiut-NAME.log
	rm -f /tmp/kiut.ready
	"$KIUT" --control unix:/tmp/kiut.sock --index 0 --le-adv --ready-file /tmp/kiut.ready \
		--log "$OUT/kiut-$1.log" >>"$OUT/kiut-$1.out" 2>&1 &
	KIUT_PID=$!
	wait_for 10 test -e /tmp/kiut.ready || { bad "kiut did not start"; cat "$OUT/kiut-$1.out"; return 1; }
}
stop_kiut() {
	kill "$KIUT_PID" 2>/dev/null
	wait "$KIUT_PID" 2>/dev/null
}

step "the control protocol: kiut_check (every request, every event; l2cat on hci1 as the peer)"
if start_kiut check; then
	L2K_ADDR=$L python3 "$REPO/tests/vm/kiut_check.py" /tmp/kiut.sock "$BUILD/bin/l2cat" "$K" "$OUT" ||
		bad "kiut_check"
	# kiut exits at the check's quit
	wait_for 5 sh -c "! kill -0 $KIUT_PID" || bad "kiut did not exit at quit"
	stop_kiut
fi
wait_no_links 0

if [ ! -x "$L2TESTER" ]; then
	echo "l2tester: skipped: $L2TESTER is not built"
else
	# no case may hold the scenario longer than 90 s (the longest so far, COS/CED/BV-08-C, waits
	# 42 s for the kernel's RTX); an l2tester given in L2TESTER may predate --case-limit
	LIMIT=
	"$L2TESTER" --help 2>/dev/null | grep -q -- --case-limit && LIMIT="--case-limit 90"
	echo "l2tester: ${LIMIT:-no --case-limit (an older l2tester)}"
	for tr in bredr le; do
		case $tr in bredr) iut=$K ;; le) iut=$K/le-public ;; esac
		step "l2tester against the kernel over $tr (--iut $iut)"
		start_kiut "$tr" || continue
		t0=$(cut -d' ' -f1 /proc/uptime)
		# L2TESTER_ARGS (e.g. "--group CMC --case EXF/BV-01-C"): only these cases (debugging aid)
		"$L2TESTER" -t hci1 --iut "$iut" --iut-agent unix:/tmp/kiut.sock $LIMIT ${L2TESTER_ARGS-} \
			--json "$OUT/l2tester-$tr.json" --junit "$OUT/l2tester-$tr.xml" \
			--btsnoop-dir "$OUT/captures/$tr" >"$OUT/l2tester-$tr.txt" 2>&1
		rc=$?
		echo "l2tester over $tr: exit $rc after $(awk "BEGIN{print $(cut -d' ' -f1 /proc/uptime) - $t0}") s"
		tail -n 1 "$OUT/l2tester-$tr.txt"
		[ $rc = 0 ] || [ $rc = 1 ] || { bad "l2tester over $tr: exit $rc"; tail -n 20 "$OUT/l2tester-$tr.txt"; }
		[ -s "$OUT/l2tester-$tr.json" ] || bad "l2tester over $tr wrote no JSON report"
		[ -s "$OUT/l2tester-$tr.xml" ] || bad "l2tester over $tr wrote no JUnit report"
		grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ inconclusive, [0-9]+ not applicable$' \
			"$OUT/l2tester-$tr.txt" || bad "l2tester over $tr: no summary line"
		stop_kiut
		wait_no_links 0
	done
	step "verdicts"
	python3 - "$OUT" <<'EOF' || bad "the JSON reports do not hold every verdict"
import json, sys
out = sys.argv[1]
ok = True
with open(out + "/l2tester-verdicts.txt", "w") as f:
    for tr in ("bredr", "le"):
        try:
            r = json.load(open("%s/l2tester-%s.json" % (out, tr)))
        except Exception as e:
            print("l2tester-%s.json: %s" % (tr, e))
            ok = False
            continue
        counts = {}
        for c in r["cases"]:
            if c.get("verdict") not in ("pass", "fail", "inconclusive", "not applicable"):
                print("%s: no verdict" % c.get("id"))
                ok = False
            counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
            f.write("%s\t%s\t%s\t%s\n" % (tr, c["id"], c["verdict"], c.get("reason", "")))
        print("%s: %s" % (tr, ", ".join("%d %s" % (n, v) for v, n in sorted(counts.items()))))
        s = r["summary"]
        if sum(counts.values()) != s["passed"] + s["failed"] + s["inconclusive"] + s["not_applicable"]:
            print("%s: the summary does not count the cases" % tr)
            ok = False
sys.exit(0 if ok else 1)
EOF
	grep -P '\tfail\t' "$OUT/l2tester-verdicts.txt" | sed 's/^/    fail: /'
fi

[ $fail = 0 ] && echo "scenario l2tester: PASS"
exit $fail
