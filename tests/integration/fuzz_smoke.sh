#!/bin/sh
# Fuzz smoke (docs/fuzzing.md): every libFuzzer harness in BUILD/fuzz replays the committed seed
# corpus (tests/fuzz/corpus/NAME) and every crash reproducer found so far (tests/fuzz/regress/
# NAME), then fuzzes for FUZZ_SMOKE_SECONDS (default 20) with ASan+UBSan+LeakSanitizer.  Any
# crash, leak, hang (> 20 s on one input) or harness invariant failure fails the test; the input
# is left in BUILD/fuzz-smoke/artifacts/.  Skipped when the harnesses could not be built (no
# clang / libFuzzer runtime) or inside the sanitizer run of the suite.
BUILD=${BUILD:-build}
SECS=${FUZZ_SMOKE_SECONDS:-20}
[ -n "$L2K_NESTED" ] && { echo "skip: runs in the top-level suite only"; exit 77; }
ls "$BUILD"/fuzz/fuzz_* >/dev/null 2>&1 || { echo "skip: no fuzz harnesses in $BUILD/fuzz (make fuzz-build needs clang + libclang-rt-14-dev)"; exit 77; }
OUT="$BUILD/fuzz-smoke"
rm -rf "$OUT"
mkdir -p "$OUT/artifacts" "$OUT/logs"
JOBS=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1}

replay_and_fuzz() {
	name=$1
	bin="$BUILD/fuzz/fuzz_$name"
	log="$OUT/logs/$name.log"
	dirs=""
	for d in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do [ -d "$d" ] && dirs="$dirs $d"; done
	n=0
	[ -n "$dirs" ] && n=$(find $dirs -type f | wc -l)
	# 1. replay: every seed and reproducer once
	if [ -n "$dirs" ]; then
		"$bin" -runs=0 -timeout=20 -rss_limit_mb=2560 -artifact_prefix="$OUT/artifacts/$name-replay-" $dirs >"$log" 2>&1 ||
			{ echo "FAIL $name: replay of $n inputs"; grep -E 'ERROR|invariant|runtime error|SUMMARY|Test unit written' "$log" | head -n 10; return 1; }
	fi
	if grep -q 'is not built: nothing to fuzz' "$log" 2>/dev/null; then
		echo "skip $name: mode not built"
		return 0
	fi
	# 2. fuzz for SECS seconds from the seeds (new inputs go to a scratch directory)
	mkdir -p "$OUT/corpus/$name"
	"$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2560 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$name-" "$OUT/corpus/$name" $dirs >>"$log" 2>&1 ||
		{ echo "FAIL $name: fuzzing found a problem (log $log)"; grep -E 'ERROR|invariant|runtime error|SUMMARY|Test unit written' "$log" | head -n 10; return 1; }
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "ok   $name: replayed $n inputs, $execs executions in ${SECS}s, $cov"
}

rc=0
set -- $(for b in "$BUILD"/fuzz/fuzz_*; do basename "$b" | sed 's/^fuzz_//'; done)
while [ $# -gt 0 ]; do
	batch=""
	i=0
	while [ $# -gt 0 ] && [ $i -lt "$JOBS" ]; do
		( replay_and_fuzz "$1" >"$OUT/logs/$1.line" 2>&1 ) &
		batch="$batch $1:$!"
		shift
		i=$((i + 1))
	done
	for e in $batch; do
		wait "${e#*:}" || rc=1
		cat "$OUT/logs/${e%%:*}.line"
	done
done
exit $rc
