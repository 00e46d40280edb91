#!/bin/sh
# Plots l2bench's data files: DIR/performance.png (host throughput per mode and SDU size, link
# utilisation per profile and mode).  Usage: plot.sh DIR
dir=${1:-build/bench}
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "plot: gnuplot not found, no plot (tests/bench_deps.sh installs it as root)" >&2
	exit 0
fi
for f in host_cost.dat utilisation.dat; do
	[ -s "$dir/$f" ] || { echo "plot: $dir/$f missing, no plot" >&2; exit 0; }
done
gnuplot -e "dir='$dir'" "$(dirname "$0")/plot.gp" && echo "plot: $dir/performance.png"
