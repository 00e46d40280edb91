#!/bin/sh
# Every unit test binary once under valgrind memcheck (leak check full), and every fuzz harness
# replaying its reproducers and a sample of its seeds (VALGRIND_CORPUS_SAMPLE, default 40) with
# BUILD/fuzz-replay (plain gcc builds of the harnesses).  Any memcheck error or leak (definite, indirect or possible: valgrind exits 99)
# fails the test, and so does a test that fails under valgrind.
BUILD=${BUILD:-build}
[ -n "$L2K_NESTED" ] && { echo "skip: runs in the top-level suite only"; exit 77; }
command -v valgrind >/dev/null 2>&1 || { echo "skip: valgrind not installed"; exit 77; }
# valgrind cannot run sanitizer builds (make check SAN=...): nothing to do then
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && grep -q __asan_init "$t" 2>/dev/null && { echo "skip: $BUILD is built with a sanitizer"; exit 77; }
	break
done
LOGS="$BUILD/valgrind-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-fds=no"
SAMPLE=${VALGRIND_CORPUS_SAMPLE:-40}
rc=0
n=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=stdout timeout 900 $VG "$t" >"$LOGS/$name.log" 2>&1
	r=$?
	n=$((n + 1))
	if [ "$r" != 0 ]; then
		[ "$r" = 99 ] && why="memcheck report" || why="test failed, exit $r"
		echo "FAIL $name under valgrind ($why, log $LOGS/$name.log)"
		grep -E '^==[0-9]+== |FAILED' "$LOGS/$name.log" | head -n 20
		rc=1
	else
		echo "ok   $name"
	fi
done
for b in "$BUILD"/fuzz-replay/fuzz_*; do
	[ -x "$b" ] || continue
	name=$(basename "$b" | sed 's/^fuzz_//')
	# every reproducer, and a fixed sample of the seeds (the ASan replay in fuzz_smoke runs
	# them all; valgrind is some fifty times slower)
	files=""
	[ -d tests/fuzz/regress/$name ] && files=$(find tests/fuzz/regress/$name -type f | sort)
	[ -d tests/fuzz/corpus/$name ] && files="$files $(find tests/fuzz/corpus/$name -type f | sort | head -n "$SAMPLE")"
	[ -n "$(echo $files)" ] || continue
	timeout 900 $VG "$b" $files >"$LOGS/fuzz_$name.log" 2>&1
	r=$?
	n=$((n + 1))
	if [ "$r" != 0 ]; then
		[ "$r" = 99 ] && why="memcheck report" || why="exit $r"
		echo "FAIL fuzz replay $name under valgrind ($why, log $LOGS/fuzz_$name.log)"
		grep -E '^==[0-9]+== |invariant' "$LOGS/fuzz_$name.log" | head -n 20
		rc=1
	else
		echo "ok   fuzz replay $name ($(tail -n 1 "$LOGS/fuzz_$name.log" | sed 's/.*: //'))"
	fi
done
[ "$n" -gt 0 ] || { echo "skip: nothing built to run (make tests fuzz-replay)"; exit 77; }
exit $rc
