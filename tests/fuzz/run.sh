#!/bin/sh
# Runs every fuzz harness (or the named ones) for SECONDS each and prints what it did.
#   tests/fuzz/run.sh BUILD SECONDS [NAME...]      (make fuzz FUZZ_SECONDS=N FUZZERS_RUN="...")
# New inputs go to BUILD/fuzz/corpus/NAME (the committed seeds in tests/fuzz/corpus/NAME and the
# reproducers in tests/fuzz/regress/NAME are read, never written); a crash leaves its input in
# BUILD/fuzz/artifacts/ and makes the script exit 1.  FUZZ_JOBS harnesses run at once (default:
# the number of CPUs).  The table gives executions, exec/s, edge coverage and features; every
# run is also appended to BUILD/fuzz/ledger.tsv (with the commit HEAD names, or FUZZ_REV when the
# binaries were built from another), and the totals over all runs close the output.
BUILD=${1:-build}
SECONDS_EACH=${2:-60}
shift 2 2>/dev/null
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
NAMES="$*"
[ -n "$NAMES" ] || NAMES=$(for b in "$BUILD"/fuzz/fuzz_*; do [ -x "$b" ] && basename "$b" | sed 's/^fuzz_//'; done)
mkdir -p "$BUILD/fuzz/logs" "$BUILD/fuzz/artifacts"

one() {
	name=$1
	bin="$BUILD/fuzz/fuzz_$name"
	work="$BUILD/fuzz/corpus/$name"
	log="$BUILD/fuzz/logs/$name.log"
	mkdir -p "$work"
	dirs="$work"
	for d in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do [ -d "$d" ] && dirs="$dirs $d"; done
	# whole-stack scripts longer than 1024 octets mostly repeat themselves; codecs get 4096
	case $name in mode_*|stack) maxlen=1024 ;; *) maxlen=4096 ;; esac
	ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1} \
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2560 -max_len="${FUZZ_MAX_LEN:-$maxlen}" \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/artifacts/$name-" $dirs >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | sed 's/ft: //')
	# the ledger keeps every run, so that executions add up over campaigns (ledger.sh sums it)
	# a run stopped with SIGINT (kill -INT the fuzzer) ends with its statistics and counts
	stopped=$(grep -c 'libFuzzer: run interrupted' "$log")
	case $rc in 0) res=ok ;; *) [ "$stopped" = 0 ] && res="fail($rc)" || { res=stopped; rc=0; } ;; esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"${FUZZ_REV:-$(git rev-parse --short HEAD 2>/dev/null || echo -)}" "$name" "${execs:-0}" "${rate:-0}" \
		"${cov:-?}" "${ft:-?}" "$res" >>"$BUILD/fuzz/ledger.tsv"
	if grep -q 'is not built: nothing to fuzz' "$log"; then
		printf '%-16s %s\n' "$name" "skipped: mode not built"
	elif [ "$rc" = 0 ]; then
		printf '%-16s %-4s execs %-10s exec/s %-7s cov %-6s ft %s\n' "$name" "$res" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
	else
		printf '%-16s FAIL (exit %s) see %s\n' "$name" "$rc" "$log"
		grep -E 'ERROR|invariant|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
		return 1
	fi
}

rc=0
if [ "$JOBS" -gt 1 ]; then
	# run JOBS at a time; each writes its line when done
	set -- $NAMES
	while [ $# -gt 0 ]; do
		pids=""
		i=0
		while [ $# -gt 0 ] && [ $i -lt "$JOBS" ]; do
			( one "$1" > "$BUILD/fuzz/logs/$1.line"; echo $? > "$BUILD/fuzz/logs/$1.rc" ) &
			pids="$pids $!"
			running="$running $1"
			shift
			i=$((i + 1))
		done
		wait $pids
		for n in $running; do
			cat "$BUILD/fuzz/logs/$n.line"
			[ "$(cat "$BUILD/fuzz/logs/$n.rc")" = 0 ] || rc=1
		done
		running=""
	done
else
	for n in $NAMES; do one "$n" || rc=1; done
fi
sh "$(dirname "$0")/ledger.sh" "$BUILD" $NAMES
exit $rc
