#!/bin/sh
# tests/run.sh's TEST_RUNNER under tests/win/run_wine.sh: runs one test program under Wine.
# A test program always prints before its first test; when Wine ends one with a failure status
# and no output at all, Wine did not start it (seen once in about 70 runs: exit status and no
# log), so it is run once more, with a line saying so in its log.  Any output, or success, is
# final: a test that fails is never run again.
out=$(mktemp) || exit 1
wine "$@" >"$out" 2>&1
rc=$?
if [ "$rc" != 0 ] && ! [ -s "$out" ]; then
	echo "note: wine ended $(basename "$1") with status $rc and no output (not started): run again"
	wine "$@" >"$out" 2>&1
	rc=$?
fi
cat "$out"
rm -f "$out"
exit $rc
