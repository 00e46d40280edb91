#!/bin/sh
# Executions per harness over every campaign recorded in BUILD/fuzz/ledger.tsv (tests/fuzz/run.sh
# appends one line per run: UTC time, commit, harness, executions, exec/s, cov, ft, result).
#   tests/fuzz/ledger.sh BUILD [NAME...]
BUILD=${1:-build}
shift 2>/dev/null
L="$BUILD/fuzz/ledger.tsv"
[ -f "$L" ] || { echo "no ledger yet ($L)"; exit 0; }
echo "executions so far ($L):"
awk -F '\t' -v names="$*" '
	BEGIN { n = split(names, want, " "); for (i = 1; i <= n; i++) keep[want[i]] = 1 }
	n && !($3 in keep) { next }
	{ ex[$3] += $4; runs[$3]++; if ($8 != "ok" && $8 != "stopped") bad[$3]++; last[$3] = $2 }
	END { for (h in ex) printf "  %-16s %12d in %d runs (%d failed), last on %s\n", h, ex[h], runs[h], bad[h], last[h] }
' "$L" | sort
