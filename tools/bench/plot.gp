# gnuplot script for l2bench's data files (called by plot.sh with dir set).
set terminal pngcairo size 1200,1000 font "sans,10"
set output dir."/performance.png"
set multiplot layout 2,1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top left opaque
set grid ytics
set datafile missing "NaN"

set title "Host cost: delivered MB per CPU second (two hosts + simulated controllers, profile 'unlimited')"
set ylabel "MB/s (log)"
set logscale y
set yrange [1:*]
plot dir."/host_cost.dat" using 2:xtic(1) title "SDU 23", \
     '' using 3 title "672", '' using 4 title "4096", '' using 5 title "65535"

unset logscale y
set title "Link utilisation: goodput / theoretical L2CAP goodput of the profile, default credits and windows"
set ylabel "%"
set yrange [0:125]
set ytics 0,10,100
set xtics rotate by -30
set key top center horizontal maxrows 1 opaque
plot dir."/utilisation.dat" using 2:xtic(1) title "SDU 23", \
     '' using 3 title "245 (LE) / 672 (BR/EDR)", '' using 4 title "2048 (LE) / 4096 (BR/EDR)", \
     '' using 5 title "65535", 95 with lines lw 2 lc rgb "red" title "95 %"
unset multiplot
