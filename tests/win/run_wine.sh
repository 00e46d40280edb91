#!/bin/sh
# Runs the Windows build's unit and conformance tests (WIN_BUILD/tests/*.exe) under Wine, with
# tests/run.sh's counting: `make check-windows`.
#   tests/win/run_wine.sh WIN_BUILD [NAME-FILTER]
# WIN_CNG_BUILD=DIR (make check-windows sets it): also runs DIR/tests/test_smp_crypto.exe, the
# sample-data test of the CNG backend (make windows WIN_CRYPTO=cng), counted the same way.
# Wine is kept deterministic: a prefix of its own in a temporary folder (made on each run, about
# 15 s; WINE_KEEP_PREFIX=DIR reuses DIR instead), WINEDEBUG=-all, one wineserver for the whole
# run, killed at the end; each test program is limited by tests/run.sh's timeout.  Without wine
# the run is skipped with a line that says so (exit 77).
WB=${1:-build-win}
FILTER=${2:-}
if ! command -v wine >/dev/null 2>&1; then
	echo "check-windows: wine not found (Debian: apt-get install wine64): Windows tests skipped"
	exit 77
fi
if [ -n "$WINE_KEEP_PREFIX" ]; then
	WINEPREFIX=$WINE_KEEP_PREFIX
	mkdir -p "$WINEPREFIX"
else
	WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/l2kit-wine.XXXXXX") || exit 1
fi
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
cleanup() {
	wineserver -k >/dev/null 2>&1
	[ -n "$WINE_KEEP_PREFIX" ] || rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
wineserver -p 60 >/dev/null 2>&1 &
timeout 300 wine cmd /c exit >/dev/null 2>&1 # (creates the prefix)
out=$(mktemp) || exit 1
rc=0
# runs tests/run.sh with its output shown and kept in $out; rc=1 when it fails
suite() {
	{ TEST_RUNNER="sh tests/win/wine_run.sh" sh tests/run.sh "$@"; echo "rc $?"; } | tee -a "$out" | grep -v '^rc '
	grep -q '^rc 0$' "$out" && ! grep -q '^rc [1-9]' "$out" || rc=1
}
suite "$WB" unit "$FILTER"
if [ -n "$WIN_CNG_BUILD" ] && [ -z "$FILTER" ]; then
	# the CNG backend's sample data (its P-256 part is skipped under Wine 8.0, saying why)
	echo "the CNG backend ($WIN_CNG_BUILD):"
	suite "$WIN_CNG_BUILD" unit test_smp_crypto
	grep '^skipped: ' "$WIN_CNG_BUILD/test-logs/test_smp_crypto.log" | head -n 1
fi
# one closing line over both runs, as tests/run.sh prints it
sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$out" |
	awk '{p += $1; f += $2; s += $3} END {printf "check-windows (Wine): %d passed, %d failed, %d skipped\n", p, f, s}'
rm -f "$out"
exit $rc
