#!/bin/sh
# Runs l2kit's tests and prints one closing line "N passed, N failed, N skipped".
#   tests/run.sh BUILD [unit|integration|all] [NAME-FILTER]
# TEST_RUNNER=PROGRAM runs each unit test binary under PROGRAM (tests/win/run_wine.sh: Wine,
# through tests/win/wine_run.sh).
# Unit tests are cmocka binaries (build/tests/test_*): each test case counts.  Integration tests
# are tests/integration/*.sh: each script counts once; exit 0 = pass, 77 = skipped (it says why),
# anything else = fail.  Logs go to BUILD/test-logs/.
BUILD=${1:-build}
WHAT=${2:-all}
FILTER=${3:-}
LOGS="$BUILD/test-logs"
mkdir -p "$LOGS"
pass=0; fail=0; skip=0; failed=""

run_unit() {
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t" .exe)
		case "$name" in *"$FILTER"*) ;; *) continue ;; esac
		log="$LOGS/$name.log"
		CMOCKA_MESSAGE_OUTPUT=stdout timeout 600 $TEST_RUNNER "$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		p=${p:-0}; f=${f:-0}; s=${s:-0}
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed or timed out
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
		if [ "$f" != 0 ]; then
			failed="$failed $name"
			echo "FAIL $name ($p passed, $f failed; log $log)"
			grep -E '^\[  (FAILED|ERROR)|^\[  ERROR|Failure|ERROR|runtime error|Sanitizer' "$log" | head -n 20
		else
			if [ "$s" != 0 ]; then echo "ok   $name ($p passed, $s skipped)"; else echo "ok   $name ($p passed)"; fi
		fi
	done
}

run_integration() {
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		case "$name" in *"$FILTER"*) ;; *) continue ;; esac
		log="$LOGS/$name.log"
		# the VM scenarios (all CPU under TCG) and the whole-suite re-runs under ASan and
		# valgrind take several times longer on a loaded machine: their limits only catch a hang
		case "$name" in vm_* | asan_suite | valgrind_suite | windows_wine) limit=2400 ;; *) limit=900 ;; esac
		BUILD="$BUILD" timeout "$limit" sh "$t" >"$log" 2>&1
		rc=$?
		# a script that runs a suite of its own (windows_wine: the Windows tests under Wine)
		# shows that suite's closing line beside its own result
		sub=$(sed -n 's/^check-windows (Wine): \([0-9]* passed, [0-9]* failed, [0-9]* skipped\)$/\1/p' "$log" | tr -d '\r' | tail -n 1)
		sub=${sub:+ (Wine: $sub)}
		if [ "$rc" = 0 ]; then
			pass=$((pass + 1)); echo "ok   $name$sub"
		elif [ "$rc" = 77 ]; then
			skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
		else
			fail=$((fail + 1)); failed="$failed $name"
			echo "FAIL $name$sub (exit $rc; log $log)"; tail -n 25 "$log" | sed 's/^/    /'
		fi
	done
}

case "$WHAT" in
unit) run_unit ;;
integration) run_integration ;;
*) run_unit; run_integration ;;
esac
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
